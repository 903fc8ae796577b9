import type { FeedContext, FeedEvent } from '@siemlink/contracts';
import type { FeedItem } from './types.ts';
import { ConnectorError, FeedTruncatedError, badResponse } from '../errors.ts';
import { hasAlertEventId } from './endpoints/deps.ts';

/** Same cap as the Elastic Beats Akamai input: a longer line is an error, never buffered on. */
export const DEFAULT_MAX_LINE_BYTES = 10 * 1024 * 1024;

const NEWLINE = 0x0a;

/** Where a body's reading stands between two chunks: enough to go on in another thread. */
export interface FeedLinesState {
  /** The bytes of a line not ended yet. */
  pending: Uint8Array;
  lineNo: number;
  events: number;
  context: FeedContext | null;
}

/**
 * The synchronous core of reading an NDJSON feed body (readFeed's, and the feed decoder's on its
 * thread): lines split across chunks as they come, each parsed into an event or the offset
 * context (the last non-empty line). Memory stays at one line plus one chunk. A line longer than
 * `maxLineBytes` throws FEED_LINE_TOO_LARGE; a line that is not a JSON object, an event without
 * a string alertEventId, or anything after the context line, BAD_RESPONSE.
 */
export class FeedLines {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lineNo = 0;
  /** Events parsed so far. */
  events = 0;
  context: FeedContext | null = null;

  private readonly maxLine: number;

  constructor(maxLine = DEFAULT_MAX_LINE_BYTES, state?: FeedLinesState) {
    this.maxLine = maxLine;
    if (!state) return;
    if (state.pending.byteLength > 0) {
      this.pending.push(
        Buffer.from(state.pending.buffer, state.pending.byteOffset, state.pending.byteLength),
      );
      this.pendingBytes = state.pending.byteLength;
    }
    this.lineNo = state.lineNo;
    this.events = state.events;
    this.context = state.context;
  }

  /** Every whole line of `raw`, in order, to `out`; a partial last line waits for the next chunk. */
  push(raw: Uint8Array, out: (item: FeedItem) => void): void {
    let chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    for (;;) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) break;
      const part = chunk.subarray(0, nl);
      if (this.pendingBytes + part.length > this.maxLine) throw lineTooLarge(this.lineNo + 1, this.maxLine);
      const line = this.pending.length === 0 ? part : Buffer.concat([...this.pending, part]);
      this.pending = [];
      this.pendingBytes = 0;
      this.line(line, out);
      chunk = chunk.subarray(nl + 1);
    }
    if (chunk.length > 0) {
      this.pendingBytes += chunk.length;
      if (this.pendingBytes > this.maxLine) throw lineTooLarge(this.lineNo + 1, this.maxLine);
      // Copy: the chunk's buffer may be reused once the caller moves on.
      this.pending.push(Buffer.from(chunk));
    }
  }

  /**
   * The body ended cleanly. A last line without '\n' still counts if it is whole (the contract
   * says it ends in one); a partial one is what a cut body looks like, as is no context line at
   * all: both throw FeedTruncatedError.
   */
  end(out: (item: FeedItem) => void): void {
    if (this.pendingBytes > 0) {
      const last = Buffer.concat(this.pending);
      this.pending = [];
      this.pendingBytes = 0;
      try {
        this.line(last, out);
      } catch (err) {
        if (!this.context && err instanceof ConnectorError && err.code === 'BAD_RESPONSE') {
          throw new FeedTruncatedError(this.events, err);
        }
        throw err;
      }
    }
    if (!this.context) throw new FeedTruncatedError(this.events);
  }

  /** Where this body's reading stands (between chunks). */
  state(): FeedLinesState {
    return {
      pending: new Uint8Array(Buffer.concat(this.pending)),
      lineNo: this.lineNo,
      events: this.events,
      context: this.context,
    };
  }

  private line(line: Buffer, out: (item: FeedItem) => void): void {
    const lineNo = ++this.lineNo;
    const text = line.toString('utf8').trim();
    if (text === '') return;
    if (this.context) throw badResponse('feed', `line ${lineNo} follows the offset context line`);
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
      this.context = value;
      out({ kind: 'context', context: value });
      return;
    }
    // Dedup and incident ids rest on it: events without one would collapse into one incident.
    if (!hasAlertEventId(value)) throw badResponse('feed', `line ${lineNo} has no string alertEventId`);
    this.events++;
    out({ kind: 'event', event: value as FeedEvent });
  }
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
