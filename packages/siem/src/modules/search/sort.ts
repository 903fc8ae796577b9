import { fieldValues } from '../../lucene/text.ts';
import { invalidQuery } from './dsl/errors.ts';

export interface SortKey {
  field: string;
  order: 'asc' | 'desc';
}

/** Fields that are analysed text in Logz.io and cannot be sorted on. */
const ANALYSED = new Set(['message']);

/** `sort`: a field name, `{field: "desc"}`, `{field: {order}}`, or an array of those. */
export function parseSort(v: unknown): SortKey[] {
  if (v === undefined) return [];
  const items = Array.isArray(v) ? v : [v];
  const keys: SortKey[] = [];
  items.forEach((item, i) => {
    const at = Array.isArray(v) ? `sort[${i}]` : 'sort';
    let field: string;
    let order: unknown;
    if (typeof item === 'string') {
      field = item;
      order = item === '_score' ? 'desc' : 'asc';
    } else if (
      item !== null &&
      typeof item === 'object' &&
      !Array.isArray(item) &&
      Object.keys(item).length === 1
    ) {
      field = Object.keys(item)[0]!;
      const spec = (item as Record<string, unknown>)[field];
      order =
        spec !== null && typeof spec === 'object' ? ((spec as Record<string, unknown>).order ?? 'asc') : spec;
    } else throw invalidQuery(at, 'must be a field name or {"<field>": {"order": "asc"|"desc"}}');
    if (ANALYSED.has(field))
      throw invalidQuery(at, `sorting on the analysed field [${field}] is not allowed`, 'SORT_NOT_ALLOWED');
    const o = String(order).toLowerCase();
    if (o !== 'asc' && o !== 'desc')
      throw invalidQuery(at, `order must be asc or desc, got ${JSON.stringify(order)}`);
    if (field !== '_score') keys.push({ field, order: o });
  });
  return keys;
}

/** True when the order is the storage order: newest first (the default) or by @timestamp alone. */
export function timeOrder(keys: SortKey[]): 'asc' | 'desc' | null {
  if (keys.length === 0) return 'desc';
  if (keys.length === 1 && keys[0]!.field === '@timestamp') return keys[0]!.order;
  return null;
}

/** Sort values of one hit (`@timestamp` as epoch ms, `_doc` as storage sequence). */
export function sortValues(
  keys: SortKey[],
  doc: Record<string, unknown>,
  ts: number,
  seq: number,
): unknown[] {
  return keys.map((k) => {
    if (k.field === '@timestamp') return ts;
    if (k.field === '_doc') return seq;
    const v = fieldValues(doc, k.field);
    return v.length === 0 ? null : (v[0] ?? null);
  });
}

/** Compares sort value lists; missing values last in both orders, as ES does. */
export function compareSortValues(keys: SortKey[], a: unknown[], b: unknown[]): number {
  for (let i = 0; i < keys.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    let c: number;
    if (typeof x === 'number' && typeof y === 'number') c = x - y;
    else if (typeof x === 'number') c = -1;
    else if (typeof y === 'number') c = 1;
    else c = String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
    if (c !== 0) return keys[i]!.order === 'asc' ? c : -c;
  }
  return 0;
}
