import {
  parseLucene,
  rangeBound,
  simplify,
  checkQueryTree,
  timeBound,
  type LuceneNode,
  type RangeBound,
} from '../../../lucene/index.ts';
import { SiemError } from '../../../errors.ts';
import { tokenize } from '../../../lucene/text.ts';
import { forbiddenQuery, invalidQuery } from './errors.ts';

export interface CompileContext {
  /** Epoch ms of `now` for date math. */
  now: number;
}

type Obj = Record<string, unknown>;

/** Most `should` clauses a `minimum_should_match` above 1 is expanded over (combinations). */
const MAX_MSM_CLAUSES = 8;

const QUERY_STRING_KEYS = new Set([
  'query',
  'default_field',
  'fields',
  'default_operator',
  'allow_leading_wildcard',
  'analyze_wildcard',
  'lenient',
  'boost',
  'analyzer',
  'quote_analyzer',
  'auto_generate_phrase_queries',
  'time_zone',
  'fuzziness',
  'fuzzy_prefix_length',
  'fuzzy_transpositions',
  'phrase_slop',
  'escape',
  '_name',
  'minimum_should_match',
  'type',
  'tie_breaker',
  'quote_field_suffix',
  'enable_position_increments',
  'split_on_whitespace',
  'auto_generate_synonyms_phrase_query',
]);
const RANGE_KEYS = new Set([
  'gt',
  'gte',
  'lt',
  'lte',
  'from',
  'to',
  'include_lower',
  'include_upper',
  'format',
  'time_zone',
  'boost',
  'relation',
  '_name',
]);

/**
 * Compiles an Elasticsearch 6 query clause into our Lucene AST, so the same predicate and SQL
 * prefilter serve query_string and the JSON DSL. `path` names the clause in error messages.
 */
export function compileQuery(q: unknown, path: string, ctx: CompileContext): LuceneNode {
  const node = simplify(clause(q, path, ctx));
  // The Lucene work limits (clauses, fields, patterns, terms) hold for the JSON DSL too.
  checkQueryTree(node, path, { checkDepth: false });
  return node;
}

function clause(q: unknown, path: string, ctx: CompileContext): LuceneNode {
  const o = asObject(q, path);
  const keys = Object.keys(o);
  if (keys.length !== 1) {
    throw invalidQuery(
      path,
      keys.length === 0
        ? 'empty query clause'
        : `a query clause has exactly one key, got [${keys.join(', ')}]`,
    );
  }
  const type = keys[0]!;
  const body = o[type];
  const at = `${path}.${type}`;
  switch (type) {
    case 'match_all':
      return { kind: 'all' };
    case 'match_none':
      return { kind: 'none' };
    case 'bool':
      return bool(asObject(body, at), at, ctx);
    case 'constant_score':
      return clause(asObject(body, at).filter, `${at}.filter`, ctx);
    case 'query_string':
      return queryString(asObject(body, at), at, ctx);
    case 'match':
      return fieldQuery(body, at, 'query', (f, v, opts) => match(f, v, opts, at));
    case 'multi_match':
      return multiMatch(asObject(body, at), at);
    case 'match_phrase':
      return fieldQuery(body, at, 'query', (f, v) => ({
        kind: 'phrase',
        field: freeOr(f),
        value: scalar(v, at),
      }));
    case 'term':
      return fieldQuery(body, at, 'value', (f, v) => ({ kind: 'term', field: f, value: scalar(v, at) }));
    case 'terms':
      return terms(asObject(body, at), at);
    case 'prefix':
      return fieldQuery(body, at, 'value', (f, v) => ({
        kind: 'wildcard',
        field: f,
        pattern: `${escapeWildcard(scalar(v, at))}*`,
      }));
    case 'wildcard':
      return fieldQuery(body, at, 'value', (f, v, opts) => wildcard(f, opts.wildcard ?? v, at));
    case 'exists':
      return { kind: 'exists', field: stringField(asObject(body, at).field, `${at}.field`) };
    case 'range':
      return range(asObject(body, at), at, ctx);
    default:
      throw invalidQuery(
        at,
        `query type [${type}] is not supported (supported: bool, query_string, match, multi_match, match_phrase, match_all, term, terms, range, exists, wildcard, prefix, constant_score)`,
      );
  }
}

