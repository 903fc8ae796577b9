import type { SecurityEvent, SecurityEventSearchRequest, Severity, SortField } from '@siemlink/contracts';

/** A validated events search: what `events/search` asks the store for. Times are epoch ms. */
export interface SecurityEventQuery {
  accountId: number;
  /** Case-insensitive match on the rule name; `*` and `?` are wildcards, otherwise a substring. */
  searchTerm?: string;
  severities?: Severity[];
  fromMs?: number;
  toMs?: number;
  includeMuted: boolean;
  sort: { field: SortField; descending: boolean }[];
  pageNumber: number;
  pageSize: number;
}

export interface SecurityEventPage {
  total: number;
  results: SecurityEvent[];
}

/**
 * Request body to query. Seconds become ms rounded to the millisecond the SIEM stores, so a
 * client sending back an `eventDate` it received (XSOAR: `eventDate + 0.1`) matches it exactly
 * despite float error. Without a sort: DATE descending. `fromDate` after `toDate` is an empty
 * range, not an error: XSOAR's Test button sends its import-time `fromDate` with `toDate` =
 * now - 180 s, and expects 200.
 */
export function toSecurityEventQuery(
  accountId: number,
  body: SecurityEventSearchRequest | undefined,
): SecurityEventQuery {
  const filter = body?.filter ?? {};
  const fromMs =
    filter.timeRange?.fromDate === undefined ? undefined : Math.round(filter.timeRange.fromDate * 1000);
  const toMs =
    filter.timeRange?.toDate === undefined ? undefined : Math.round(filter.timeRange.toDate * 1000);
  const sort = (body?.sort ?? [])
    .filter((s): s is { field: SortField; descending?: boolean } => s.field !== undefined)
    .map((s) => ({ field: s.field, descending: s.descending ?? true }));
  const term = filter.searchTerm?.trim();
  return {
    accountId,
    searchTerm: term ? term : undefined,
    severities: filter.severities?.length ? filter.severities : undefined,
    fromMs,
    toMs,
    includeMuted: filter.includeMutedEvents ?? false,
    sort: sort.length ? sort : [{ field: 'DATE', descending: true }],
    pageNumber: body?.pagination?.pageNumber ?? 1,
    pageSize: body?.pagination?.pageSize ?? 25,
  };
}

/** `Falco` -> `%falco%`; `SSH*brute` -> `%ssh%brute%`; a quoted term is taken literally. */
export function searchTermToLike(term: string): string {
  const unquoted = /^".*"$/.test(term) && term.length >= 2 ? term.slice(1, -1) : term;
  const escaped = unquoted.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  const wild = escaped.replaceAll('*', '%').replaceAll('?', '_');
  return `%${wild}%`;
}
