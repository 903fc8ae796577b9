import type { LuceneNode } from './ast.ts';
import { isNumeric, tokenize, wildcardLiterals } from './text.ts';

export interface SqlFilter {
  where: string;
  params: (string | number)[];
}

/** Token spellings FTS5 (unicode61) and our tokenizer agree on exactly. */
const ASCII_TOKEN = /^[a-z0-9]+$/;
/** Chars that are stored as themselves both in JSON text and in json_extract results. */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;
const MAX_PATH_SPLITS = 3;

/**
 * A SQL condition over `logs` (columns `seq`, `ts`, `doc`; FTS5 table `logs_fts` over the
 * string values of `doc`) that every matching row satisfies: a SUPERSET of `matchesLucene`,
 * which must still be applied to the rows it returns. `null` when nothing useful can be said.
 * Where it cannot be sure (non-ASCII text, numbers spelled oddly, negations) it says nothing.
 */
export function luceneToSql(node: LuceneNode): SqlFilter | null {
  const p = luceneToSqlParts(node);
  if (!p) return null;
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (p.fts !== null) {
    where.push(FTS_IN);
    params.push(p.fts);
  }
  if (p.where !== null) {
    where.push(where.length ? `(${p.where})` : p.where);
    params.push(...p.params);
  }
  return { where: where.join(' AND '), params };
}

/** `seq IN (...)` for an FTS5 match expression (one parameter). */
export const FTS_IN = 'seq IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)';

/**
 * The prefilter as an FTS5 match expression AND a plain condition (either may be null), so a
 * caller can drive the query from the FTS index when there is one.
 */
export interface SqlParts {
  fts: string | null;
  where: string | null;
  params: (string | number)[];
}

export function luceneToSqlParts(node: LuceneNode): SqlParts | null {
  return compile(node);
}

function compile(node: LuceneNode): SqlParts | null {
  switch (node.kind) {
    case 'none':
      return { fts: null, where: '0', params: [] };
    case 'and': {
      const parts = node.nodes.map(compile).filter((p): p is SqlParts => p !== null);
      if (parts.length === 0) return null;
      const fts = parts.filter((p) => p.fts !== null).map((p) => p.fts!);
      const wheres = parts.filter((p) => p.where !== null);
      return {
        fts: fts.length === 0 ? null : fts.length === 1 ? fts[0]! : fts.map((f) => `(${f})`).join(' AND '),
        where: wheres.length === 0 ? null : wheres.map((p) => `(${p.where})`).join(' AND '),
        params: wheres.flatMap((p) => p.params),
      };
    }
    case 'or': {
      const parts = node.nodes.map(compile);
      if (parts.some((p) => p === null)) return null;
      const all = parts as SqlParts[];
      if (all.every((p) => p.where === null)) {
        return { fts: all.map((p) => `(${p.fts})`).join(' OR '), where: null, params: [] };
      }
      const ors = all.map((p) => asWhere(p));
      return {
        fts: null,
        where: ors.map((o) => `(${o.where})`).join(' OR '),
        params: ors.flatMap((o) => o.params),
      };
    }
    case 'term':
    case 'phrase':
      return textFilter(node.field, node.value);
    case 'wildcard':
      return wildcardFilter(node.field, node.pattern);
    case 'range':
      return rangeFilter(node);
    default:
      // all, not, exists: no selective superset worth computing.
      return null;
  }
}

function asWhere(p: SqlParts): SqlFilter {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (p.fts !== null) {
    where.push(FTS_IN);
    params.push(p.fts);
  }
  if (p.where !== null) {
    where.push(`(${p.where})`);
    params.push(...p.params);
  }
  return { where: where.join(' AND '), params };
}

/** One phrase or prefix of the free-text `body` column (never the `meta` tokens of the same table). */
function fts(match: string): SqlParts {
  return { fts: `${FTS_BODY}${match}`, where: null, params: [] };
}

