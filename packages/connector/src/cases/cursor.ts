import { apiError } from '../errors.ts';
import type { CaseSort } from './schemas.ts';

/** Where a page ended: the sort key values of its last incident. Opaque to clients (base64url JSON). */
export interface PageCursor {
  sort: CaseSort;
  order: 'asc' | 'desc';
  /** Sort key values: [occurred_ms], [updated_at] or [severity, occurred_ms]; then the id. */
  keys: number[];
  id: string;
}

export function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify([c.sort, c.order, c.keys, c.id])).toString('base64url');
}

/** The cursor, checked against the query's sort and order: a cursor from another sort is refused. */
export function decodeCursor(text: string, sort: CaseSort, order: 'asc' | 'desc'): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length === 4 &&
    Array.isArray(parsed[2]) &&
    (parsed[2] as unknown[]).every((k) => typeof k === 'number' && Number.isFinite(k)) &&
    typeof parsed[3] === 'string';
  if (!ok)
    throw apiError('VALIDATION_FAILED', 'query.cursor is not a cursor this API returned', 'query.cursor');
  const [s, o, keys, id] = parsed as [string, string, number[], string];
  if (s !== sort || o !== order) {
    throw apiError(
      'VALIDATION_FAILED',
      `query.cursor belongs to sort=${s}&order=${o}, not sort=${sort}&order=${order}`,
      'query.cursor',
    );
  }
  const expected = sort === 'severity' ? 2 : 1;
  if (keys.length !== expected)
    throw apiError('VALIDATION_FAILED', 'query.cursor is not a cursor this API returned', 'query.cursor');
  return { sort, order, keys, id };
}

/** The ORDER BY columns of a sort (id last, so every position is unique). */
export function sortColumns(sort: CaseSort): string[] {
  if (sort === 'severity') return ['severity', 'occurred_ms'];
  if (sort === 'updated') return ['updated_at'];
  return ['occurred_ms'];
}
