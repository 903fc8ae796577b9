import type {
  SecurityEvent,
  SecurityEventSearchRequest,
  SecurityEventSearchResponse,
} from '@siemlink/contracts';
import { eventDateMs } from './event-date.ts';

/**
 * What lies after the cursor, read ahead while a backlog drains (search mode, a fetch loop's own):
 * a window of the SIEM's answer to `[fromMs, toMs]` oldest first, asked for in chunks of
 * `searchPageSize` events, one chunk kept in flight. The SIEM answers the next chunk while the
 * store commits, and a run's first page (`maxFetch` plus the ids at its cursor) is a slice of the
 * window instead of a request of its own: a backlog costs the SIEM one request per chunk, not per run.
 *
 * Only a read: a run that takes its first page from the window reads `[cursor, toMs]` as of when
 * the chunk was asked for, so it adopts the window's `toDate` (adoptToMs). A chunk ends partway
 * through the events of its last eventDate; the next one is asked from that eventDate and replaces
 * them, so the window stays exactly the answer oldest first (ties in the SIEM's order). Runs still
 * drop stored ids and the ids at their cursor; a late event behind the window is found by the
 * overlap check, as for any run. A run that caught up drops the window; the next reads anew.
 *
 * One per fetch loop (no singleton); a run without one (`--once`) reads as before.
 */
export interface SearchReadAhead {
  /**
   * After a full run, before its commit: the next run starts at `at.fromMs`. The window is kept
   * when it can answer from there (same filters and toDate), else asked anew from there.
   */
  prepare(at: WindowKey & { fromMs: number; chunk: number }, ask: AskChunk): void;
  /** `toDate` (epoch ms) of the window when a run from `fromMs` with `filterKey`'s filters can use it. */
  toMsFor(fromMs: number, filterKey: string): number | null;
  /** Page 1 of `[fromMs, toMs]`, `pageSize` events, from the window (awaiting its chunk), or null. */
  serve(
    q: WindowKey & { fromMs: number; pageNumber: number; pageSize: number },
  ): Promise<SecurityEventSearchResponse | null>;
  /** Requests and events the window's chunks cost the SIEM since last asked (a run's read cost). */
  takeCost(): { requests: number; events: number };
  /** Forgets the window (a run caught up). */
  drop(): void;
}

export interface WindowKey {
  /** searchFilterKey of the run's requests. */
  filterKey: string;
  toMs: number;
}

/** Asks the SIEM for page 1 of `[fromMs, toDate]`, `pageSize` events. */
export type AskChunk = (fromMs: number, pageSize: number) => Promise<SecurityEventSearchResponse>;

/** The request without its time range: what must match for a run to adopt a window's `toDate`. */
export function searchFilterKey(request: SecurityEventSearchRequest): string {
  const { timeRange: _range, ...rest } = request.filter ?? {};
  return JSON.stringify({ filter: rest, sort: request.sort });
}

interface Window extends WindowKey {
  /** Every event of `[from, toMs]` the chunks returned so far, in the SIEM's order. */
  from: number;
  events: SecurityEvent[];
  /** No event of the range lies after `events`. */
  complete: boolean;
  /** Events after `events` by the last chunk's total. */
  unseen: number;
  /** The last chunk held only its first eventDate: asking on from there cannot move on. */
  stuck: boolean;
  chunk: number;
  ask: AskChunk;
  next: { from: number; answer: Promise<SecurityEventSearchResponse> } | null;
}

/** Index of the first event at or after `ms` (events are oldest first). */
function firstAtOrAfter(events: readonly SecurityEvent[], ms: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (eventDateMs(events[mid]!.eventDate) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createSearchReadAhead(): SearchReadAhead {
  let window: Window | null = null;
  const cost = { requests: 0, events: 0 };

  const askNext = (w: Window, from: number) => {
    const answer = w.ask(from, w.chunk);
    cost.requests++;
    // Counted when it comes, used or not; a failed one is dropped and the run asks itself.
    answer.then(
      (r) => (cost.events += r.results.length),
      () => {},
    );
    w.next = { from, answer };
  };
  /** Keeps a chunk in flight while less than half a chunk is left after `fromMs`. */
  const keepAhead = (w: Window, fromMs: number) => {
    if (w.next || w.complete || w.stuck || w.events.length === 0) return;
    if (w.events.length - firstAtOrAfter(w.events, fromMs) >= w.chunk / 2) return;
    askNext(w, eventDateMs(w.events[w.events.length - 1]!.eventDate));
  };
  const merge = (w: Window, from: number, res: SecurityEventSearchResponse) => {
    w.events = w.events.slice(0, firstAtOrAfter(w.events, from)).concat(res.results);
    w.complete = res.results.length < w.chunk;
    w.unseen = Math.max(0, res.total - res.results.length);
    const last = res.results.at(-1);
    w.stuck = !w.complete && (last === undefined || eventDateMs(last.eventDate) <= from);
  };
  const usable = (w: Window | null, key: WindowKey, fromMs: number): w is Window =>
    w !== null && w.filterKey === key.filterKey && w.toMs === key.toMs && fromMs >= w.from;

  return {
    prepare(at, ask) {
      if (usable(window, at, at.fromMs)) {
        window.ask = ask;
        keepAhead(window, at.fromMs);
        return;
      }
      window = {
        filterKey: at.filterKey,
        toMs: at.toMs,
        from: at.fromMs,
        events: [],
        complete: false,
        unseen: 0,
        stuck: false,
        chunk: at.chunk,
        ask,
        next: null,
      };
      askNext(window, at.fromMs);
    },
    toMsFor(fromMs, filterKey) {
      return window && window.filterKey === filterKey && fromMs >= window.from ? window.toMs : null;
    },
    async serve(q) {
      const w = window;
      if (q.pageNumber !== 1 || !usable(w, q, q.fromMs)) return null;
      for (;;) {
        const at = firstAtOrAfter(w.events, q.fromMs);
        const left = w.events.length - at;
        if (left >= q.pageSize || (w.complete && !w.next)) {
          // What lies before the cursor is never asked for again.
          w.events = w.events.slice(at);
          w.from = q.fromMs;
          keepAhead(w, q.fromMs);
          return {
            total: left + w.unseen,
            results: w.events.slice(0, q.pageSize),
            pagination: { pageNumber: 1, pageSize: q.pageSize },
          };
        }
        if (!w.next) {
          if (w.stuck || w.complete || w.events.length === 0) return null;
          askNext(w, eventDateMs(w.events[w.events.length - 1]!.eventDate));
        }
        const next = w.next!;
        let res: SecurityEventSearchResponse;
        try {
          res = await next.answer;
        } catch {
          if (window === w) window = null;
          return null;
        }
        if (window !== w) return null;
        if (w.next === next) {
          w.next = null;
          merge(w, next.from, res);
        }
      }
    },
    takeCost() {
      const out = { ...cost };
      cost.requests = 0;
      cost.events = 0;
      return out;
    },
    drop() {
      window = null;
    },
  };
}
