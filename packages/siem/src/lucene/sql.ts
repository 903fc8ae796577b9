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
  return compile(node);
}

function compile(node: LuceneNode): SqlFilter | null {
  switch (node.kind) {
    case 'none':
      return { where: '0', params: [] };
    case 'and': {
      const parts = node.nodes.map(compile).filter((p): p is SqlFilter => p !== null);
      return parts.length === 0 ? null : join(parts, ' AND ');
    }
    case 'or': {
      const parts = node.nodes.map(compile);
      return parts.some((p) => p === null) ? null : join(parts as SqlFilter[], ' OR ');
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

function join(parts: SqlFilter[], op: string): SqlFilter {
  if (parts.length === 1) return parts[0]!;
  return { where: parts.map((p) => `(${p.where})`).join(op), params: parts.flatMap((p) => p.params) };
}

function fts(match: string): SqlFilter {
  return { where: 'seq IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?)', params: [match] };
}

/**
 * Terms whose tokens are plain ASCII words go to FTS (as a phrase): a string value equal to
 * the term, or containing its tokens in a row, holds those tokens. Numbers and booleans are
 * not in the FTS body, so numeric and true/false terms use json_extract instead.
 */
function textFilter(field: string | null, value: string): SqlFilter | null {
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
  const params = paths.flatMap((p) => [p, Number(value), p, `%${likeEscape(value)}%`, p]);
  if (!PLAIN_ASCII.test(value)) return null;
  return { where: ors.join(' OR '), params };
}

function wildcardFilter(field: string | null, pattern: string): SqlFilter | null {
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
  return { where: ors.join(' OR '), params: paths.flatMap((p) => [p, p, like]) };
}

/** Only `@timestamp` has a column (`ts`); other ranges are left to the predicate. */
function rangeFilter(node: Extract<LuceneNode, { kind: 'range' }>): SqlFilter | null {
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
  return where.length ? { where: where.join(' AND '), params } : null;
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
