import type { SecurityEvent, SecurityEventSearchRequest } from '@siemlink/contracts';
import type { NewIncident } from '../store/types.ts';
import { eventDateMs, loadSearchCursor, searchSourceKey, type SearchCursor } from './cursor.ts';
import { eventToIncident } from './mapping.ts';
import { parseFirstFetch } from './options.ts';
import type { FetchDeps, PlannedRun } from './types.ts';

/**
 * Plans one search-mode run: re-scan `[cursor.eventDate - overlap, now - buffer]` oldest first,
 * page after page, drop ids already stored or already at the cursor, keep the first `maxFetch` new
 * ones. Paging goes as far as needed, so a long run of known events in the overlap cannot starve
 * progress. The new cursor is the newest eventDate taken plus every id taken at it.
 *
 * Known limit (search mode only): an event that becomes searchable more than `overlapMinutes`
 * after the cursor passed its eventDate is never seen, because `events/search` filters on
 * eventDate, not on storage time. Widen the overlap, or use the feed source: the feed is ordered
 * by storage time, so a late-indexed event simply comes later in it. Each run re-scans the
 * overlap, so its cost grows with the number of events in `overlapMinutes` (see bench/backlog.ts).
 */
export async function planSearchRun(deps: FetchDeps, now: number): Promise<PlannedRun> {
  const { options, store, client, logger } = deps;
  const source = searchSourceKey(options);
  const cursorBefore = await store.getCursor(source);
  const cursor = loadSearchCursor(source, cursorBefore);
  const toMs = now - options.bufferMinutes * 60_000;
  // The first-fetch start is the one cursor value taken from the clock (rule 4); pinned below.
  const start: SearchCursor = cursor ?? {
    v: 1,
    eventDate: now - parseFirstFetch(options.firstFetch),
    idsAtDate: [],
  };
  const fromMs = cursor ? cursor.eventDate - options.overlapMinutes * 60_000 : start.eventDate;
  const atCursor = new Set(start.idsAtDate);

  const taken: SecurityEvent[] = [];
  const seen = new Set<string>();
  let pages = 0;
  let scanned = 0;
  if (fromMs <= toMs) {
    const pageSize = options.searchPageSize;
    for (let pageNumber = 1; taken.length < options.maxFetch; pageNumber++) {
      deps.signal?.throwIfAborted();
      const req: SecurityEventSearchRequest = {
        filter: {
          timeRange: { fromDate: fromMs / 1000, toDate: toMs / 1000 },
          ...(options.searchTerm ? { searchTerm: options.searchTerm } : {}),
          ...(options.severities?.length ? { severities: options.severities } : {}),
        },
        sort: [{ field: 'DATE', descending: false }],
        pagination: { pageNumber, pageSize },
      };
      const page = await client.searchSecurityEvents(req, { signal: deps.signal });
      pages++;
      scanned += page.results.length;
      const known = await store.knownAlertEventIds(page.results.map((e) => e.alertEventId));
      for (const e of page.results) {
        if (taken.length >= options.maxFetch) break;
        if (seen.has(e.alertEventId) || known.has(e.alertEventId)) continue;
        seen.add(e.alertEventId);
        const ms = eventDateMs(e.eventDate);
        if (ms === start.eventDate && atCursor.has(e.alertEventId)) continue;
        taken.push(e);
      }
      if (page.results.length < pageSize) break;
    }
  }

  // Oldest first, whatever order the pages came in.
  taken.sort((a, b) => a.eventDate - b.eventDate);
  const incidents: NewIncident[] = taken.map((e) => eventToIncident(e, logger));
  let next: SearchCursor = start;
  if (taken.length > 0) {
    const maxMs = eventDateMs(taken[taken.length - 1]!.eventDate);
    if (maxMs > start.eventDate) {
      next = { v: 1, eventDate: maxMs, idsAtDate: [] };
    } else {
      // A late event below the cursor does not move it; one at the cursor joins its ids.
      next = { v: 1, eventDate: start.eventDate, idsAtDate: [...start.idsAtDate] };
    }
    const ids = new Set(next.idsAtDate);
    for (const e of taken) if (eventDateMs(e.eventDate) === next.eventDate) ids.add(e.alertEventId);
    next.idsAtDate = [...ids];
  }
  const full = taken.length >= options.maxFetch;
  const newest = taken.length ? eventDateMs(taken[taken.length - 1]!.eventDate) : null;
  return {
    source,
    cursorBefore,
    cursorAfter: JSON.stringify(next),
    incidents,
    gaps: [],
    full,
    // Caught up: we have seen everything up to now - buffer. Behind: up to the newest taken.
    lagMs: full && newest !== null ? now - newest : now - toMs,
    detail: { fromMs, toMs, pages, scanned },
  };
}
