import type { SecurityEvent } from '@siemlink/contracts';
import type { IncidentStore } from '../store/types.ts';
import type { OverlapCheck } from './cursor.ts';
import type { SearchPages } from './search-pages.ts';

/** A `total` this large may be capped by the SIEM (Elasticsearch stops counting at 10,000). */
export const EXACT_TOTAL_LIMIT = 10_000;

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
  /** What is known of the overlap after this check (every counted event is stored or in `late`). */
  checked: OverlapCheck;
  /** `counted`: the SIEM's count matched, nothing was read; `scanned`: the overlap was read. */
  how: 'counted' | 'scanned';
}

const unchanged = (n: number, prior: OverlapCheck) => n === prior.count && n < EXACT_TOTAL_LIMIT;

/**
 * Looks for late-indexed events below the cursor at a cost that does not grow with the overlap:
 * the SIEM counts the events in the checked window, and only if the count differs from what is
 * known to be stored (something arrived late) is the overlap read, page by page, taking what is
 * not stored yet. The checked window may start below the overlap (the cursor moved since it was
 * counted); it is re-based onto the overlap once it is twice as long: the overlap is counted
 * first, then the whole window, so if the whole window is unchanged, so was the overlap when counted.
 */
export async function checkOverlap(input: OverlapInput): Promise<OverlapResult> {
  const { pages, from, to, prior } = input;
  if (from >= to) return { late: [], checked: { from, count: 0 }, how: 'counted' };
  if (prior) {
    if (prior.from === from || to - prior.from < 2 * (to - from)) {
      if (unchanged(await pages.count(prior.from, to - 1), prior))
        return { late: [], checked: prior, how: 'counted' };
    } else {
      const inOverlap = await pages.count(from, to - 1);
      if (unchanged(await pages.count(prior.from, to - 1), prior))
        return { late: [], checked: { from, count: inOverlap }, how: 'counted' };
    }
  }
  return scanOverlap(input);
}

/**
 * Reads the overlap oldest first, dropping stored ids, taking up to `budget` late events. Every
 * event counted is stored or taken; when the budget runs out the count is partial, so the next
 * run's count differs again and it reads on.
 */
async function scanOverlap(input: OverlapInput): Promise<OverlapResult> {
  const { pages, store, from, to, budget, pageSize } = input;
  const late: SecurityEvent[] = [];
  const seen = new Set<string>();
  const result = (): OverlapResult => ({ late, checked: { from, count: seen.size }, how: 'scanned' });
  for (let pageNumber = 1; ; pageNumber++) {
    const page = await pages.page(from, to - 1, pageNumber, pageSize);
    const known = await store.knownAlertEventIds(page.results.map((e) => e.alertEventId));
    for (const e of page.results) {
      if (seen.has(e.alertEventId)) continue; // shown again: the pages shifted under an insert
      if (!known.has(e.alertEventId)) {
        if (late.length >= budget) return result();
        late.push(e);
      }
      seen.add(e.alertEventId);
    }
    if (page.results.length < pageSize) return result();
  }
}
