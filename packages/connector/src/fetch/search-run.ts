import type { SecurityEvent } from '@siemlink/contracts';
import type { NewIncident } from '../store/types.ts';
import {
  eventDateMs,
  loadSearchCursor,
  searchSourceKey,
  type OverlapCheck,
  type SearchCursor,
} from './cursor.ts';
import { eventToIncident } from './mapping.ts';
import { parseFirstFetch } from './options.ts';
import { checkOverlap } from './search-overlap.ts';
import { searchPages, type SearchPages } from './search-pages.ts';
import type { FetchDeps, PlannedRun } from './types.ts';

/**
 * Plans one search-mode run, reading about what it takes:
 *   1. the overlap `[cursor.eventDate - overlap, cursor.eventDate)`: late-indexed events, taken
 *      first (they are the oldest). The SIEM counts it; it is read only when the count says an
 *      event arrived there that is not stored (search-overlap.ts);
 *   2. the head `[cursor.eventDate, now - buffer]`, oldest first, in pages of what may still be
 *      taken plus the ids already taken at the cursor, dropping those and stored ids, until
 *      `maxFetch` are taken or the range ends. Known events cannot starve progress: paging goes on.
 * The new cursor is the newest eventDate taken plus every id taken at it, and what is now known
 * of the events below it.
 *
 * Known limit (search mode only): an event that becomes searchable more than `overlapMinutes`
 * after the cursor passed its eventDate is never seen, because `events/search` filters on
 * eventDate, not on storage time. Widen the overlap, or use the feed source: the feed is ordered
 * by storage time, so a late-indexed event simply comes later in it.
 */
export async function planSearchRun(deps: FetchDeps, now: number): Promise<PlannedRun> {
  const { options, store, logger } = deps;
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
  const pages = searchPages(deps);

  // 1. Late events in the overlap (none can lie before the first fetch's start).
  const overlapFrom = start.eventDate - Math.round(options.overlapMinutes * 60_000);
  let checked: OverlapCheck = { from: start.eventDate, count: 0 };
  let late: SecurityEvent[] = [];
  let overlap = 'none';
  if (cursor) {
    // Usable only if it covers the whole overlap (not after the overlap was widened, say).
    const prior = cursor.checked && cursor.checked.from <= overlapFrom ? cursor.checked : null;
    const r = await checkOverlap({
      pages,
      store,
      from: overlapFrom,
      to: start.eventDate,
      prior,
      budget: options.maxFetch,
      pageSize: options.searchPageSize,
    });
    ({ late, checked } = r);
    overlap = r.how;
  }

  // 2. What lies after the cursor.
  const head =
    late.length < options.maxFetch && start.eventDate <= toMs
      ? await readHead(deps, pages, start, toMs, options.maxFetch - late.length)
      : { taken: [], stored: [] };

  // Oldest first, whatever order the pages came in.
  const taken = [...late, ...head.taken].sort((a, b) => a.eventDate - b.eventDate);
  const incidents: NewIncident[] = taken.map((e) => eventToIncident(e, logger));
  let next: SearchCursor = { ...start, checked };
  if (head.taken.length > 0) {
    const maxMs = eventDateMs(head.taken[head.taken.length - 1]!.eventDate);
    if (maxMs > start.eventDate) {
      // Every event the head saw below the new cursor is stored or taken now: the checked
      // window grows by them.
      const below = head.stored.filter((ms) => ms < maxMs).length;
      next = {
        v: 1,
        eventDate: maxMs,
        idsAtDate: [],
        checked: { from: checked.from, count: checked.count + below },
      };
    } else {
      next = { v: 1, eventDate: start.eventDate, idsAtDate: [...start.idsAtDate], checked };
    }
    const ids = new Set(next.idsAtDate);
    for (const e of head.taken) if (eventDateMs(e.eventDate) === next.eventDate) ids.add(e.alertEventId);
    next.idsAtDate = [...ids];
  }
  const full = taken.length >= options.maxFetch;
  const newest = taken.length ? eventDateMs(taken[taken.length - 1]!.eventDate) : null;
  return {
    final: true,
    source,
    cursorBefore,
    cursorAfter: JSON.stringify(next),
    incidents,
    gaps: [],
    full,
    // Caught up: we have seen everything up to now - buffer. Behind: up to the newest taken.
    lagMs: full && newest !== null ? now - newest : now - toMs,
    detail: {
      fromMs: start.eventDate,
      toMs,
      overlap,
      late: late.length,
      pages: pages.stats.requests,
      scanned: pages.stats.read,
    },
  };
}

/**
 * Reads `[cursor.eventDate, toMs]` oldest first and takes up to `budget` events not stored and
 * not already taken at the cursor. Returns them, and the eventDate of every event seen that is
 * stored or taken (distinct), for the cursor's checked window.
 */
async function readHead(
  deps: FetchDeps,
  pages: SearchPages,
  cursor: SearchCursor,
  toMs: number,
  budget: number,
): Promise<{ taken: SecurityEvent[]; stored: number[] }> {
  const atCursor = new Set(cursor.idsAtDate);
  const pageSize = Math.min(budget + cursor.idsAtDate.length, deps.options.searchPageSize);
  const taken: SecurityEvent[] = [];
  const stored: number[] = [];
  const seen = new Set<string>();
  for (let pageNumber = 1; taken.length < budget; pageNumber++) {
    const page = await pages.page(cursor.eventDate, toMs, pageNumber, pageSize);
    const known = await deps.store.knownAlertEventIds(page.results.map((e) => e.alertEventId));
    for (const e of page.results) {
      if (seen.has(e.alertEventId)) continue; // shown again: the pages shifted under an insert
      const ms = eventDateMs(e.eventDate);
      const already = known.has(e.alertEventId) || (ms === cursor.eventDate && atCursor.has(e.alertEventId));
      if (!already) {
        if (taken.length >= budget) break;
        taken.push(e);
      }
      seen.add(e.alertEventId);
      stored.push(ms);
    }
    if (page.results.length < pageSize) break;
  }
  return { taken, stored };
}
