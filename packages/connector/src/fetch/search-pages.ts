import type { SecurityEventSearchRequest, SecurityEventSearchResponse } from '@siemlink/contracts';
import { searchFilterKey } from './read-ahead.ts';
import type { FetchDeps } from './types.ts';

/** What one run asked the SIEM for: requests made and events they returned. */
export interface SearchStats {
  requests: number;
  /** Events returned by every request (pages and counts), the SIEM's read cost for this run. */
  read: number;
  /** Pages this run took from the previous run's read-ahead (counted in `requests` too). */
  readAhead: number;
}

/** `events/search` over an inclusive eventDate range (epoch ms), with the run's filters, oldest first. */
export interface SearchPages {
  page(
    fromMs: number,
    toMs: number,
    pageNumber: number,
    pageSize: number,
  ): Promise<SecurityEventSearchResponse>;
  /** How many events match in the range (`total` of a one-event page). */
  count(fromMs: number, toMs: number): Promise<number>;
  /**
   * The `toDate` a run starting at `fromMs` should use: the pending read-ahead's when it starts
   * there with these filters and is not later than `toMs` (the run then reads as if started
   * when it was asked), else `toMs`.
   */
  adoptToMs(fromMs: number, toMs: number): number;
  /** Asks for a page the next run will want (deps.readAhead); a no-op without one. */
  readAhead(fromMs: number, toMs: number, pageNumber: number, pageSize: number): void;
  stats: SearchStats;
}

export function searchPages(deps: FetchDeps): SearchPages {
  const { options, client } = deps;
  const stats: SearchStats = { requests: 0, read: 0, readAhead: 0 };
  const request = (
    fromMs: number,
    toMs: number,
    pageNumber: number,
    pageSize: number,
  ): SecurityEventSearchRequest => ({
    filter: {
      timeRange: { fromDate: fromMs / 1000, toDate: toMs / 1000 },
      ...(options.searchTerm ? { searchTerm: options.searchTerm } : {}),
      ...(options.severities?.length ? { severities: options.severities } : {}),
    },
    sort: [{ field: 'DATE', descending: false }],
    pagination: { pageNumber, pageSize },
  });
  const filterKey = searchFilterKey(request(0, 0, 1, 1));
  const send = (req: SecurityEventSearchRequest) => client.searchSecurityEvents(req, { signal: deps.signal });
  const page = async (fromMs: number, toMs: number, pageNumber: number, pageSize: number) => {
    deps.signal?.throwIfAborted();
    const req = request(fromMs, toMs, pageNumber, pageSize);
    let res: SecurityEventSearchResponse | null = null;
    const ahead = deps.readAhead?.take(req);
    if (ahead) {
      // A failed read-ahead is asked again (the transport already retried what it could).
      res = await ahead.catch(() => null);
      if (res) stats.readAhead++;
    }
    res ??= await send(req);
    stats.requests++;
    stats.read += res.results.length;
    return res;
  };
  return {
    page,
    async count(fromMs, toMs) {
      return (await page(fromMs, toMs, 1, 1)).total;
    },
    adoptToMs(fromMs, toMs) {
      const ahead = deps.readAhead?.toMsFor(fromMs, filterKey);
      return ahead !== undefined && ahead !== null && ahead <= toMs ? ahead : toMs;
    },
    readAhead(fromMs, toMs, pageNumber, pageSize) {
      const req = request(fromMs, toMs, pageNumber, pageSize);
      deps.readAhead?.start(req, () => send(req));
    },
    stats,
  };
}
