import type { LuceneNode, RangeBound } from './ast.ts';
import { containsTokens, fieldValues, isNumeric, leafValues, tokenize } from './text.ts';
import { wildcardMatcher } from './wildcard.ts';
import { docInstant } from './time.ts';

/**
 * Evaluates a query on one parsed log document. Text semantics are those of an analysed
 * field, case-insensitive: a term or phrase matches a string value equal to it, or whose
 * tokens contain the term's tokens consecutively (`message:failed` matches "Failed password";
 * `path:/etc/passwd` matches "cat /etc/passwd"). Numbers match numerically, booleans by name.
 * Free text (no field) looks at every scalar value of the document.
 */
export function matchesLucene(node: LuceneNode, doc: Record<string, unknown>): boolean {
  return evaluate(node, doc, new Map());
}

type TokenCache = Map<string, string[]>;

function evaluate(node: LuceneNode, doc: Record<string, unknown>, cache: TokenCache): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'and':
      return node.nodes.every((n) => evaluate(n, doc, cache));
    case 'or':
      return node.nodes.some((n) => evaluate(n, doc, cache));
    case 'not':
      return !evaluate(node.node, doc, cache);
    case 'exists':
      return fieldValues(doc, node.field).length > 0;
    case 'term':
    case 'phrase': {
      const needle = tokenize(node.value);
      const lower = node.value.toLowerCase();
      return valuesOf(doc, node.field).some((v) => textMatches(v, node.value, lower, needle, cache));
    }
    case 'wildcard': {
      const re = wildcardMatcher(node.pattern);
      return valuesOf(doc, node.field).some(
        (v) =>
          (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') &&
          (re.test(String(v)) || (typeof v === 'string' && tokensOf(v, cache).some((t) => re.test(t)))),
      );
    }
    case 'range':
      return fieldValues(doc, node.field).some((v) => inRange(v, node.min, node.max));
  }
}

function valuesOf(doc: Record<string, unknown>, field: string | null): unknown[] {
  return field === null ? leafValues(doc) : fieldValues(doc, field);
}

function tokensOf(s: string, cache: TokenCache): string[] {
  let t = cache.get(s);
  if (!t) cache.set(s, (t = tokenize(s)));
  return t;
}

function textMatches(v: unknown, raw: string, lower: string, needle: string[], cache: TokenCache): boolean {
  if (typeof v === 'string') {
    const lv = v.toLowerCase();
    if (lv === lower) return true;
    // Cheap reject before tokenising: a token of the value is a substring of it.
    if (needle.length === 0 || !lv.includes(needle[0]!)) return false;
    return containsTokens(tokensOf(v, cache), needle);
  }
  if (typeof v === 'number') return (isNumeric(raw) && Number(raw) === v) || String(v) === raw;
  if (typeof v === 'boolean') return String(v) === lower;
  return false;
}

function inRange(v: unknown, min?: RangeBound, max?: RangeBound): boolean {
  return (!min || cmpBound(v, min, true)) && (!max || cmpBound(v, max, false));
}

/** Whether `v` is on the right side of `b` (above a lower bound, below an upper one). */
function cmpBound(v: unknown, b: RangeBound, lower: boolean): boolean {
  let c: number | undefined;
  if (b.time) {
    const t = docInstant(v);
    if (t !== undefined) c = t - (b.value as number);
  } else if (typeof b.value === 'number') {
    const n = typeof v === 'number' ? v : typeof v === 'string' && isNumeric(v) ? Number(v) : undefined;
    if (n !== undefined) c = n - b.value;
  } else if (typeof v === 'string') c = v < b.value ? -1 : v > b.value ? 1 : 0;
  if (c === undefined || Number.isNaN(c)) return false;
  if (c === 0) return b.inclusive;
  return lower ? c > 0 : c < 0;
}
