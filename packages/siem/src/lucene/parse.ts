import lucene from 'lucene';
import { SiemError } from '../errors.ts';
import type { LuceneNode, ParseLuceneOptions, RangeBound } from './ast.ts';
import { invalidLucene, leadingWildcard } from './errors.ts';
import { checkQueryText, checkQueryTree } from './limits.ts';
import { isNumeric } from './text.ts';
import { epochFromNumber, isDateMath, isQueryInstant, parseIsoDate, resolveDateMath } from './time.ts';

const TIME_FIELDS = new Set(['@timestamp', 'timestamp', 'eventDate']);

type Raw = Record<string, unknown>;
type Mod = '+' | '-' | null;
interface Item {
  node: LuceneNode;
  mod: Mod;
}

/**
 * Parses Lucene query syntax (as in ES `query_string`) into our AST. Throws SiemError 400
 * `INVALID_LUCENE` (or `LEADING_WILDCARD`, or `QUERY_LIMIT_EXCEEDED` past a LUCENE_LIMITS
 * bound) for anything it cannot accept; never anything else.
 */
export function parseLucene(query: string, opts: ParseLuceneOptions = {}): LuceneNode {
  if (typeof query !== 'string') throw invalidLucene('must be a string');
  checkQueryText(query);
  if (query.trim() === '' || query.trim() === '*' || query.trim() === '*:*') return { kind: 'all' };
  let raw: unknown;
  try {
    raw = lucene.parse(rewriteForParser(query));
  } catch (err) {
    throw describeSyntaxError(err);
  }
  let node: LuceneNode;
  try {
    node = simplify(new Converter(opts).expr(raw as Raw, null));
  } catch (err) {
    if (err instanceof SiemError) throw err;
    // Defensive: an unexpected tree shape from the parser package is still the query's fault.
    throw invalidLucene(`cannot be interpreted (${err instanceof Error ? err.message : 'unknown error'})`);
  }
  checkQueryTree(node);
  return node;
}

/**
 * The parser package rejects a prefix operator before a group (`-(a OR b)`, `!(a)`, `+(a)`),
 * which Lucene accepts. Rewrite outside quotes: `-(`/`!(` to `NOT (`, `+(` to `(`; and `~N` to `~`.
 */
