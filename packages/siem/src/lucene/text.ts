/**
 * Text analysis shared by the predicate and the SQL prefilter. A token is a maximal run of
 * letters, digits and combining marks, lower-cased: close to Elasticsearch's standard analyzer
 * and to SQLite FTS5's unicode61 tokenizer (which the prefilter relies on for ASCII tokens).
 */
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** True when `needle` occurs as consecutive tokens in `hay`. */
export function containsTokens(hay: string[], needle: string[]): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * The values at a dotted field: nested objects, literal dotted keys and mixes; arrays flattened.
 * With `literalFirst`, a key equal to the whole remaining path hides the splits below it.
 */
export function fieldValues(doc: unknown, field: string, literalFirst = false): unknown[] {
  const out: unknown[] = [];
  collect(doc, field, 0, literalFirst, out);
  return out;
}

/** Up to this many dots left, probe each split with hasOwn; past it, scan the object's keys. */
const PROBE_SPLITS = 4;

/**
 * Walks `path` from `pos` without copying its tail: each object on the way costs
 * O(PROBE_SPLITS × path length) or one pass over its keys, so the whole walk is linear in the
 * document and the path, not quadratic in the number of dots.
 */
function collect(value: unknown, path: string, pos: number, literalFirst: boolean, out: unknown[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, path, pos, literalFirst, out);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  const rest = pos === 0 ? path : path.slice(pos);
  if (Object.hasOwn(obj, rest)) {
    pushFlat(obj[rest], out);
    if (literalFirst) return;
  }
  if (path.charCodeAt(pos) === DOT) return; // an empty head is never split off
  let dots = 0;
  for (let i = path.indexOf('.', pos); i > pos && dots <= PROBE_SPLITS; i = path.indexOf('.', i + 1)) dots++;
  if (dots <= PROBE_SPLITS) {
    for (let i = path.indexOf('.', pos); i > pos; i = path.indexOf('.', i + 1)) {
      const head = path.slice(pos, i);
      if (Object.hasOwn(obj, head)) collect(obj[head], path, i + 1, literalFirst, out);
    }
    return;
  }
  for (const key of Object.keys(obj)) {
    const end = pos + key.length;
    if (key.length > 0 && path.charCodeAt(end) === DOT && path.startsWith(key, pos)) {
      collect(obj[key], path, end + 1, literalFirst, out);
    }
  }
}

const DOT = 46;

function pushFlat(v: unknown, out: unknown[]): void {
  if (Array.isArray(v)) for (const x of v) pushFlat(x, out);
  else if (v !== undefined && v !== null) out.push(v);
}

/** Every scalar leaf of a document (what free text searches). */
export function leafValues(doc: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(doc)) for (const v of doc) leafValues(v, out);
  else if (doc !== null && typeof doc === 'object') for (const v of Object.values(doc)) leafValues(v, out);
  else if (doc !== undefined && doc !== null) out.push(doc);
  return out;
}

/** The literal runs of a wildcard pattern, unescaped (`a*b\\*c` -> ['a', 'b*c']). */
export function wildcardLiterals(pattern: string): string[] {
  const runs: string[] = [];
  let cur = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) cur += pattern[++i]!;
    else if (c === '*' || c === '?') {
      if (cur) runs.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) runs.push(cur);
  return runs;
}

export function isNumeric(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}
