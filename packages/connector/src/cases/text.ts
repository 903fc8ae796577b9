/**
 * Free-text search over an incident's name, description and groupBy values, the same on SQLite
 * (FTS5) and PostgreSQL (tsvector): both index the words this module cuts, and a query matches
 * when every one of its terms is found: its words in a row, the last one as a prefix.
 */

/** Lower-cased words: runs of letters and digits. "10.0.0.5 Brute-force" -> 10 0 0 5 brute force. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The groupBy values of an incident's fields (stored as `groupBy.<name>` keys). */
export function groupByEntries(fields: Record<string, unknown>): [string, string][] {
  return Object.entries(fields)
    .filter(([k]) => k.startsWith('groupBy.'))
    .map(
      ([k, v]) =>
        [k.slice('groupBy.'.length), typeof v === 'string' ? v : JSON.stringify(v)] as [string, string],
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** What the full-text index holds for an incident: its words, space separated. */
export function searchText(i: { name: string; fields: Record<string, unknown> }): string {
  const description = typeof i.fields.description === 'string' ? i.fields.description : '';
  const parts = [i.name, description, ...groupByEntries(i.fields).map(([, v]) => v)];
  return words(parts.join(' ')).join(' ');
}

/**
 * Incidents with the same key are "related": the same rule (its alertId, else its name) and the
 * same groupBy values.
 */
export function groupKey(i: { name: string; fields: Record<string, unknown> }): string {
  const rule = i.fields.alertId === undefined ? `name:${i.name}` : `rule:${String(i.fields.alertId)}`;
  return `${rule}|${JSON.stringify(groupByEntries(i.fields))}`;
}

/**
 * The query's terms (split on white space), each as its words: a term like `10.0.0.1` is a phrase
 * (its words in a row, the last one a prefix), so it does not match every 10.x address.
 */
function terms(text: string): string[][] {
  return text
    .split(/\s+/)
    .map(words)
    .filter((w) => w.length > 0);
}

/** An FTS5 MATCH expression: every term a prefix phrase, all required. Null when no words. */
export function ftsMatch(text: string): string | null {
  const t = terms(text);
  return t.length ? t.map((w) => `"${w.join(' ')}"*`).join(' AND ') : null;
}

/** A PostgreSQL tsquery (simple configuration): every term a prefix phrase, all required. */
export function tsQuery(text: string): string | null {
  const t = terms(text);
  return t.length
    ? t.map((w) => `(${w.map((x, i) => (i === w.length - 1 ? `${x}:*` : x)).join(' <-> ')})`).join(' & ')
    : null;
}
