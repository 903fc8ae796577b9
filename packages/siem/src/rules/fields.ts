/**
 * Field access on log documents. Shippers send both nested objects (`{"user":{"name":"x"}}`) and
 * flat dotted keys (`{"user.name":"x"}`), so a path is tried as a literal key first, then walked.
 * Arrays fan out: the result is every value found.
 */
export function fieldValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path, out);
  return out;
}

function collect(node: unknown, path: string, out: unknown[]): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const item of node) collect(item, path, out);
    return;
  }
  if (typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  if (Object.hasOwn(obj, path)) {
    push(obj[path], out);
    return;
  }
  let dot = path.indexOf('.');
  while (dot > 0) {
    const head = path.slice(0, dot);
    if (Object.hasOwn(obj, head)) collect(obj[head], path.slice(dot + 1), out);
    dot = path.indexOf('.', dot + 1);
  }
}

function push(v: unknown, out: unknown[]): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) for (const x of v) push(x, out);
  else out.push(v);
}

/** The first scalar value of a field as a string (group-by keys), or undefined when missing. */
export function fieldString(doc: unknown, path: string): string | undefined {
  for (const v of fieldValues(doc, path)) {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return undefined;
}

/** Every numeric value of a field (numbers, or strings that are plain numbers). */
export function fieldNumbers(doc: unknown, path: string): number[] {
  const out: number[] = [];
  for (const v of fieldValues(doc, path)) {
    if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
    else if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) out.push(Number(v));
  }
  return out;
}
