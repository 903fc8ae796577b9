import type { SecurityEvent } from '@siemlink/contracts';
import type { NewIncident } from '../store/types.ts';
import { eventDateMs } from './event-date.ts';
import { loadSearchCursor, searchSourceKey, type OverlapCheck, type SearchCursor } from './cursor.ts';
import { eventToIncident } from './mapping.ts';
import { parseFirstFetch } from './options.ts';
import { checkOverlap, type OverlapResult } from './search-overlap.ts';
import { searchPages, type SearchPages } from './search-pages.ts';
import type { FetchDeps, PlannedRun } from './types.ts';

/**
 * A run whose head fills `maxFetch` (a backlog draining) leaves the overlap count to a later
 * run, at most this many in a row: one request per run instead of two, and a late event still
 * taken within this many runs (a backlog's runs follow each other at once).
 */
export const OVERLAP_COUNT_EVERY = 10;

/**
 * Plans one search-mode run, reading about what it takes:
 *   1. the head `[cursor.eventDate, now - buffer]`, oldest first, in pages of what may still be
 *      taken plus the ids already taken at the cursor, dropping those and stored ids, until
 *      `maxFetch` are taken or the range ends. Known events cannot starve progress: paging goes on;
 *   2. the overlap below the cursor: late-indexed events. The SIEM counts the checked window; it
 *      is read only when the count says an event arrived there that is not stored
 *      (search-overlap.ts). Counted when the head left room (caught up: every run), else every
 *      OVERLAP_COUNT_EVERY-th run, first, its late events taken before the head (they are older).
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
  // The first-fetch start is the one cursor value taken from the clock (rule 4); pinned below.
  const start: SearchCursor = cursor ?? {
    v: 1,
    eventDate: now - parseFirstFetch(options.firstFetch),
    idsAtDate: [],
  };
  const pages = searchPages(deps);
  // Read as of when the previous run asked for this run's first page, if it did (read-ahead.ts).
  const toMs = pages.adoptToMs(start.eventDate, now - options.bufferMinutes * 60_000);

  // Late events in the overlap (none can lie before the first fetch's start). The cursor's
  // window is usable only if it covers the whole overlap (not after the overlap was widened, say).
  const overlapFrom = start.eventDate - Math.round(options.overlapMinutes * 60_000);
  const prior = cursor?.checked && cursor.checked.from <= overlapFrom ? cursor.checked : null;
  const check = (budget: number) =>
    checkOverlap({
      pages,
      store,
      from: overlapFrom,
      to: start.eventDate,
      prior,
      budget,
      pageSize: options.searchPageSize,
    });
  const due = cursor !== null && (!prior || (prior.uncounted ?? 0) + 1 >= OVERLAP_COUNT_EVERY);
  let overlap: OverlapResult | null = due ? await check(options.maxFetch) : null;
  const first = overlap?.late.length ?? 0;

  // What lies after the cursor.
  const head =
    first < options.maxFetch && start.eventDate <= toMs
      ? await readHead(deps, pages, start, toMs, options.maxFetch - first)
      : { taken: [], stored: [] };
  if (cursor && !overlap && head.taken.length < options.maxFetch)
    overlap = await check(options.maxFetch - head.taken.length);
  const late = overlap?.late ?? [];
  const checked: OverlapCheck = overlap
    ? overlap.checked
    : prior
      ? { ...prior, uncounted: (prior.uncounted ?? 0) + 1 }
      : { from: start.eventDate, count: 0, countedAt: start.eventDate };
  // A read cut short by the budget goes on next run, whatever that run's head takes.
  if (overlap && !overlap.complete) checked.uncounted = OVERLAP_COUNT_EVERY;

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
        checked: { ...checked, count: checked.count + below },
      };
    } else {
      next = { v: 1, eventDate: start.eventDate, idsAtDate: [...start.idsAtDate], checked };
    }
    const ids = new Set(next.idsAtDate);
    for (const e of head.taken) if (eventDateMs(e.eventDate) === next.eventDate) ids.add(e.alertEventId);
    next.idsAtDate = [...ids];
  }
  // The head saw every event between the old cursor and the new one: if the window below the old
  // one was confirmed this run (or there was none), the new cursor's window is confirmed up to it.
  if (next.checked && (!cursor || overlap?.complete)) next.checked.countedAt = next.eventDate;
  const full = taken.length >= options.maxFetch;
  const newest = taken.length ? eventDateMs(taken[taken.length - 1]!.eventDate) : null;
  if (full && deps.readAhead) {
    // A backlog: the next run follows at once from the new cursor. Asked before this run's
    // commit takes the thread, so the SIEM works meanwhile.
    pages.readAhead(next.eventDate, toMs);
    await new Promise<void>((resolve) => setImmediate(resolve));
  } else if (!full) pages.caughtUp();
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
      overlap: overlap?.how ?? (cursor ? 'deferred' : 'none'),
      late: late.length,
      pages: pages.stats.requests,
      scanned: pages.stats.read,
      readAhead: pages.stats.readAhead,
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
