import type { CaseQuery } from '../cases/schemas.ts';
import { ftsMatch, tsQuery } from '../cases/text.ts';
import { sortColumns } from '../cases/cursor.ts';

/** The incident columns the case queries read (not the search columns). */
export const INCIDENT_COLUMNS =
  'id, alert_event_id, name, occurred, occurred_ms, severity, status, owner, fields, raw, created_at, updated_at, ' +
  'original_severity, tags, close_reason, close_notes, acknowledged_at, closed_at';

/** What the queue reads: every column but the raw event (served by the detail route only). */
export const SUMMARY_COLUMNS =
  'id, alert_event_id, name, occurred, occurred_ms, severity, status, owner, fields, created_at, updated_at, ' +
  'original_severity, tags, close_reason, close_notes, acknowledged_at, closed_at';

/** How the two stores differ in the queue's SQL: placeholders, lists, free text, id collation. */
export interface Dialect {
  /** Adds a bound value, returns its placeholder. */
  arg(value: unknown): string;
  /** `col IN (...)` over bound values. */
  inList(col: string, values: readonly (string | number)[], type: 'text' | 'float8'): string;
  /** The free-text condition, or null when the text has no words. */
  text(text: string): string | null;
  /** The id column as it sorts (bytewise on both). */
  id: string;
  prefix: string;
  /**
   * SQLite: with a free-text filter that matches few incidents, sort the matches instead of
   * walking the sort index probing each row against them (`+col` keeps the planner off the index).
   */
  sortMatches: boolean;
}

/** The FTS5 condition on an incident's rowid (the index is keyed by it, `incidents_text`). */
const SQLITE_TEXT_MATCH = 'rowid IN (SELECT rowid FROM incidents_text WHERE incidents_text MATCH ?)';

/**
 * `manyMatches`: the free text matches many incidents, so the queue walks its sort index (and the
 * counts a covering index) probing each row against the matches (`+rowid` keeps the planner from
 * looking every match up instead); with few matches it looks them up and sorts them.
 */
export function sqliteDialect(args: unknown[], opts: { manyMatches?: boolean } = {}): Dialect {
  return {
    arg(v) {
      args.push(v);
      return '?';
    },
    inList(col, values) {
      args.push(...values);
      return `${col} IN (${values.map(() => '?').join(',')})`;
    },
    text(text) {
      const m = ftsMatch(text);
      if (m === null) return null;
      args.push(m);
      return opts.manyMatches ? `+${SQLITE_TEXT_MATCH}` : SQLITE_TEXT_MATCH;
    },
    id: 'id',
    prefix: '',
    sortMatches: !opts.manyMatches,
  };
}

export function postgresDialect(args: unknown[], schema: string): Dialect {
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  return {
    arg,
    inList: (col, values, type) => `${col} = ANY(${arg(values)}::${type}[])`,
    text(text) {
      const q = tsQuery(text);
      return q === null ? null : `search_tsv @@ to_tsquery('simple', ${arg(q)})`;
    },
    id: 'id COLLATE "C"',
    prefix: `${schema}.`,
    sortMatches: false,
  };
}

type Filters = Omit<CaseQuery, 'sort' | 'order' | 'limit' | 'after'>;

/** True when the filters are only status and severity: the counts come from the counts table. */
export function facetsOnly(q: Filters): boolean {
  return (
    !q.owners?.length &&
    !q.names?.length &&
    !q.tags?.length &&
    (q.text === undefined || ftsMatch(q.text) === null) &&
    q.occurredFrom === undefined &&
    q.occurredTo === undefined
  );
}

/** WHERE conditions of the queue's filters; `facets: false` leaves out status and severity (for counts). */
export function caseConditions(q: Filters, d: Dialect, facets = true): string[] {
  const where: string[] = [];
  if (facets && q.status?.length) where.push(d.inList('status', q.status, 'text'));
  if (facets && q.severities?.length) where.push(d.inList('severity', q.severities, 'float8'));
  if (facets && q.minSeverity !== undefined) where.push(`severity >= ${d.arg(q.minSeverity)}`);
  if (q.owners?.length) {
    const named = q.owners.filter((o): o is string => o !== null);
    const parts = named.length ? [d.inList('owner', named, 'text')] : [];
    if (q.owners.includes(null)) parts.push('owner IS NULL');
    where.push(`(${parts.join(' OR ')})`);
  }
  if (q.names?.length) where.push(d.inList('name', q.names, 'text'));
  if (q.tags?.length) {
    where.push(
      `id IN (SELECT incident_id FROM ${d.prefix}incident_tags WHERE ${d.inList('tag', q.tags, 'text')})`,
    );
  }
  if (q.text !== undefined) {
    const t = d.text(q.text);
    if (t !== null) where.push(t);
  }
  if (q.occurredFrom !== undefined) where.push(`occurred_ms >= ${d.arg(q.occurredFrom)}`);
  if (q.occurredTo !== undefined) where.push(`occurred_ms <= ${d.arg(q.occurredTo)}`);
  return where;
}

/** The page's SELECT: filters, keyset position, order, limit + 1. */
export function queueSql(q: CaseQuery, d: Dialect): string {
  const where = caseConditions(q, d);
  const cols = sortColumns(q.sort);
  const dir = q.order === 'asc' ? 'ASC' : 'DESC';
  if (q.after) {
    const values = [...q.after.keys, q.after.id].map((v) => d.arg(v));
    where.push(`(${[...cols, d.id].join(', ')}) ${q.order === 'asc' ? '>' : '<'} (${values.join(', ')})`);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const plus = d.sortMatches && q.text !== undefined ? '+' : '';
  const order = [...cols, d.id].map((c) => `${plus}${c} ${dir}`).join(', ');
  return `SELECT ${SUMMARY_COLUMNS} FROM ${d.prefix}incidents ${clause} ORDER BY ${order} LIMIT ${d.arg(q.limit + 1)}`;
}

/** The same page without filters' extras: what the benchmark compares against. */
export function plainPageSql(prefix: string, limit: number): string {
  return `SELECT ${SUMMARY_COLUMNS} FROM ${prefix}incidents ORDER BY occurred_ms DESC, id DESC LIMIT ${limit}`;
}