/** Column filter that keeps an FTS5 phrase to the log text (`logs_fts` also has `meta`). */
export const FTS_BODY = 'body : ';

function plain(where: string, params: (string | number)[]): SqlParts {
  return { fts: null, where, params };
}

/**
 * Terms whose tokens are plain ASCII words go to FTS (as a phrase): a string value equal to
 * the term, or containing its tokens in a row, holds those tokens. Numbers and booleans are
 * not in the FTS body, so numeric and true/false terms use json_extract instead.
 */
function textFilter(field: string | null, value: string): SqlParts | null {
  const tokens = tokenize(value);
  const lower = value.toLowerCase();
  const scalarLike = isNumeric(value) || lower === 'true' || lower === 'false';
  if (!scalarLike && tokens.length > 0 && tokens.every((t) => ASCII_TOKEN.test(t))) {
    return fts(`"${tokens.join(' ')}"`);
  }
  if (field === null || !isNumeric(value)) return null;
  const paths = jsonPaths(field);
  if (!paths) return null;
  // A number equal to the term, a string holding it as a token, or an array (checked in JS).
  const ors = paths.map(
    () =>
      "(json_extract(doc, ?) = ? OR json_extract(doc, ?) LIKE ? ESCAPE '\\' OR json_type(doc, ?) = 'array')",
  );
  if (!PLAIN_ASCII.test(value)) return null;
  return plain(
    ors.join(' OR '),
    paths.flatMap((p) => [p, Number(value), p, `%${likeEscape(value)}%`, p]),
  );
}

function wildcardFilter(field: string | null, pattern: string): SqlParts | null {
  const runs = wildcardLiterals(pattern);
  if (field === null) {
    // Free text: the leaf (or one of its tokens) starts with the pattern's leading letters.
    const lead = /^[a-z]+/i.exec(pattern)?.[0]?.toLowerCase();
    if (!lead || 'true'.startsWith(lead) || 'false'.startsWith(lead)) return null;
    return fts(`${lead}*`);
  }
  if (runs.length === 0 || !runs.every((r) => PLAIN_ASCII.test(r) && !/["\\]/.test(r))) return null;
  const paths = jsonPaths(field);
  if (!paths) return null;
  const like = `%${runs.map(likeEscape).join('%')}%`;
  // Reals and booleans print differently in SQLite and JS: let the predicate decide those.
  const ors = paths.map(
    () => "(json_type(doc, ?) IN ('real', 'true', 'false') OR json_extract(doc, ?) LIKE ? ESCAPE '\\')",
  );
  return plain(
    ors.join(' OR '),
    paths.flatMap((p) => [p, p, like]),
  );
}

/** Only `@timestamp` has a column (`ts`); other ranges are left to the predicate. */
function rangeFilter(node: Extract<LuceneNode, { kind: 'range' }>): SqlParts | null {
  if (node.field !== '@timestamp') return null;
  const where: string[] = [];
  const params: number[] = [];
  // ts is @timestamp in ms; a second of slack keeps sub-ms or rounded timestamps inside.
  if (node.min?.time) {
    where.push('ts >= ?');
    params.push((node.min.value as number) - 1000);
  }
  if (node.max?.time) {
    where.push('ts <= ?');
    params.push((node.max.value as number) + 1000);
  }
  return where.length ? plain(where.join(' AND '), params) : null;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&');
}

/** JSON paths for every way a dotted field can split into nested keys; null if too many. */
export function jsonPaths(field: string): string[] | null {
  const parts = field.split('.');
  if (parts.length - 1 > MAX_PATH_SPLITS || field.includes('"') || parts.some((p) => p === '')) return null;
  const out: string[] = [];
  const rec = (i: number, acc: string[]) => {
    if (i === parts.length) {
      out.push('$' + acc.map((k) => `."${k}"`).join(''));
      return;
    }
    for (let j = i + 1; j <= parts.length; j++) rec(j, [...acc, parts.slice(i, j).join('.')]);
  };
  rec(0, []);
  return out;
}
