import { Type } from '@sinclair/typebox';
import { FEED_MAX_LIMIT, FEED_REPLAY_WINDOW_SECONDS } from '@siemlink/contracts';
import { configError, OffsetExpiredError, OffsetRejectedError } from '../errors.ts';
import { followFeed } from '../client/feed-follow.ts';
import type { FeedItem } from '../client/types.ts';
import { defineCommand } from './define.ts';
import { parseTimeArg } from './time.ts';

const TimeArg = Type.Union([Type.Number(), Type.String({ minLength: 1 })]);

/** Without --offset or --from the feed is read from this far back. */
export const DEFAULT_LOOKBACK_SECONDS = 5 * 60;

/**
 * `security-events`: the security-event feed, by offset or from/to (times as in search-logs,
 * sent as epoch seconds; `from` must lie within the 12 h replay window). Yields the events and
 * after each response its offset context; with `follow` keeps polling with the last offset
 * every `intervalSeconds` until aborted. A 416 fails with a hint to restart with --from.
 */
export const securityEventsCommand = defineCommand({
  name: 'security-events',
  description: 'read the security-event feed (Security token)',
  args: Type.Object({
    configIds: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'configuration ids' }),
    offset: Type.Optional(Type.String({ minLength: 1 })),
    from: Type.Optional(TimeArg),
    to: Type.Optional(TimeArg),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: FEED_MAX_LIMIT })),
    follow: Type.Boolean({ default: false }),
    intervalSeconds: Type.Number({ minimum: 1, maximum: 3600, default: 10 }),
  }),
  run(args, deps): AsyncIterable<FeedItem> {
    const nowMs = deps.clock.now();
    const sec = (ms: number) => Math.floor(ms / 1000);
    if (args.offset !== undefined && (args.from !== undefined || args.to !== undefined)) {
      throw configError('--offset', 'give --offset or --from/--to, not both', 'INVALID_ARGUMENT');
    }
    if (args.to !== undefined && args.follow) {
      throw configError('--follow', 'cannot follow a bounded range (--to)', 'INVALID_ARGUMENT');
    }
    let from: number | undefined;
    let to: number | undefined;
    if (args.offset === undefined) {
      from =
        args.from !== undefined
          ? sec(parseTimeArg(args.from, nowMs, '--from'))
          : sec(nowMs) - DEFAULT_LOOKBACK_SECONDS;
      if (from < sec(nowMs) - FEED_REPLAY_WINDOW_SECONDS) {
        throw configError(
          '--from',
          'must lie within the last 12 hours (the feed replay window)',
          'INVALID_ARGUMENT',
        );
      }
      if (args.to !== undefined) {
        to = sec(parseTimeArg(args.to, nowMs, '--to'));
        if (to < from) throw configError('--to', 'is before --from', 'INVALID_ARGUMENT');
      }
    }
    const batches = followFeed(
      {
        client: deps.client,
        configIds: args.configIds,
        offset: args.offset,
        from,
        to,
        limit: args.limit,
        follow: args.follow,
        pollIntervalMs: args.intervalSeconds * 1000,
      },
      { clock: deps.clock, logger: deps.logger, signal: deps.signal },
    );
    return (async function* () {
      try {
        for await (const b of batches) {
          for (const event of b.events) yield { kind: 'event', event } as const;
          yield { kind: 'context', context: b.context } as const;
        }
      } catch (err) {
        if (err instanceof OffsetRejectedError) {
          throw new OffsetRejectedError(
            err.offset,
            `${err.message}; the SIEM does not accept this offset for these configuration ids (mistyped, from another feed, or the SIEM's store was recreated): start again with --from`,
          );
        }
        if (err instanceof OffsetExpiredError) {
          throw new OffsetExpiredError(
            err.offset,
            `${err.message}; the offset is older than the 12 h replay window: start again with --from (events in between are lost)`,
          );
        }
        throw err;
      }
    })();
  },
});
