import type { RuleFilters } from '@siemlink/contracts';
import { matchesLucene, parseLucene } from '../../lucene/index.ts';
import { fieldValues } from './fields.ts';

/** A compiled filter: true when the document passes. */
export type DocPredicate = (doc: unknown) => boolean;

/** A filter the rule engine cannot evaluate; `path` names the offending clause. */
export class FilterError extends Error {
  override name = 'FilterError';
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

const always: DocPredicate = () => true;

/**
 * Compiles a rule's `filters.bool` (must / filter / must_not) into one predicate. Supported
 * clauses: term, terms, match, match_phrase, exists, range, query_string, match_all and nested
 * bool (must, filter, must_not, should). Anything else is rejected so a rule never silently
 * matches more than its author meant.
 */
export function compileFilters(filters: RuleFilters | undefined, path = 'filters'): DocPredicate {
  if (!filters) return always;
  return compileBool(filters.bool as Record<string, unknown>, `${path}.bool`);
}

function compileBool(bool: Record<string, unknown>, path: string): DocPredicate {
  const list = (key: string): DocPredicate[] => {
    const v = bool[key];
    if (v === undefined) return [];
    const items = Array.isArray(v) ? v : [v];
    return items.map((c, i) => compileClause(c, `${path}.${key}.${i}`));
  };
  for (const key of Object.keys(bool)) {
    if (!['must', 'filter', 'must_not', 'should', 'minimum_should_match'].includes(key)) {
      throw new FilterError(`${path}.${key}`, 'unsupported bool key; use must, filter, must_not or should');
    }
  }
  const must = [...list('must'), ...list('filter')];
  const mustNot = list('must_not');
  const should = list('should');
  const needShould = should.length > 0 && must.length === 0;
  return (doc) => {
    for (const p of must) if (!p(doc)) return false;
    for (const p of mustNot) if (p(doc)) return false;
    if (needShould && !should.some((p) => p(doc))) return false;
    return true;
  };
}

function single(clause: unknown, path: string, kind: string): [string, unknown] {
  if (!clause || typeof clause !== 'object' || Array.isArray(clause)) {
    throw new FilterError(path, `${kind} must be an object {field: value}`);
  }
  const entries = Object.entries(clause as Record<string, unknown>);
  if (entries.length !== 1) throw new FilterError(path, `${kind} must name exactly one field`);
  return entries[0]!;
}

function valueOf(spec: unknown, key: string): unknown {
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) return (spec as Record<string, unknown>)[key];
  return spec;
}

function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b) && String(a) !== '';
  return String(a) === String(b);
}

function tokens(v: unknown): string[] {
  return String(v)
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter(Boolean);
}

function compileClause(clause: unknown, path: string): DocPredicate {
  if (!clause || typeof clause !== 'object' || Array.isArray(clause)) {
    throw new FilterError(path, 'must be a query clause object such as {"term": {...}}');
  }
  const entries = Object.entries(clause as Record<string, unknown>);
  if (entries.length !== 1) throw new FilterError(path, 'must have exactly one clause type');
  const [kind, body] = entries[0]!;
  const at = `${path}.${kind}`;
  switch (kind) {
    case 'match_all':
      return always;
    case 'bool':
      if (!body || typeof body !== 'object') throw new FilterError(at, 'must be an object');
      return compileBool(body as Record<string, unknown>, at);
    case 'term': {
      const [field, spec] = single(body, at, 'term');
      const want = valueOf(spec, 'value');
      if (want === undefined || (typeof want === 'object' && want !== null)) {
        throw new FilterError(`${at}.${field}`, 'term needs a scalar value');
      }
      return (doc) => fieldValues(doc, field).some((v) => sameScalar(v, want));
    }
    case 'terms': {
      const [field, want] = single(body, at, 'terms');
      if (!Array.isArray(want)) throw new FilterError(`${at}.${field}`, 'terms needs an array of values');
      return (doc) => fieldValues(doc, field).some((v) => want.some((w) => sameScalar(v, w)));
    }
    case 'match': {
      const [field, spec] = single(body, at, 'match');
      const q = valueOf(spec, 'query');
      if (q === undefined || (typeof q === 'object' && q !== null)) {
        throw new FilterError(`${at}.${field}`, 'match needs a query value');
      }
      const want = tokens(q);
      return (doc) =>
        fieldValues(doc, field).some((v) => {
          const have = new Set(tokens(v));
          return want.some((t) => have.has(t));
        });
    }
    case 'match_phrase': {
      const [field, spec] = single(body, at, 'match_phrase');
      const q = valueOf(spec, 'query');
      if (q === undefined || (typeof q === 'object' && q !== null)) {
        throw new FilterError(`${at}.${field}`, 'match_phrase needs a query value');
      }
      const phrase = tokens(q).join(' ');
      return (doc) => fieldValues(doc, field).some((v) => ` ${tokens(v).join(' ')} `.includes(` ${phrase} `));
    }
    case 'exists': {
      const field = valueOf(body, 'field');
      if (typeof field !== 'string' || !field) throw new FilterError(at, 'exists needs {"field": "<name>"}');
      return (doc) => fieldValues(doc, field).length > 0;
    }
    case 'range':
      return compileRange(body, at);
    case 'query_string': {
      const q = valueOf(body, 'query');
      if (typeof q !== 'string') throw new FilterError(at, 'query_string needs {"query": "<lucene>"}');
      let node;
      try {
        node = parseLucene(q);
      } catch (err) {
        throw new FilterError(`${at}.query`, `invalid Lucene: ${(err as Error).message}`);
      }
      return (doc) => matchesLucene(node, doc as Record<string, unknown>);
    }
    default:
      throw new FilterError(
        at,
        'unsupported clause; use term, terms, match, match_phrase, exists, range, query_string or bool',
      );
  }
}

function compileRange(body: unknown, at: string): DocPredicate {
  const [field, spec] = single(body, at, 'range');
  if (!spec || typeof spec !== 'object')
    throw new FilterError(`${at}.${field}`, 'range needs {gte|gt|lte|lt}');
  const bounds: [string, unknown][] = Object.entries(spec as Record<string, unknown>).filter(([k]) =>
    ['gte', 'gt', 'lte', 'lt'].includes(k),
  );
  if (bounds.length === 0)
    throw new FilterError(`${at}.${field}`, 'range needs at least one of gte, gt, lte, lt');
  const toComparable = (v: unknown): number | string => {
    if (typeof v === 'number') return v;
    const s = String(v);
    if (s.trim() !== '' && Number.isFinite(Number(s))) return Number(s);
    const d = Date.parse(s);
    return Number.isNaN(d) ? s : d;
  };
  const compiled = bounds.map(([op, b]) => [op, toComparable(b)] as const);
  return (doc) =>
    fieldValues(doc, field).some((raw) => {
      const v = toComparable(raw);
      return compiled.every(([op, b]) => {
        if (typeof v !== typeof b) return false;
        if (op === 'gte') return v >= b;
        if (op === 'gt') return v > b;
        if (op === 'lte') return v <= b;
        return v < b;
      });
    });
}
