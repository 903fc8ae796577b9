import type { SecurityEventSearchRequest, SecurityEventSearchResponse } from '@siemlink/contracts';

/**
 * The next run's first page, asked for while this run commits (search mode, a backlog draining):
 * the SIEM answers it while the store writes, so a backlog drains at the pace of the slower of the
 * two instead of their sum. Only a read: nothing is taken until the run that asked for exactly
 * this request (same start, filters, page and size) uses it, after reading the committed cursor.
 * A page read a moment early is what a run started a moment earlier would have read, so the run
 * that uses it adopts its `toDate` (rules 1-3 hold as for any run).
 *
 * One per fetch loop (no singleton); a run without one (`--once`) reads as before.
 */
export interface SearchReadAhead {
  /** Asks for `request` now; a pending one is dropped. */
  start(request: SecurityEventSearchRequest, send: () => Promise<SecurityEventSearchResponse>): void;
  /** `toDate` (epoch ms) of the pending request when it starts at `fromMs` with `filterKey`'s filters. */
  toMsFor(fromMs: number, filterKey: string): number | null;
  /** The pending answer when it was asked with exactly `request` (then forgotten), else null. */
  take(request: SecurityEventSearchRequest): Promise<SecurityEventSearchResponse> | null;
}

/** The request without its time range: what must match for a run to adopt a pending `toDate`. */
export function searchFilterKey(request: SecurityEventSearchRequest): string {
  const { timeRange: _range, ...rest } = request.filter ?? {};
  return JSON.stringify({ filter: rest, sort: request.sort });
}

export function createSearchReadAhead(): SearchReadAhead {
  let pending: {
    key: string;
    fromMs: number;
    toMs: number;
    filterKey: string;
    answer: Promise<SecurityEventSearchResponse>;
  } | null = null;
  return {
    start(request, send) {
      const answer = send();
      // Never an unhandled rejection: a failed read-ahead is dropped and the run asks again.
      answer.catch(() => {});
      const range = request.filter?.timeRange;
      pending = {
        key: JSON.stringify(request),
        fromMs: Math.round(Number(range?.fromDate) * 1000),
        toMs: Math.round(Number(range?.toDate) * 1000),
        filterKey: searchFilterKey(request),
        answer,
      };
    },
    toMsFor(fromMs, filterKey) {
      return pending && pending.fromMs === fromMs && pending.filterKey === filterKey ? pending.toMs : null;
    },
    take(request) {
      // Other requests of the run (the overlap's count or pages) go by without dropping it.
      if (!pending || pending.key !== JSON.stringify(request)) return null;
      const { answer } = pending;
      pending = null;
      return answer;
    },
  };
}
