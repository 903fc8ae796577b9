import type { SecurityEvent } from '@siemlink/contracts';
import type { IncidentStore } from '../store/types.ts';
import type { OverlapCheck } from './cursor.ts';
import type { SearchPages } from './search-pages.ts';

/** A `total` this large may be capped by the SIEM (Elasticsearch stops counting at 10,000). */
export const EXACT_TOTAL_LIMIT = 10_000;
/**
 * A checked window at least twice the overlap is re-based onto the overlap (two counts instead
 * of one) once it holds this many events or spans this long: its count stays cheap and exact,
 * and a backlog drain re-bases every thousand events, not every other run.
 */
export const REBASE_EVENTS = 1000;
export const REBASE_SPAN_MS = 6 * 3600_000;

export interface OverlapInput {
  pages: SearchPages;
  store: IncidentStore;
  /** The overlap: `from <= eventDate < to` (epoch ms), i.e. [cursor - overlap, cursor). */
  from: number;
  to: number;
  /** What the cursor knew of the events below it; null when it knows nothing usable. */
  prior: OverlapCheck | null;
  /** How many late events this run may still take. */
  budget: number;
  pageSize: number;
}

export interface OverlapResult {
  /** Events in the overlap not stored yet (late-indexed), oldest first. */
  late: SecurityEvent[];
  /** What is known of the window after this check (every counted event is stored or in `late`). */
  checked: OverlapCheck;
  /** `counted`: the SIEM's count matched, nothing was read; `scanned`: the window was read. */
  how: 'counted' | 'scanned';
  /** Every event below the cursor is now stored or late: false when the budget cut a read short. */
  complete: boolean;
}

const unchanged = (n: number, prior: OverlapCheck) => n === prior.count && n < EXACT_TOTAL_LIMIT;

/**
 * Looks for late-indexed events below the cursor at a cost that does not grow with the overlap:
 * the SIEM counts the events in the checked window, and only if the count differs from what is
 * known to be stored (something arrived late) is the window read, page by page, taking what is
 * not stored yet. The checked window may start below the overlap (the cursor moved since it was
 * counted); it is re-based onto the overlap once it is large: the overlap is counted first, then
 * the whole window, so if the whole window is unchanged, so was the overlap when counted.
 *
 * What is read: from `countedAt - overlap` (an event indexed since the last count that was
 * inside the overlap when it arrived lies there or above) to the cursor; the checked window is
 * re-based onto that start.
 */
export async function checkOverlap(input: OverlapInput): Promise<OverlapResult> {
  const { pages, from, to, prior } = input;
  if (from >= to)
    return { late: [], checked: { from, count: 0, countedAt: to }, how: 'counted', complete: true };
  if (prior) {
    const span = to - prior.from;
    const large = prior.count >= REBASE_EVENTS || span >= REBASE_SPAN_MS;
    if (prior.from === from || span < 2 * (to - from) || !large) {
      if (unchanged(await pages.count(prior.from, to - 1), prior))
        return {
          late: [],
          checked: { from: prior.from, count: prior.count, countedAt: to },
          how: 'counted',
          complete: true,
        };
    } else {
      const inOverlap = await pages.count(from, to - 1);
      if (unchanged(await pages.count(prior.from, to - 1), prior))
        return {
          late: [],
          checked: { from, count: inOverlap, countedAt: to },
          how: 'counted',
          complete: true,
        };
    }
  }
  const countedAt = prior?.countedAt ?? to;
  const scanFrom = prior ? Math.max(prior.from, Math.min(from, countedAt - (to - from))) : from;
  return scanOverlap(input, scanFrom, countedAt);
}

/**
 * Reads `[scanFrom, to)` oldest first, dropping stored ids, taking up to `budget` late events.
 * Every event counted is stored or taken; when the budget runs out the count is partial (and
 * `countedAt` stays where it was), so the next run's count differs again and it reads on.
 */
async function scanOverlap(input: OverlapInput, scanFrom: number, countedAt: number): Promise<OverlapResult> {
  const { pages, store, to, budget, pageSize } = input;
  const late: SecurityEvent[] = [];
  const seen = new Set<string>();
  const result = (complete: boolean): OverlapResult => ({
    late,
    checked: { from: scanFrom, count: seen.size, countedAt: complete ? to : countedAt },
    how: 'scanned',
    complete,
  });
  for (let pageNumber = 1; ; pageNumber++) {
    const page = await pages.page(scanFrom, to - 1, pageNumber, pageSize);
    const known = await store.knownAlertEventIds(page.results.map((e) => e.alertEventId));
    for (const e of page.results) {
      if (seen.has(e.alertEventId)) continue; // shown again: the pages shifted under an insert
      if (!known.has(e.alertEventId)) {
        if (late.length >= budget) return result(false);
        late.push(e);
      }
      seen.add(e.alertEventId);
    }
    if (page.results.length < pageSize) return result(true);
  }
}
