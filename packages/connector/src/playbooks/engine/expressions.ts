import jsonata from 'jsonata';

/**
 * The engine's one view of expressions and templates (see definition/schema.ts): JSONata compiled
 * once per text. A thin seam: the definition side's expressions/ module can replace it whole.
 */
export interface Expressions {
  evaluate(expr: string, scope: object): Promise<unknown>;
  /** A template: literals as they are, `${ expr }` alone gives the value, inside a string is interpolated. */
  render(template: unknown, scope: object): Promise<unknown>;
}

/** Plain JSON (JSONata marks its sequences; undefined becomes null). */
function plain(v: unknown): unknown {
  return v === undefined ? null : (JSON.parse(JSON.stringify(v)) as unknown);
}

/** Splits `a ${ x } b` into literal and expression parts; braces inside an expression nest. */
function parts(text: string): (string | { expr: string })[] | null {
  if (!text.includes('${')) return null;
  const out: (string | { expr: string })[] = [];
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start === -1) {
      out.push(text.slice(i));
      break;
    }
    if (start > i) out.push(text.slice(i, start));
    let depth = 1;
    let j = start + 2;
    let quote: string | null = null;
    for (; j < text.length && depth > 0; j++) {
      const ch = text[j]!;
      if (quote) {
        if (ch === '\\') j++;
        else if (ch === quote) quote = null;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
    if (depth > 0) throw new Error(`unclosed \${ in template: ${text}`);
    out.push({ expr: text.slice(start + 2, j - 1).trim() });
    i = j;
  }
  return out;
}

export function createExpressions(): Expressions {
  const compiled = new Map<string, ReturnType<typeof jsonata>>();
  const evaluate = async (expr: string, scope: object) => {
    let e = compiled.get(expr);
    if (!e) {
      try {
        e = jsonata(expr);
      } catch (err) {
        throw new Error(`expression "${expr}": ${(err as Error).message}`, { cause: err });
      }
      compiled.set(expr, e);
    }
    try {
      return plain(await e.evaluate(scope));
    } catch (err) {
      throw new Error(`expression "${expr}": ${(err as Error).message}`, { cause: err });
    }
  };
  const render = async (t: unknown, scope: object): Promise<unknown> => {
    if (typeof t === 'string') {
      const ps = parts(t);
      if (!ps) return t;
      if (ps.length === 1 && typeof ps[0] !== 'string') return evaluate(ps[0]!.expr, scope);
      let s = '';
      for (const p of ps) {
        if (typeof p === 'string') s += p;
        else {
          const v = await evaluate(p.expr, scope);
          s += v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
        }
      }
      return s;
    }
    if (Array.isArray(t)) {
      const out: unknown[] = [];
      for (const x of t) out.push(await render(x, scope));
      return out;
    }
    if (t !== null && typeof t === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(t)) out[k] = await render(v, scope);
      return out;
    }
    return t;
  };
  return { evaluate, render };
}