function bool(b: Obj, at: string, ctx: CompileContext): LuceneNode {
  const known = new Set([
    'must',
    'filter',
    'should',
    'must_not',
    'minimum_should_match',
    'boost',
    '_name',
    'disable_coord',
    'adjust_pure_negative',
  ]);
  for (const k of Object.keys(b))
    if (!known.has(k)) throw invalidQuery(`${at}.${k}`, `[bool] does not support [${k}]`);
  const list = (k: string): LuceneNode[] => {
    const v = b[k];
    if (v === undefined) return [];
    const items = Array.isArray(v) ? v : [v];
    return items.map((x, i) => clause(x, Array.isArray(v) ? `${at}.${k}[${i}]` : `${at}.${k}`, ctx));
  };
  const must = [...list('must'), ...list('filter')];
  const should = list('should');
  const mustNot = list('must_not');
  const parts: LuceneNode[] = [...must, ...mustNot.map((n): LuceneNode => ({ kind: 'not', node: n }))];
  if (should.length > 0) {
    // ES: with no must/filter, at least one should must match; otherwise should only scores.
    const msm = minimumShouldMatch(
      b.minimum_should_match,
      should.length,
      must.length === 0 ? 1 : 0,
      `${at}.minimum_should_match`,
    );
    if (msm > 0) parts.push(atLeast(should, msm, at));
  }
  return parts.length === 0 ? { kind: 'all' } : { kind: 'and', nodes: parts };
}

function minimumShouldMatch(v: unknown, count: number, dflt: number, at: string): number {
  if (v === undefined) return dflt;
  const s = String(v).trim();
  let n: number;
  const pct = /^(-?\d+)%$/.exec(s);
  if (pct) {
    const p = Number(pct[1]);
    n = p < 0 ? count - Math.floor((count * -p) / 100) : Math.floor((count * p) / 100);
  } else if (/^-?\d+$/.test(s)) {
    n = Number(s);
    if (n < 0) n = count + n;
  } else
    throw invalidQuery(at, `'${s}' is not a supported minimum_should_match (an integer or a percentage)`);
  return Math.max(0, Math.min(n, count));
}

/** At least `m` of `nodes`, expanded into an OR of ANDs (bounded). */
function atLeast(nodes: LuceneNode[], m: number, at: string): LuceneNode {
  if (m === 1) return { kind: 'or', nodes };
  if (m === nodes.length) return { kind: 'and', nodes };
  if (nodes.length > MAX_MSM_CLAUSES) {
    throw invalidQuery(
      `${at}.minimum_should_match`,
      `minimum_should_match above 1 is supported with at most ${MAX_MSM_CLAUSES} should clauses`,
    );
  }
  const out: LuceneNode[] = [];
  const pick = (start: number, acc: LuceneNode[]) => {
    if (acc.length === m) return void out.push({ kind: 'and', nodes: [...acc] });
    for (let i = start; i < nodes.length; i++) pick(i + 1, [...acc, nodes[i]!]);
  };
  pick(0, []);
  return { kind: 'or', nodes: out };
}

