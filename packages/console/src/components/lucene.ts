/** `field:"value"` ANDed onto a query (`*` alone is replaced), quoting and escaping the value. */
export function addTerm(query: string, field: string, value: unknown): string {
  const text = String(value).replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  const f = field.replace(/([+\-!(){}[\]^"~*?:\\/\s])/g, '\\$1');
  const term = `${f}:"${text}"`;
  const q = query.trim();
  if (q === '' || q === '*') return term;
  return `${q} AND ${term}`;
}
