import type {
  EventLogsSearchRequest,
  EventLogsSearchResponse,
  SecurityEvent,
  SecurityEventSearchRequest,
  SecurityEventSearchResponse,
} from '@siemlink/contracts';
import type { CallOptions } from '../types.ts';
import { badResponse, configError } from '../../errors.ts';
import { checkPaged, hasAlertEventId, type EndpointDeps } from './deps.ts';

const EVENTS_PATH = '/v2/security/rules/events/search';
const LOGS_PATH = '/v2/security/rules/events/logs/search';
export const MAX_PAGE_SIZE = 1000;

/** One page of triggered security events (Security token). */
export async function searchSecurityEvents(
  deps: EndpointDeps,
  req: SecurityEventSearchRequest,
  opts: CallOptions = {},
): Promise<SecurityEventSearchResponse> {
  const token = deps.tokens.get('security', 'searching security events');
  const res = await deps.transport.json<unknown>({
    method: 'POST',
    path: EVENTS_PATH,
    body: req,
    token,
    signal: opts.signal,
  });
  const page = checkPaged<SecurityEventSearchResponse>(`POST ${EVENTS_PATH}`, res.data);
  // The id is what dedup, the cursor and the incident id rest on: without it, distinct events
  // would collapse into one and the rest be dropped.
  const bad = page.results.findIndex((e) => !hasAlertEventId(e));
  if (bad >= 0) throw badResponse(`POST ${EVENTS_PATH}`, `results[${bad}] has no string alertEventId`);
  return page;
}

/**
 * Every matching event, page by page, from `req.pagination.pageNumber` (default 1) with
 * `pageSize` (default 1000). Stops at the first page shorter than pageSize (or empty), or once
 * `total` is covered: it never loops on a server that keeps answering.
 */
export async function* iterateSecurityEvents(
  deps: EndpointDeps,
  req: SecurityEventSearchRequest,
  opts: CallOptions = {},
): AsyncGenerator<SecurityEvent> {
  const pageSize = req.pagination?.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw configError('pagination.pageSize', `must be an integer 1..${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  for (let pageNumber = req.pagination?.pageNumber ?? 1; ; pageNumber++) {
    const page = await searchSecurityEvents(deps, { ...req, pagination: { pageNumber, pageSize } }, opts);
    yield* page.results;
    if (page.results.length < pageSize || pageNumber * pageSize >= page.total) return;
  }
}

/** One page of the logs that triggered one event (Security token). */
export async function searchEventLogs(
  deps: EndpointDeps,
  req: EventLogsSearchRequest,
  opts: CallOptions = {},
): Promise<EventLogsSearchResponse> {
  const token = deps.tokens.get('security', 'reading the logs of a security event');
  const res = await deps.transport.json<unknown>({
    method: 'POST',
    path: LOGS_PATH,
    body: { ...req, filter: { alertEventId: String(req.filter.alertEventId) } },
    token,
    signal: opts.signal,
  });
  return checkPaged<EventLogsSearchResponse>(`POST ${LOGS_PATH}`, res.data);
}

/**
 * Up to exactly `size` logs behind `alertEventId`, `pageSize` per request (the page size never
 * exceeds `size`, so a small size is not over-fetched). Stops at a short page or once `total`
 * is covered.
 */
export async function* iterateEventLogs(
  deps: EndpointDeps,
  alertEventId: string,
  size: number,
  pageSize: number,
  opts: CallOptions = {},
): AsyncGenerator<Record<string, unknown>> {
  if (!Number.isInteger(size) || size < 1)
    throw configError('size', `must be a positive integer, got ${size}`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw configError('pageSize', `must be an integer 1..${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  const effective = Math.min(pageSize, size);
  let taken = 0;
  for (let pageNumber = 1; ; pageNumber++) {
    const page = await searchEventLogs(
      deps,
      { filter: { alertEventId }, pagination: { pageNumber, pageSize: effective } },
      opts,
    );
    for (const log of page.results) {
      if (taken >= size) return;
      taken++;
      yield log;
    }
    if (taken >= size || page.results.length < effective || pageNumber * effective >= page.total) return;
  }
}