function rewriteForParser(q: string): string {
  let out = '';
  let inQuote = false;
  for (let i = 0; i < q.length; i++) {
    const c = q[i]!;
    if (c === '\\') {
      out += c + (q[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    // `term~2` (edit distance) would parse as `term~` then a term `2`: keep the fuzzy marker only.
    const edits = !inQuote && c === '~' && q[i - 1] !== '"' ? /^\d+(?![\d.])/.exec(q.slice(i + 1)) : null;
    if (edits) {
      out += c;
      i += edits[0].length;
      continue;
    }
    const atBoundary = i === 0 || /[\s(]/.test(q[i - 1]!);
    if (!inQuote && atBoundary && (c === '-' || c === '!' || c === '+') && q[i + 1] === '(') {
      out += c === '+' ? '' : 'NOT ';
      continue;
    }
    out += c;
  }
  return out;
}

function describeSyntaxError(err: unknown): SiemError {
  const e = err as { message?: string; location?: { start?: { offset?: number } }; found?: unknown };
  const pos = e.location?.start?.offset;
  const found =
    typeof e.found === 'string'
      ? `unexpected '${e.found}'`
      : e.found === null
        ? 'unexpected end of query'
        : 'syntax error';
  return invalidLucene(`Query syntax is invalid: ${found}${pos === undefined ? '' : ` at position ${pos}`}`);
}

class Converter {
  readonly opts: ParseLuceneOptions;
  constructor(opts: ParseLuceneOptions) {
    this.opts = opts;
  }

  /** A parser node: `{left, operator?, right?, start?, parenthesized?, field?}`, or a leaf. */
  expr(n: Raw, field: string | null): LuceneNode {
    if (!('left' in n)) {
      if (Object.keys(n).length === 0) return { kind: 'all' };
      if ('operator' in n) throw invalidLucene(`operator ${String(n.operator)} needs terms on both sides`);
      return this.itemOf(n, field).node;
    }
    const scope = typeof n.field === 'string' && n.field !== '<implicit>' ? unescape(n.field) : field;
    const items: Item[] = [];
    const ops: string[] = [];
    this.flatten(n, scope, items, ops);
    return combine(items, ops, this.opts.defaultOperator ?? 'OR');
  }

  private flatten(n: Raw, field: string | null, items: Item[], ops: string[]): void {
    if (n.start !== undefined && n.start !== null) {
      if (n.start !== 'NOT') throw invalidLucene(`a query cannot start with ${String(n.start)}`);
    }
    const first = this.itemOf(n.left as Raw, field);
    if (n.start === 'NOT') first.mod = '-';
    items.push(first);
    if (n.operator === undefined || n.operator === null) return;
    const right = n.right as Raw | undefined;
    if (!right) return; // `a OR` at the very end: the parser package drops the dangling operator
    ops.push(String(n.operator));
    if (
      'left' in right &&
      !right.parenthesized &&
      (right.field === undefined || right.field === '<implicit>')
    ) {
      this.flatten(right, field, items, ops);
    } else items.push(this.itemOf(right, field));
  }

  private itemOf(n: Raw | undefined, field: string | null): Item {
    if (!n || typeof n !== 'object') throw invalidLucene('missing term');
    if ('left' in n) return { node: this.expr(n, field), mod: null };
    let mod: Mod = n.prefix === '+' ? '+' : n.prefix === '-' || n.prefix === '!' ? '-' : null;
    let name = typeof n.field === 'string' && n.field !== '<implicit>' ? n.field : null;
    if (name && /^[-+!]/.test(name)) {
      mod = name[0] === '+' ? '+' : '-';
      name = name.slice(1);
      if (!name) throw invalidLucene('empty field name');
    }
    const f = name === null ? field : unescape(name);
    if ('term_min' in n) return { node: this.range(f, n), mod };
    return { node: this.term(f, n), mod };
  }

  private term(field: string | null, n: Raw): LuceneNode {
    const text = String(n.term ?? '');
    if (n.regex === true) throw invalidLucene(`regular expression /${text}/ is not supported`);
    if (field === '_exists_') return { kind: 'exists', field: unescape(text) };
    if (field === '*') field = null;
    if (n.quoted === true)
      return this.onFields(field, (f) => ({ kind: 'phrase', field: f, value: unescape(text) }));
    const cmp = /^(>=|<=|>|<)(.*)$/s.exec(text);
    if (cmp && !/^\\/.test(text)) {
      if (field === null) throw invalidLucene(`comparison '${text}' needs a field (field:${text})`);
      const [, op, v] = cmp;
      const bound = this.bound(field, unescape(v!), op!.length === 2);
      return op!.startsWith('>')
        ? { kind: 'range', field, min: bound }
        : { kind: 'range', field, max: bound };
    }
    const { literal, pattern, wild, leading } = scanTerm(text);
    if (wild && pattern === '*') return field === null ? { kind: 'all' } : { kind: 'exists', field };
    if (wild) {
      if (leading && !this.opts.allowLeadingWildcard) throw leadingWildcard(text);
      return this.onFields(field, (f) => ({ kind: 'wildcard', field: f, pattern }));
    }
    if (literal === '') throw invalidLucene('empty term');
    return this.onFields(field, (f) => ({ kind: 'term', field: f, value: literal }));
  }

  /** A term without a field goes to the default fields, or to free text when there are none. */
  private onFields(field: string | null, make: (f: string | null) => LuceneNode): LuceneNode {
    if (field !== null) return make(field);
    const fields = (this.opts.defaultFields ?? []).filter((f) => f !== '*');
    if (fields.length === 0 || fields.length < (this.opts.defaultFields ?? []).length) return make(null);
    return fields.length === 1 ? make(fields[0]!) : { kind: 'or', nodes: fields.map(make) };
  }

  private range(field: string | null, n: Raw): LuceneNode {
    if (field === null) throw invalidLucene('a range needs a field (field:[a TO b])');
    const inc = String(n.inclusive);
    const lo = String(n.term_min);
    const hi = String(n.term_max);
    const node: LuceneNode = { kind: 'range', field };
    if (lo !== '*') node.min = this.bound(field, unescape(lo), inc === 'both' || inc === 'left');
    if (hi !== '*') node.max = this.bound(field, unescape(hi), inc === 'both' || inc === 'right');
    if (!node.min && !node.max) return { kind: 'exists', field };
    return node;
  }

  bound(field: string, raw: string, inclusive: boolean): RangeBound {
    return rangeBound(field, raw, inclusive, this.opts.now);
  }
}

/**
 * One range bound: date math resolved against `now`, ISO dates as instants, numbers as
 * numbers (as instants with the seconds rule on time fields), anything else a string.
 */
export function rangeBound(
  field: string,
  raw: string | number,
  inclusive: boolean,
  now?: number,
): RangeBound {
  const timeField = TIME_FIELDS.has(field);
  if (typeof raw === 'number') {
    return timeField ? timeBound(field, raw, epochFromNumber(raw), inclusive) : { value: raw, inclusive };
  }
  if (isDateMath(raw)) {
    if (now === undefined) throw invalidLucene(`date math '${raw}' is not supported here`, field);
    const ms = resolveDateMath(raw, now);
    if (ms === undefined) throw invalidLucene(`invalid date math '${raw}'`, field);
    return timeBound(field, raw, ms, inclusive);
  }
  if (isNumeric(raw)) {
    const n = Number(raw);
    return timeField ? timeBound(field, raw, epochFromNumber(n), inclusive) : { value: n, inclusive };
  }
  const iso = parseIsoDate(raw);
  if (iso !== undefined) return timeBound(field, raw, iso, inclusive);
  if (timeField)
    throw invalidLucene(`'${raw}' is not a date (ISO 8601, epoch or now-based date math)`, field);
  return { value: raw, inclusive };
}

/** An instant bound; one outside years 0000-9999 (`1e22`, `Infinity`) is the query's error. */
export function timeBound(field: string, raw: string | number, ms: number, inclusive: boolean): RangeBound {
  if (!isQueryInstant(ms))
    throw invalidLucene(`'${raw}' is outside the supported dates (years 0000 to 9999)`, field);
  return { value: ms, inclusive, time: true };
}

/** Unescapes a term and finds its wildcards; `pattern` keeps literal `*?\` escaped. */
function scanTerm(text: string): { literal: string; pattern: string; wild: boolean; leading: boolean } {
  let literal = '';
  let pattern = '';
  let wild = false;
  let leading = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      literal += next;
      pattern += next === '*' || next === '?' || next === '\\' ? `\\${next}` : next;
    } else if (c === '*' || c === '?') {
      if (pattern === '') leading = true;
      wild = true;
      pattern += c;
    } else {
      literal += c;
      pattern += c;
    }
  }
  return { literal, pattern, wild, leading };
}

function unescape(s: string): string {
  return s.replace(/\\(.)/gs, '$1');
}

/**
 * Joins a flat clause list. AND binds tighter than OR; with +/- modifiers, Lucene's clause
 * semantics apply (`+a b -c`: a required, b optional, c excluded).
 */
function combine(items: Item[], ops: string[], defaultOp: 'AND' | 'OR'): LuceneNode {
  const groups: Item[][] = [[items[0]!]];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const next = items[i + 1]!;
    let joinAnd: boolean;
    if (op === 'AND' || op === '&&') joinAnd = true;
    else if (op === 'OR' || op === '||') joinAnd = false;
    else if (op === 'NOT' || op === 'AND NOT') {
      joinAnd = true;
      next.mod = '-';
    } else if (op === 'OR NOT') {
      joinAnd = false;
      next.mod = '-';
    } else joinAnd = defaultOp === 'AND';
    if (joinAnd) groups[groups.length - 1]!.push(next);
    else groups.push([next]);
  }
  const must: LuceneNode[] = [];
  const mustNot: LuceneNode[] = [];
  const should: LuceneNode[] = [];
  for (const g of groups) {
    if (g.length === 1 && g[0]!.mod === '+') must.push(g[0]!.node);
    else if (g.length === 1 && g[0]!.mod === '-') mustNot.push(g[0]!.node);
    else should.push(andOf(g));
  }
  const parts: LuceneNode[] = [...must];
  if (should.length > 0 && must.length === 0)
    parts.push(should.length === 1 ? should[0]! : { kind: 'or', nodes: should });
  for (const n of mustNot) parts.push({ kind: 'not', node: n });
  if (parts.length === 0) return { kind: 'all' };
  return parts.length === 1 ? parts[0]! : { kind: 'and', nodes: parts };
}

function andOf(g: Item[]): LuceneNode {
  const nodes = g.map((it) => (it.mod === '-' ? ({ kind: 'not', node: it.node } as LuceneNode) : it.node));
  return nodes.length === 1 ? nodes[0]! : { kind: 'and', nodes };
}

/** Flattens nested and/or and removes all/none where logic allows. */
export function simplify(n: LuceneNode): LuceneNode {
  if (n.kind === 'not') {
    const inner = simplify(n.node);
    if (inner.kind === 'all') return { kind: 'none' };
    if (inner.kind === 'none') return { kind: 'all' };
    return { kind: 'not', node: inner };
  }
  if (n.kind !== 'and' && n.kind !== 'or') return n;
  const out: LuceneNode[] = [];
  for (const c of n.nodes.map(simplify)) {
    if (c.kind === n.kind) out.push(...c.nodes);
    else if (n.kind === 'and' && c.kind === 'all') continue;
    else if (n.kind === 'or' && c.kind === 'none') continue;
    else if (n.kind === 'and' && c.kind === 'none') return c;
    else if (n.kind === 'or' && c.kind === 'all') return c;
    else out.push(c);
  }
  if (out.length === 0) return { kind: n.kind === 'and' ? 'all' : 'none' };
  return out.length === 1 ? out[0]! : { kind: n.kind, nodes: out };
}
