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

/** The values at a dotted field: nested objects, literal dotted keys and mixes; arrays flattened. */
export function fieldValues(doc: unknown, field: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, field, out);
  return out;
}

function collect(value: unknown, path: string, out: unknown[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, path, out);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  if (Object.hasOwn(obj, path)) pushFlat(obj[path], out);
  for (let i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (Object.hasOwn(obj, head)) collect(obj[head], path.slice(i + 1), out);
  }
}

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

/** A wildcard pattern (`*`, `?`, backslash escapes) as an anchored, case-insensitive RegExp. */
export function wildcardRegExp(pattern: string): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) src += escapeRe(pattern[++i]!);
    else if (c === '*') src += '[^]*';
    else if (c === '?') src += '[^]';
    else src += escapeRe(c);
  }
  return new RegExp(`^${src}$`, 'iu');
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

function escapeRe(c: string): string {
  // Only syntax characters: the `u` flag rejects identity escapes of anything else.
  return c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

export function isNumeric(s: string): boolean {
  return s.trim() !== '' && Number.isFinite(Number(s));
}
