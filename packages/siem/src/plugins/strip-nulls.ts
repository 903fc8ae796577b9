/**
 * Real clients (FortiSOAR) send `"timeRange":{"fromDate":null}` meaning "absent". Removing
 * nulls before validation makes every nested null behave like a missing key.
 */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(stripNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = stripNulls(v);
    return out;
  }
  return value;
}
