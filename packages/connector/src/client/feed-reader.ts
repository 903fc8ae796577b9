import type { FeedItem } from './types.ts';
import { ConnectorError, FeedTruncatedError } from '../errors.ts';
import { DEFAULT_MAX_LINE_BYTES, FeedLines } from './feed-lines.ts';

export { DEFAULT_MAX_LINE_BYTES, isContext } from './feed-lines.ts';

/**
 * Reads an NDJSON feed body incrementally (FeedLines): yields events, then the offset context.
 * A body that ends (or fails) before a context line throws `FeedTruncatedError` after the events
 * it had; a line longer than `maxLineBytes` throws FEED_LINE_TOO_LARGE; anything after the
 * context line is a BAD_RESPONSE.
 */
export async function* readFeed(
  body: AsyncIterable<Uint8Array>,
  opts: { maxLineBytes?: number } = {},
): AsyncGenerator<FeedItem> {
  const lines = new FeedLines(opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  let items: FeedItem[] = [];
  const collect = (item: FeedItem) => items.push(item);
  try {
    for await (const raw of body) {
      lines.push(raw, collect);
      const ready = items;
      items = [];
      yield* ready;
    }
  } catch (err) {
    // The lines before the one that failed were whole: they come first, as they were read.
    yield* items;
    if (err instanceof ConnectorError) throw err;
    throw new FeedTruncatedError(lines.events, err);
  }
  try {
    lines.end(collect);
  } finally {
    yield* items;
  }
}
