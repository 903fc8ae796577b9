import type { SecurityEvent, SecurityEventSearchRequest, Severity, SortField } from '@siemlink/contracts';
import type { Store } from '../../store/store.ts';
import { toSecurityEvent, type SecurityEventRow } from './repository.ts';

/** A validated events search: what `events/search` asks the store for. Times are epoch ms. */
export interface SecurityEventQuery {
  accountId: number;
  /** Case-insensitive match on the rule name; `*` and `?` are wildcards, otherwise a substring. */
  searchTerm?: string;
  severities?: Severity[];
  fromMs?: number;
  toMs?: number;
  includeMuted: boolean;
  sort: { field: SortField; descending: boolean }[];
  pageNumber: number;
  pageSize: number;
}

export interface SecurityEventPage {
  total: number;
  results: SecurityEvent[];
}

const SORT_COLUMN: Record<SortField, string> = { DATE: 'event_date', SEVERITY: 'severity_rank' };

/**
 * Request body to query. Seconds become ms rounded to the millisecond the SIEM stores, so a
 * client sending back an `eventDate` it received (XSOAR: `eventDate + 0.1`) matches it exactly
 * despite float error. Without a sort: DATE descending. `fromDate` after `toDate` is an empty
 * range, not an error: XSOAR's Test button sends its import-time `fromDate` with `toDate` =
 * now - 180 s, and expects 200.
 */
export function toSecurityEventQuery(
  accountId: number,
  body: SecurityEventSearchRequest | undefined,
): SecurityEventQuery {
  const filter = body?.filter ?? {};
  const fromMs =
    filter.timeRange?.fromDate === undefined ? undefined : Math.round(filter.timeRange.fromDate * 1000);
  const toMs =
    filter.timeRange?.toDate === undefined ? undefined : Math.round(filter.timeRange.toDate * 1000);
  const sort = (body?.sort ?? [])
    .filter((s): s is { field: SortField; descending?: boolean } => s.field !== undefined)
    .map((s) => ({ field: s.field, descending: s.descending ?? true }));
  const term = filter.searchTerm?.trim();
  return {
    accountId,
    searchTerm: term ? term : undefined,
    severities: filter.severities?.length ? filter.severities : undefined,
    fromMs,
    toMs,
    includeMuted: filter.includeMutedEvents ?? false,
    sort: sort.length ? sort : [{ field: 'DATE', descending: true }],
    pageNumber: body?.pagination?.pageNumber ?? 1,
    pageSize: body?.pagination?.pageSize ?? 25,
  };
}

/** `Falco` -> `%falco%`; `SSH*brute` -> `%ssh%brute%`; a quoted term is taken literally. */
export function searchTermToLike(term: string): string {
  const unquoted = /^".*"$/.test(term) && term.length >= 2 ? term.slice(1, -1) : term;
  const escaped = unquoted.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  const wild = escaped.replaceAll('*', '%').replaceAll('?', '_');
  return `%${wild}%`;
}

export interface SecurityEventSearcher {
  search(q: SecurityEventQuery): SecurityEventPage;
}

/**
 * Events of one account, filtered, sorted (sort keys in array order, then `seq` in the first
 * key's direction so equal dates page stably) and paged. Parameters are bound, never spliced.
 */
export function createSqliteSecurityEventSearcher(store: Store): SecurityEventSearcher {
  return {
    search(q) {
      const where: string[] = ['account_id = ?'];
      const params: (string | number)[] = [q.accountId];
      if (q.searchTerm !== undefined && q.searchTerm !== '*') {
        where.push("lower(name) LIKE ? ESCAPE '\\'");
        params.push(searchTermToLike(q.searchTerm));
      }
      if (q.severities) {
        where.push(`severity IN (${q.severities.map(() => '?').join(', ')})`);
        params.push(...q.severities);
      }
      if (q.fromMs !== undefined) {
        where.push('event_date >= ?');
        params.push(q.fromMs);
      }
      if (q.toMs !== undefined) {
        where.push('event_date <= ?');
        params.push(q.toMs);
      }
      if (!q.includeMuted) where.push('is_muted = 0');
      const whereSql = where.join(' AND ');
      const { n } = store.db
        .prepare(`SELECT count(*) AS n FROM security_events WHERE ${whereSql}`)
        .get(...params) as {
        n: number;
      };
      const order = q.sort.map((s) => `${SORT_COLUMN[s.field]} ${s.descending ? 'DESC' : 'ASC'}`);
      order.push(`seq ${q.sort[0]!.descending ? 'DESC' : 'ASC'}`);
      const offset = (q.pageNumber - 1) * q.pageSize;
      const rows =
        offset >= n
          ? []
          : (store.db
              .prepare(
                `SELECT * FROM security_events WHERE ${whereSql} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
              )
              .all(...params, q.pageSize, offset) as unknown as SecurityEventRow[]);
      return { total: n, results: rows.map(toSecurityEvent) };
    },
  };
}
