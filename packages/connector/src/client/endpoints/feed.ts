import type { CallOptions, FeedBody, FeedItem, FeedRequest } from '../types.ts';
import { HttpError, OffsetExpiredError, OffsetRejectedError, configError } from '../../errors.ts';
import { readFeed } from '../feed-reader.ts';
import type { EndpointDeps } from './deps.ts';

/**
 * `GET /siem/v1/configs/{ids}` (Security token), streamed: events as they arrive, then the
 * context. 416 -> `OffsetExpiredError`; a 400 naming the offset -> `OffsetRejectedError`; a cut body -> `FeedTruncatedError` (see readFeed).
 */
export async function* feed(
  deps: EndpointDeps,
  req: FeedRequest,
  opts: CallOptions & { maxLineBytes?: number } = {},
): AsyncGenerator<FeedItem> {
  const { body, maxLineBytes } = await feedBody(deps, req, opts);
  yield* readFeed(body, { maxLineBytes });
}

/** The same request, its body as it streams, unparsed (the feed decoder parses it). */
export async function feedBody(
  deps: EndpointDeps,
  req: FeedRequest,
  opts: CallOptions & { maxLineBytes?: number } = {},
): Promise<FeedBody> {
  const ids = req.configIds.map((id) => String(id).trim()).filter(Boolean);
  if (ids.length === 0) throw configError('configIds', 'at least one security configuration id is needed');
  if (req.offset !== undefined && (req.from !== undefined || req.to !== undefined)) {
    throw configError('offset', 'give an offset or a from/to time range, not both');
  }
  if (req.offset === undefined && req.from === undefined) {
    throw configError('offset', 'give an offset or a from time (epoch seconds)');
  }
  const token = deps.tokens.get('security', 'reading the security-event feed');
  let res;
  try {
    res = await deps.transport.stream({
      method: 'GET',
      path: `/siem/v1/configs/${ids.map(encodeURIComponent).join(';')}`,
      query: { offset: req.offset, from: req.from, to: req.to, limit: req.limit },
      token,
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof HttpError && err.status === 416) throw new OffsetExpiredError(req.offset, err.message);
    if (
      err instanceof HttpError &&
      err.status === 400 &&
      req.offset !== undefined &&
      err.field === 'offset'
    ) {
      throw new OffsetRejectedError(req.offset, err.message);
    }
    throw err;
  }
  return { body: res.body, maxLineBytes: opts.maxLineBytes };
}