function queryString(o: Obj, at: string, ctx: CompileContext): LuceneNode {
  for (const k of Object.keys(o))
    if (!QUERY_STRING_KEYS.has(k)) throw invalidQuery(`${at}.${k}`, `[query_string] does not support [${k}]`);
  if (o.allow_leading_wildcard === true || o.allow_leading_wildcard === 'true') {
    throw forbiddenQuery(
      `${at}.allow_leading_wildcard`,
      'query_string.allow_leading_wildcard not allowed to be true',
    );
  }
  if (typeof o.query !== 'string')
    throw invalidQuery(`${at}.query`, o.query === undefined ? 'is required' : 'must be a string');
  const op = o.default_operator === undefined ? 'OR' : String(o.default_operator).toUpperCase();
  if (op !== 'AND' && op !== 'OR') throw invalidQuery(`${at}.default_operator`, 'must be AND or OR');
  const fields: string[] = [];
  if (o.default_field !== undefined) fields.push(stringField(o.default_field, `${at}.default_field`));
  if (o.fields !== undefined) {
    if (!Array.isArray(o.fields)) throw invalidQuery(`${at}.fields`, 'must be an array of field names');
    o.fields.forEach((f, i) => fields.push(stringField(f, `${at}.fields[${i}]`).replace(/\^[\d.]+$/, '')));
  }
  try {
    return parseLucene(o.query, { defaultOperator: op, defaultFields: fields, now: ctx.now });
  } catch (e) {
    if (e instanceof SiemError) {
      const rest = e.message.replace(/^query: /, '');
      throw new SiemError({
        code: e.code,
        status: 400,
        field: `${at}.query`,
        message: `${at}.query: ${rest}`,
      });
    }
    throw e;
  }
}

interface FieldOpts {
  operator?: string;
  wildcard?: unknown;
}

/** `{field: value}` or `{field: {<valueKey>: value, ...options}}`. */
function fieldQuery(
  body: unknown,
  at: string,
  valueKey: string,
  make: (field: string, value: unknown, opts: FieldOpts) => LuceneNode,
): LuceneNode {
  const o = asObject(body, at);
  const fields = Object.keys(o).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) throw invalidQuery(at, 'expects exactly one field');
  const field = fields[0]!;
  const v = o[field];
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const opts = v as Obj;
    const value = opts[valueKey] ?? (valueKey === 'value' ? opts.query : undefined);
    if (value === undefined && opts.wildcard === undefined)
      throw invalidQuery(`${at}.${field}.${valueKey}`, 'is required');
    return make(field, value, {
      operator: opts.operator === undefined ? undefined : String(opts.operator),
      wildcard: opts.wildcard,
    });
  }
  return make(field, v, {});
}

function match(field: string, v: unknown, opts: FieldOpts, at: string): LuceneNode {
  const text = scalar(v, at);
  const f = freeOr(field);
  const tokens = tokenize(text);
  // Numbers, booleans and token-less values stay one term (compared as values, not text).
  if (typeof v !== 'string' || tokens.length <= 1) return { kind: 'term', field: f, value: text };
  const op = (opts.operator ?? 'OR').toUpperCase();
  if (op !== 'AND' && op !== 'OR') throw invalidQuery(`${at}.${field}.operator`, 'must be AND or OR');
  const nodes: LuceneNode[] = tokens.map((t) => ({ kind: 'term', field: f, value: t }));
  return { kind: op === 'AND' ? 'and' : 'or', nodes };
}

/** `{query, fields, operator?, type?}`: a match (or match_phrase for type phrase) on each field. */
function multiMatch(o: Obj, at: string): LuceneNode {
  const known = new Set([
    'query',
    'fields',
    'operator',
    'type',
    'boost',
    'lenient',
    'analyzer',
    'tie_breaker',
    '_name',
    'minimum_should_match',
    'zero_terms_query',
    'auto_generate_synonyms_phrase_query',
  ]);
  for (const k of Object.keys(o))
    if (!known.has(k)) throw invalidQuery(`${at}.${k}`, `[multi_match] does not support [${k}]`);
  if (o.query === undefined) throw invalidQuery(`${at}.query`, 'is required');
  const type = o.type === undefined ? 'best_fields' : String(o.type);
  if (!['best_fields', 'most_fields', 'cross_fields', 'phrase'].includes(type)) {
    throw invalidQuery(
      `${at}.type`,
      `type [${type}] is not supported (best_fields, most_fields, cross_fields, phrase)`,
    );
  }
  const fields = o.fields === undefined ? ['*'] : o.fields;
  if (!Array.isArray(fields) || fields.length === 0)
    throw invalidQuery(`${at}.fields`, 'must be a non-empty array of field names');
  const nodes = fields.map((f, i) => {
    const field = stringField(f, `${at}.fields[${i}]`).replace(/\^[\d.]+$/, '');
    return type === 'phrase'
      ? ({ kind: 'phrase', field: freeOr(field), value: scalar(o.query, `${at}.query`) } as LuceneNode)
      : match(field, o.query, { operator: o.operator === undefined ? undefined : String(o.operator) }, at);
  });
  return nodes.length === 1 ? nodes[0]! : { kind: 'or', nodes };
}

