import type { Logger } from 'pino';
import {
  FEED_DEFAULT_LIMIT,
  FEED_REPLAY_WINDOW_SECONDS,
  type FeedContext,
  type FeedEvent,
} from '@siemlink/contracts';
import type { Clock } from '../context.ts';
import type { FeedRequest, SiemClient } from './types.ts';
import { FeedTruncatedError, OffsetExpiredError, OffsetRejectedError, configError } from '../errors.ts';

/** An expired offset: events between `lostFrom` and `resumeFrom` may never be read. */
export interface FeedGap {
  configIds: string[];
  /** The offset the server refused (416, or 400 naming it). */
  lostFrom: string | undefined;
  /** Epoch seconds the follower resumes from (time mode): the oldest `from` still allowed. */
  resumeFrom: number;
  /** Epoch seconds (clock time) when the refusal was seen. */
  detectedAt: number;
  /** `expired`: 416. `rejected`: the server refused the offset itself (400), e.g. after a reset. */
  reason: 'expired' | 'rejected';
}

/** One complete feed response: commit `events` and `context.offset` together, or neither. */
export interface FeedBatch {
  events: FeedEvent[];
  context: FeedContext;
  /** The request that produced it (offset/from/to and the limit actually used). */
  request: FeedRequest;
  /** The server had more right away (limit reached): the follower asks again without waiting. */
  more: boolean;
}

export interface FollowFeedOptions {
  client: Pick<SiemClient, 'feed'>;
  configIds: (string | number)[];
  /** Start here (offset mode) ... */
  offset?: string;
  /** ... or at this time (epoch seconds, within the last 12 h) */
  from?: number;
  /** With `from`: a bounded range, read once (no follow). */
  to?: number;
  /** Events per request; halved on each truncated response, restored by doubling after. */
  limit?: number;
  /** Floor of the halving. Default 100. */
  minLimit?: number;
  /** Truncated responses in a row before giving up with FeedTruncatedError. Default 6. */
  maxTruncatedRetries?: number;
  /** Keep polling after catching up. */
  follow?: boolean;
  /** Pause between polls once caught up (follow mode). Default 10 s. */
  pollIntervalMs?: number;
  /**
   * Without it, a 416 throws OffsetExpiredError (a refused offset, 400: OffsetRejectedError, a
   * subclass; the caller records the gap). With it, the gap
   * is reported here first and the follower resumes in time mode from `gap.resumeFrom` (now -
   * 12 h + margin), or from the epoch second `onGap` returns (a caller that knows the storage
   * time it had reached resumes there, so only what left the replay window is lost).
   */
  onGap?: (gap: FeedGap) => number | void | Promise<number | void>;
  /** Seconds kept inside the 12 h replay window when resuming after a 416. Default 300. */
  replayMarginSeconds?: number;
}

/**
 * Reads the feed response after response, yielding each complete one as a batch. A truncated
 * response is never yielded: it is asked again from the same position with half the limit
 * (down to `minLimit`). Retries of 429/5xx/network errors happen in the transport, not here.
 */
export async function* followFeed(
  opts: FollowFeedOptions,
  ctx: { clock: Clock; logger: Logger; signal?: AbortSignal },
): AsyncGenerator<FeedBatch> {
  const configIds = opts.configIds.map(String);
  const requested = opts.limit ?? FEED_DEFAULT_LIMIT;
  const minLimit = Math.min(opts.minLimit ?? 100, requested);
  const maxTruncated = opts.maxTruncatedRetries ?? 6;
  const margin = opts.replayMarginSeconds ?? 300;
  if (opts.to !== undefined && opts.from === undefined) throw configError('to', 'needs from');
  let pos: { offset?: string; from?: number; to?: number } =
    opts.offset !== undefined ? { offset: opts.offset } : { from: opts.from, to: opts.to };
  let limit = requested;
  let truncated = 0;

  for (;;) {
    ctx.signal?.throwIfAborted();
    const request: FeedRequest = { configIds, ...pos, limit };
    const events: FeedEvent[] = [];
    let context: FeedContext | undefined;
    try {
      for await (const item of opts.client.feed(request, { signal: ctx.signal })) {
        if (item.kind === 'event') events.push(item.event);
        else context = item.context;
      }
    } catch (err) {
      if (err instanceof FeedTruncatedError) {
        truncated++;
        if (truncated > maxTruncated) throw err;
        const next = Math.max(minLimit, Math.floor(limit / 2));
        ctx.logger.warn(
          { ...pos, limit, nextLimit: next, eventsDropped: err.eventsRead, attempt: truncated },
          'feed response truncated before its offset line; asking again from the same position',
        );
        limit = next;
        continue;
      }
      if (err instanceof OffsetExpiredError && opts.onGap) {
        const now = Math.floor(ctx.clock.now() / 1000);
        const gap: FeedGap = {
          configIds,
          lostFrom: pos.offset,
          resumeFrom: now - FEED_REPLAY_WINDOW_SECONDS + margin,
          detectedAt: now,
          reason: err instanceof OffsetRejectedError ? 'rejected' : 'expired',
        };
        const chosen = await opts.onGap(gap);
        if (typeof chosen === 'number') gap.resumeFrom = chosen;
        ctx.logger.warn(gap, 'feed offset expired or refused: gap recorded, resuming in time mode');
        pos = { from: gap.resumeFrom };
        continue;
      }
      throw err;
    }
    // readFeed guarantees a context after a clean end; keep the type checker convinced.
    if (!context) throw new FeedTruncatedError(events.length);
    truncated = 0;
    const more = context.limit !== undefined || events.length >= limit;
    yield { events, context, request, more };
    if (limit < requested) limit = Math.min(requested, limit * 2);
    if (pos.to !== undefined) {
      if (more)
        ctx.logger.warn({ ...pos, limit }, 'the time range holds more events than the limit; raise it');
      return;
    }
    pos = { offset: context.offset };
    if (more) continue;
    if (!opts.follow) return;
    await ctx.clock.sleep(opts.pollIntervalMs ?? 10_000, ctx.signal);
  }
}
