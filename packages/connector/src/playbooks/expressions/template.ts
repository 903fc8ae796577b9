/**
 * Templates (see definition/schema.ts): a string that is exactly `${ expr }` yields the value of
 * `expr`; a string with `${ expr }` parts is interpolated into a string; `$${` writes a literal
 * `${`; anything else is a literal. Objects and arrays are templates all the way down.
 */
export type TemplateString =
  | { kind: 'literal'; value: string }
  | { kind: 'expr'; expr: string }
  | { kind: 'interpolate'; parts: (string | { expr: string })[] };

/** Splits a template string; throws with the character offset when a `${` is never closed. */
export function parseTemplateString(s: string): TemplateString {
  if (!s.includes('${')) return { kind: 'literal', value: s };
  const parts: (string | { expr: string })[] = [];
  let text = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (!s.startsWith('${', i)) {
      text += s[i++];
      continue;
    }
    const end = closingBrace(s, i + 2);
    if (end < 0) throw new TemplateSyntaxError(`"\${" at character ${i} is never closed by "}"`, i);
    const expr = s.slice(i + 2, end).trim();
    if (expr === '') throw new TemplateSyntaxError(`empty "\${ }" at character ${i}`, i);
    if (text !== '') parts.push(text);
    text = '';
    parts.push({ expr });
    i = end + 1;
  }
  if (text !== '') parts.push(text);
  if (parts.length === 1 && typeof parts[0] === 'object') return { kind: 'expr', expr: parts[0].expr };
  if (parts.every((p) => typeof p === 'string')) return { kind: 'literal', value: parts.join('') };
  return { kind: 'interpolate', parts };
}

export class TemplateSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'TemplateSyntaxError';
    this.position = position;
  }
}

/** The `}` closing an expression that starts at `from`: braces nest, quotes and comments are skipped. */
function closingBrace(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipQuoted(s, i, c);
      if (i < 0) return -1;
    } else if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      if (end < 0) return -1;
      i = end + 1;
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function skipQuoted(s: string, start: number, quote: string): number {
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\' && quote !== '`') i++;
    else if (s[i] === quote) return i;
  }
  return -1;
}

/** Every expression inside a template value, with the path of the value that holds it. */
export function templateExpressions(
  value: unknown,
  path: (string | number)[] = [],
): { expr: string; path: (string | number)[] }[] {
  const out: { expr: string; path: (string | number)[] }[] = [];
  const walk = (v: unknown, p: (string | number)[]) => {
    if (typeof v === 'string') {
      const t = parseTemplateString(v);
      if (t.kind === 'expr') out.push({ expr: t.expr, path: p });
      else if (t.kind === 'interpolate')
        for (const part of t.parts) if (typeof part === 'object') out.push({ expr: part.expr, path: p });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, [...p, k]);
  };
  walk(value, path);
  return out;
}

/** How an interpolated value is written into a string. */
export function interpolated(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
