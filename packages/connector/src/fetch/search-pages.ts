import type { SecurityEventSearchRequest, SecurityEventSearchResponse } from '@siemlink/contracts';
import { searchFilterKey } from './read-ahead.ts';
import type { FetchDeps } from './types.ts';

/** What one run asked the SIEM for: requests made and events they returned. */
export interface SearchStats {
  requests: number;
  /** Events returned by every request (pages, counts, read-ahead chunks), the SIEM's read cost for this run. */
  read: number;
  /** Pages this run took from the read-ahead window instead of a request (read-ahead.ts). */
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
  /** The next run starts at `fromMs`: keep reading ahead from there (deps.readAhead); a no-op without one. */
  readAhead(fromMs: number, toMs: number): void;
  /** The run caught up: what was read ahead is dropped, the next run reads anew. */
  caughtUp(): void;
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
    const ahead = await deps.readAhead?.serve({ filterKey, toMs, fromMs, pageNumber, pageSize });
    // What the window's chunks cost the SIEM goes to the run that uses them.
    const cost = deps.readAhead?.takeCost();
    if (cost) {
      stats.requests += cost.requests;
      stats.read += cost.events;
    }
    if (ahead) {
      stats.readAhead++;
      return ahead;
    }
    const res = await send(request(fromMs, toMs, pageNumber, pageSize));
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
    readAhead(fromMs, toMs) {
      deps.readAhead?.prepare({ filterKey, toMs, fromMs, chunk: options.searchPageSize }, (from, size) =>
        send(request(from, toMs, 1, size)),
      );
    },
    caughtUp() {
      deps.readAhead?.drop();
    },
    stats,
  };
}
