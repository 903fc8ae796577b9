import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { corruptCursor } from '../errors.ts';

/**
 * What is known of the window below a search cursor: `count` distinct events with
 * `from <= eventDate < cursor.eventDate` are stored. The SIEM only ever adds events, so while it
 * still counts exactly `count` there, no late-indexed event arrived and nothing is read.
 * `countedAt` is the cursor's eventDate when the SIEM last confirmed the count (absent: this
 * cursor's own), `uncounted` the runs since (absent: 0): a run whose head fills `maxFetch`
 * defers the count (search-run.ts), so a late event is looked for below `countedAt - overlap`.
 */
export const OverlapCheck = Type.Object(
  {
    from: Type.Integer({ minimum: 0, description: 'epoch ms' }),
    count: Type.Integer({ minimum: 0 }),
    countedAt: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms' })),
    uncounted: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type OverlapCheck = Static<typeof OverlapCheck>;

/**
 * Search-mode cursor: every event with `eventDate` (epoch ms) below this one is taken, and at
 * exactly this `eventDate` the ids in `idsAtDate` are. Derived from data only (rule 4); the one
 * exception is the first-fetch start, pinned once so a quiet first run cannot slide the lookback.
 * `checked` (absent in cursors written before it existed) lets a run skip re-reading the overlap.
 */
export const SearchCursor = Type.Object(
  {
    v: Type.Literal(1),
    eventDate: Type.Integer({ minimum: 0, description: 'epoch ms' }),
    idsAtDate: Type.Array(Type.String({ minLength: 1 })),
    checked: Type.Optional(OverlapCheck),
  },
  { additionalProperties: false },
);
export type SearchCursor = Static<typeof SearchCursor>;

/**
 * Feed-mode cursor: the opaque offset of the last committed feed response, plus the storage time
 * (epoch ms) of the newest event seen, so an expired offset can be turned into a recorded gap.
 */
export const FeedCursor = Type.Object(
  {
    v: Type.Literal(1),
    offset: Type.String({ minLength: 1 }),
    lastStoredAt: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms' })),
  },
  { additionalProperties: false },
);
export type FeedCursor = Static<typeof FeedCursor>;

function load<T>(
  schema: typeof SearchCursor | typeof FeedCursor,
  source: string,
  text: string | null,
): T | null {
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw corruptCursor(source, 'not JSON', err);
  }
  const first = Value.Errors(schema, value).First();
  if (first) throw corruptCursor(source, `${first.path || '/'} ${first.message}`);
  return value as T;
}

/** Parses and validates a stored search cursor; null when none is stored; throws when corrupt. */
export function loadSearchCursor(source: string, text: string | null): SearchCursor | null {
  return load<SearchCursor>(SearchCursor, source, text);
}

/** Parses and validates a stored feed cursor; null when none is stored; throws when corrupt. */
export function loadFeedCursor(source: string, text: string | null): FeedCursor | null {
  return load<FeedCursor>(FeedCursor, source, text);
}

/** The fetch filters a cursor is only valid for. */
export interface CursorFilters {
  searchTerm?: string;
  severities?: readonly string[];
}

/**
 * The filters as part of a cursor's store key. A cursor says "everything matching these filters
 * up to here is taken": after a filter change, events that match only the new filter may sit
 * behind it, so a new filter set gets its own cursor (starting at the first-fetch range; ids
 * already stored are dropped) instead of silently skipping them. Empty when unfiltered.
 */
function filterSuffix(filters: CursorFilters): string {
  const parts: string[] = [];
  if (filters.searchTerm) parts.push(`searchTerm=${encodeURIComponent(filters.searchTerm)}`);
  if (filters.severities?.length)
    parts.push(`severities=${[...new Set(filters.severities)].sort().join(',')}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Store key of a feed cursor: one per set of configuration ids (order-independent) and filters. */
export function feedSourceKey(configIds: readonly (string | number)[], filters: CursorFilters = {}): string {
  return `feed:${[...configIds].map(String).sort().join(';')}${filterSuffix(filters)}`;
}

export const SEARCH_SOURCE_KEY = 'search';

/** Store key of the search-mode cursor: `search`, or `search?searchTerm=..&severities=..`. */
export function searchSourceKey(filters: CursorFilters = {}): string {
  return `${SEARCH_SOURCE_KEY}${filterSuffix(filters)}`;
}
