import {
  FEED_DEFAULT_LIMIT,
  FEED_LATENCY_SECONDS,
  FEED_REPLAY_WINDOW_SECONDS,
  type FeedQuery,
} from '@siemlink/contracts';
import { FeedProblem, illegalParameter } from './problem.ts';
import type { FeedPosition, OffsetCodec } from './offset.ts';

/** A validated feed request. All times epoch ms; `cutoffMs` = now - 5 s (nothing newer is served). */
export type FeedPlan =
  | { mode: 'offset'; after: FeedPosition; limit: number; cutoffMs: number }
  | { mode: 'time'; fromMs: number; toMs: number; limit: number; cutoffMs: number };

export interface ResolveOptions {
  nowMs: number;
  codec: OffsetCodec;
  /** The request's configuration ids (an offset is valid only for the set it was issued for). */
  configIds: readonly number[];
  /** Offsets whose position is older than this get 416 (fault injection may shorten it). */
  offsetMaxAgeSeconds: number;
}

/**
 * The mode rules of contract section 7. Offset mode: `offset` [+ `limit`]. Time mode: `from`
 * [+ `to`] [+ `limit`], `from` within the last 12 h and not in the future, `from <= to` when both
 * are given. Anything else is 400 `missing-parameters`. Leniency where the meaning is plain:
 * - `to` later than now - 5 s (its default and maximum) is clamped to it: XSOAR's
 *   `akamai-siem-get-events time_stamp="1 hours"` sends `to` = now.
 * - a `from` inside the last 5 s (or after a clamped `to`) is an empty window, not an error.
 * - fractional epoch seconds are floored to the whole second.
 * - a `from` older than 12 h *without* `to` is clamped to now - 12 h (XSOAR's test button sends
 *   `from=1488816442&limit=1`); with `to` it is refused like Akamai does.
 */
export function resolveFeedPlan(q: FeedQuery, opts: ResolveOptions): FeedPlan {
  const limit = q.limit ?? FEED_DEFAULT_LIMIT;
  const cutoffMs = opts.nowMs - FEED_LATENCY_SECONDS * 1000;
  if (q.offset !== undefined) {
    if (q.from !== undefined || q.to !== undefined) {
      throw illegalParameter(
        q.from !== undefined ? 'from' : 'to',
        'not allowed with offset (offset mode takes offset and limit only)',
      );
    }
    const after = opts.codec.decode(q.offset, opts.configIds);
    if (!after) {
      throw illegalParameter(
        'offset',
        'not a valid offset for these configuration ids; use the offset of the last response for the same ids, or from (time mode)',
      );
    }
    if (after.atMs < opts.nowMs - opts.offsetMaxAgeSeconds * 1000) {
      throw new FeedProblem({
        type: 'offset-too-old',
        detail: `Expired offset parameter in the request: offset is older than ${opts.offsetMaxAgeSeconds} seconds; replay with from (time mode)`,
      });
    }
    return { mode: 'offset', after, limit, cutoffMs };
  }
  if (q.from === undefined) {
    throw illegalParameter(
      q.to === undefined ? 'offset' : 'from',
      'send offset (offset mode) or from (time mode)',
    );
  }
  const nowS = Math.floor(opts.nowMs / 1000);
  let from = Math.floor(q.from);
  const to = q.to === undefined ? undefined : Math.floor(q.to);
  if (from > nowS)
    throw illegalParameter('from', `must not be in the future (epoch seconds; now is ${nowS})`);
  if (to !== undefined && from > to) throw illegalParameter('from', `must not be after to (${to})`);
  const oldest = Math.ceil((opts.nowMs - FEED_REPLAY_WINDOW_SECONDS * 1000) / 1000);
  if (from < oldest) {
    if (to !== undefined) throw illegalParameter('from', `must be within the last 12 hours (>= ${oldest})`);
    from = oldest;
  }
  // `to` is a whole second, inclusive, but never later than the 5-second cutoff.
  const toMs = to === undefined ? cutoffMs : Math.min(to * 1000 + 999, cutoffMs);
  return { mode: 'time', fromMs: from * 1000, toMs, limit, cutoffMs };
}
