import type { SecurityEventSearchRequest, SecurityEventSearchResponse } from '@siemlink/contracts';
import type { FetchDeps } from './types.ts';

/** What one run asked the SIEM for: requests made and events they returned. */
export interface SearchStats {
  requests: number;
  /** Events returned by every request (pages and counts), the SIEM's read cost for this run. */
  read: number;
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
  stats: SearchStats;
}

export function searchPages(deps: FetchDeps): SearchPages {
  const { options, client } = deps;
  const stats: SearchStats = { requests: 0, read: 0 };
  const page = async (fromMs: number, toMs: number, pageNumber: number, pageSize: number) => {
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
    const res = await client.searchSecurityEvents(req, { signal: deps.signal });
    stats.requests++;
    stats.read += res.results.length;
    return res;
  };
  return {
    page,
    async count(fromMs, toMs) {
      return (await page(fromMs, toMs, 1, 1)).total;
    },
    stats,
  };
}
