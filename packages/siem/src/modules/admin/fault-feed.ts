import type { Faults } from '../../faults.ts';
import type { FeedStreamer } from '../feed/streamer.ts';
import type { FeedStreamOptions } from '../feed/stream.ts';

/** Thrown into the response stream to cut it (fault injection): the socket is destroyed. */
export class FeedCutError extends Error {
  constructor() {
    super('feed response cut before the offset line (fault injection)');
    this.name = 'FeedCutError';
  }
}

/**
 * `body` cut after `cutAfter` event lines, always before the offset line: the last piece a
 * feed body yields is its offset line, so each piece is passed on only once the next one exists.
 */
async function* cut(body: AsyncIterable<string>, cutAfter: number): AsyncGenerator<string> {
  let held: string | undefined;
  let lines = 0;
  for await (const piece of body) {
    if (held !== undefined) {
      const n = held.split('\n').length - 1;
      if (lines + n > cutAfter) {
        const keep = held.split('\n').slice(0, cutAfter - lines);
        if (keep.length > 0) yield keep.join('\n') + '\n';
        throw new FeedCutError();
      }
      lines += n;
      yield held;
    }
    held = piece;
  }
  // `held` is the offset line (or nothing was served): it never reaches the client.
  throw new FeedCutError();
}

/**
 * The fault wrapper around the feed (registered only with `--fault-injection`): with the
 * settings of the calling account, offsets older than `offsetMaxAgeSeconds` are expired (416),
 * and a `feedCutShare` of responses is cut after half their limit of events (at least one),
 * before the offset line, like a connection dropped mid-response.
 */
export function withFeedFaults(inner: FeedStreamer, faults: Faults): FeedStreamer {
  return {
    offsetMaxAgeSeconds: (accountId) => faults.get(accountId).offsetMaxAgeSeconds,
    body(o: FeedStreamOptions) {
      const f = faults.get(o.accountId);
      const body = inner.body(o);
      if (!(f.feedCutShare > 0 && faults.random() < f.feedCutShare)) return body;
      return cut(body, Math.max(1, Math.floor(o.plan.limit / 2)));
    },
  };
}
