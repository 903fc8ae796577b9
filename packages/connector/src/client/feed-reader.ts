import type { FeedContext, FeedEvent } from '@siemlink/contracts';
import type { FeedItem } from './types.ts';
import { ConnectorError, FeedTruncatedError, badResponse } from '../errors.ts';
import { hasAlertEventId } from './endpoints/deps.ts';

/** Same cap as the Elastic Beats Akamai input: a longer line is an error, never buffered on. */
export const DEFAULT_MAX_LINE_BYTES = 10 * 1024 * 1024;

const NEWLINE = 0x0a;

/**
 * Reads an NDJSON feed body incrementally: splits lines across chunks as they arrive, parses
 * each, yields events, then the offset context (the last non-empty line). Memory stays at one
 * line plus one chunk. A body that ends (or fails) before a context line throws
 * `FeedTruncatedError` after the events it had; a line longer than `maxLineBytes` throws
 * FEED_LINE_TOO_LARGE; anything after the context line is a BAD_RESPONSE.
 */
export async function* readFeed(
  body: AsyncIterable<Uint8Array>,
  opts: { maxLineBytes?: number } = {},
): AsyncGenerator<FeedItem> {
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let events = 0;
  let lineNo = 0;
  let context: FeedContext | undefined;

  function* handle(line: Buffer): Generator<FeedItem> {
    lineNo++;
    const text = line.toString('utf8').trim();
    if (text === '') return;
    if (context) throw badResponse('feed', `line ${lineNo} follows the offset context line`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw badResponse('feed', `line ${lineNo} is not JSON`, err);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw badResponse('feed', `line ${lineNo} is not a JSON object`);
    }
    if (isContext(value)) {
      context = value;
      yield { kind: 'context', context: value };
      return;
    }
    // Dedup and incident ids rest on it: events without one would collapse into one incident.
    if (!hasAlertEventId(value)) throw badResponse('feed', `line ${lineNo} has no string alertEventId`);
    events++;
    yield { kind: 'event', event: value as FeedEvent };
  }

  try {
    for await (const raw of body) {
      let chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      for (;;) {
        const nl = chunk.indexOf(NEWLINE);
        if (nl === -1) break;
        const part = chunk.subarray(0, nl);
        if (pendingBytes + part.length > maxLine) throw lineTooLarge(lineNo + 1, maxLine);
        const line = pending.length === 0 ? part : Buffer.concat([...pending, part]);
        pending = [];
        pendingBytes = 0;
        yield* handle(line);
        chunk = chunk.subarray(nl + 1);
      }
      if (chunk.length > 0) {
        pendingBytes += chunk.length;
        if (pendingBytes > maxLine) throw lineTooLarge(lineNo + 1, maxLine);
        // Copy: the undici chunk buffer may be reused once we return to the loop.
        pending.push(Buffer.from(chunk));
      }
    }
  } catch (err) {
    if (err instanceof ConnectorError) throw err;
    throw new FeedTruncatedError(events, err);
  }
  // A last line without '\n' still counts if it is whole (the contract says it ends in one);
  // a partial one is what a cut body looks like.
  if (pendingBytes > 0) {
    try {
      yield* handle(Buffer.concat(pending));
    } catch (err) {
      if (!context && err instanceof ConnectorError && err.code === 'BAD_RESPONSE') {
        throw new FeedTruncatedError(events, err);
      }
      throw err;
    }
  }
  if (!context) throw new FeedTruncatedError(events);
}

/** The context line: `offset` string plus `total` or `limit`, and none of an event's keys. */
export function isContext(v: object): v is FeedContext {
  const o = v as Record<string, unknown>;
  return (
    typeof o.offset === 'string' &&
    (typeof o.total === 'number' || typeof o.limit === 'number') &&
    !('alertEventId' in o) &&
    !('type' in o && 'attackData' in o)
  );
}

function lineTooLarge(lineNo: number, max: number): ConnectorError {
  return new ConnectorError({
    code: 'FEED_LINE_TOO_LARGE',
    kind: 'system',
    message: `feed line ${lineNo} is longer than ${max} bytes`,
  });
}