function terms(o: Obj, at: string): LuceneNode {
  const fields = Object.keys(o).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) throw invalidQuery(at, 'expects exactly one field');
  const field = fields[0]!;
  const values = o[field];
  if (!Array.isArray(values)) throw invalidQuery(`${at}.${field}`, 'must be an array of values');
  if (values.length > 65_536) throw invalidQuery(`${at}.${field}`, 'has more than 65536 values');
  return {
    kind: 'or',
    nodes: values.map((v, i) => ({ kind: 'term', field, value: scalar(v, `${at}.${field}[${i}]`) })),
  };
}

function wildcard(field: string, v: unknown, at: string): LuceneNode {
  const pattern = scalar(v, `${at}.${field}`);
  if (pattern.startsWith('*') || pattern.startsWith('?')) {
    throw forbiddenQuery(`${at}.${field}`, "'wildcard' queries are not allowed to start with '*' or '?'");
  }
  if (pattern === '') throw invalidQuery(`${at}.${field}`, 'empty pattern');
  return { kind: 'wildcard', field, pattern };
}

function range(o: Obj, at: string, ctx: CompileContext): LuceneNode {
  const fields = Object.keys(o).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) throw invalidQuery(at, 'expects exactly one field');
  const field = fields[0]!;
  const p = `${at}.${field}`;
  const r = asObject(o[field], p);
  for (const k of Object.keys(r))
    if (!RANGE_KEYS.has(k)) throw invalidQuery(`${p}.${k}`, `[range] does not support [${k}]`);
  const format = r.format === undefined ? undefined : String(r.format);
  const bool = (k: string, dflt: boolean) => {
    const v = r[k];
    if (v === undefined) return dflt;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    throw invalidQuery(`${p}.${k}`, 'must be true or false');
  };
  const bound = (k: string, inclusive: boolean): RangeBound | undefined => {
    const v = r[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number')
      throw invalidQuery(`${p}.${k}`, 'must be a number or a string');
    try {
      return withFormat(field, rangeBound(field, v, inclusive, ctx.now), v, format);
    } catch (e) {
      if (e instanceof SiemError) throw invalidQuery(`${p}.${k}`, e.message.replace(/^[^:]*: /, ''));
      throw e;
    }
  };
  const min = bound('gte', true) ?? bound('gt', false) ?? bound('from', bool('include_lower', true));
  const max = bound('lte', true) ?? bound('lt', false) ?? bound('to', bool('include_upper', true));
  const node: LuceneNode = { kind: 'range', field };
  if (min) node.min = min;
  if (max) node.max = max;
  return min || max ? node : { kind: 'exists', field };
}

/** `format: epoch_millis|epoch_second` overrides the seconds-below-1e11 reading of numbers. */
function withFormat(
  field: string,
  b: RangeBound,
  raw: string | number,
  format: string | undefined,
): RangeBound {
  if (!format) return b;
  const n = typeof raw === 'number' ? raw : /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : undefined;
  if (n === undefined) return b;
  if (/epoch_millis/.test(format)) return timeBound(field, raw, Math.round(n), b.inclusive);
  if (/epoch_second/.test(format)) return timeBound(field, raw, Math.round(n * 1000), b.inclusive);
  return b;
}

function asObject(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidQuery(path, 'must be an object');
  return v as Obj;
}

function scalar(v: unknown, path: string): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalidQuery(path, 'must be a string, number or boolean');
}

function stringField(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw invalidQuery(path, 'must be a field name');
  return v;
}

/** `_all` and `*` mean every field: free text. */
function freeOr(field: string): string | null {
  return field === '_all' || field === '*' ? null : field;
}

function escapeWildcard(s: string): string {
  return s.replace(/[\\*?]/g, '\\$&');
}
