import type { FeedPlan } from './params.ts';
import type { FeedScan, FeedSource } from './repository.ts';
import type { OffsetCodec } from './offset.ts';
import { contextLine, createFeedLineWriter } from './lines.ts';

/** Rows read from SQLite per step (one short read, no statement left open between steps). */
export const FEED_CHUNK_ROWS = 250;

/**
 * Text handed to the socket per write. Small enough that each string dies young (a scavenge
 * frees it): multi-MB strings live in V8's large-object space until a full GC, and a 600k-event
 * response then left ~100 MB of dead text resident (issue 10, item 5).
 */
export const FEED_WRITE_CHARS = 64 * 1024;

export interface FeedStreamOptions {
  plan: FeedPlan;
  accountId: number;
  configIds: number[];
  source: FeedSource;
  codec: OffsetCodec;
  /** Called once when the stream ends, fails or is abandoned. */
  onDone?: () => void;
  signal?: AbortSignal;
}

/**
 * The NDJSON body: event lines in storage order, then the offset context line. The scan bounds
 * are fixed before the first row is read, so events committed while streaming are left for the
 * next call. Rows are read chunk by chunk as the socket drains (backpressure comes from the
 * consumer pulling this generator), so memory stays flat whatever the limit.
 */
export async function* feedBody(o: FeedStreamOptions): AsyncGenerator<string> {
  try {
    const { plan, source } = o;
    let scan: FeedScan;
    let endSeq: number;
    if (plan.mode === 'offset') {
      const bound = source.visibleBound(o.accountId, o.configIds, plan.after.seq, plan.cutoffMs);
      scan = { accountId: o.accountId, configIds: o.configIds, afterSeq: plan.after.seq, beforeSeq: bound };
      endSeq = Math.max(plan.after.seq, bound - 1);
    } else {
      const range = source.storedRange(o.accountId, o.configIds, plan.fromMs, plan.toMs);
      scan = {
        accountId: o.accountId,
        configIds: o.configIds,
        afterSeq: range ? range.min - 1 : 0,
        beforeSeq: range ? range.max + 1 : 0,
        stored: { fromMs: plan.fromMs, toMs: plan.toMs },
      };
      endSeq = Math.max(range?.max ?? 0, source.seqStoredBy(o.accountId, plan.toMs));
    }
    const writer = createFeedLineWriter();
    let total = 0;
    let after = scan.afterSeq;
    let lastStoredAt = 0;
    while (total < plan.limit) {
      if (o.signal?.aborted) return;
      const want = Math.min(FEED_CHUNK_ROWS, plan.limit - total);
      const rows = source.chunk(scan, after, want);
      if (rows.length === 0) break;
      let buf = '';
      for (const r of rows) {
        buf += writer.line(r);
        if (buf.length >= FEED_WRITE_CHARS) {
          yield buf;
          buf = '';
        }
      }
      total += rows.length;
      const last = rows[rows.length - 1]!;
      after = last.seq;
      lastStoredAt = last.stored_at;
      if (buf) yield buf;
      if (rows.length < want) break;
    }
    const limitReached = total >= plan.limit;
    // Limit reached: continue right after the last event served. Otherwise the consumer has
    // everything up to the scan's end, caught up to the cutoff (offset) or to `to` (time).
    const position = limitReached
      ? { seq: after, atMs: lastStoredAt }
      : plan.mode === 'offset'
        ? { seq: endSeq, atMs: plan.cutoffMs } // endSeq < the first invisible event
        : { seq: Math.max(endSeq, after), atMs: plan.toMs };
    yield contextLine({
      total,
      offset: o.codec.encode(position, o.configIds),
      ...(limitReached ? { limit: plan.limit } : {}),
    });
  } finally {
    o.onDone?.();
  }
}
