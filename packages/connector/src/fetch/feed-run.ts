import { FEED_LATENCY_SECONDS, FEED_REPLAY_WINDOW_SECONDS, type FeedContext } from '@siemlink/contracts';
import type { FeedRequest } from '../client/types.ts';
import type { NewGap, NewIncident } from '../store/types.ts';
import { feedSourceKey, loadFeedCursor, type FeedCursor } from './cursor.ts';
import { FeedTruncatedError, OffsetExpiredError, OffsetRejectedError } from '../errors.ts';
import type { DecodedBatch } from './feed-decode/batcher.ts';
import { decodedIncident } from './feed-decode/decoded-incident.ts';
import { createFeedDecoder, type FeedSource } from './feed-decode/decoder.ts';
import { parseFirstFetch } from './options.ts';
import type { FetchDeps, PlannedRun } from './types.ts';

/** Keeps a time-mode `from` safely inside the feed's 12-hour replay window. */
export const REPLAY_MARGIN_MS = 60_000;
/** Halvings of `limit` tried on a truncated response before the run gives up (next run retries). */
const MAX_TRUNCATION_RETRIES = 8;

/**
 * Plans one feed-mode run as batches to commit while its one response streams: every
 * `feedCommitEvents` events read, the new incidents among them are yielded (then committed by the
 * caller before the next line is read, so memory stays at one batch whatever the limit), and the
 * last batch comes with the response's offset. The offset is opaque and only the context line
 * (after the last event) carries one, so the cursor a mid-response batch commits keeps the
 * previous offset and moves only its storage-time progress (`lastStoredAt`); a crash mid-response
 * re-reads that response and drops the ids already stored (rules 1, 2).
 *
 * The first run reads in time mode from max(now - firstFetch, now - 12 h + margin). A truncated
 * response is read again from the same position with half the limit (what it had is committed);
 * an expired offset (416), or one the SIEM refuses (400), records a gap and resumes in time mode
 * from the newest storage time already committed, or, when that fell out of the 12-hour replay
 * window, from the oldest time the feed still serves (the gap then says exactly which interval
 * was lost); the gap is committed with the next batch. The panel's maxFetch does not apply: a
 * response of `feedBatchLimit` events that hit its limit makes the run `full`. The feed has no
 * rule-name or severity filter, so those apply here; events they drop are still consumed.
 */
export async function* planFeedRun(deps: FetchDeps, now: number): AsyncGenerator<PlannedRun> {
  const { options, store, logger } = deps;
  const source = feedSourceKey(options.configIds, options);
  const cursorBefore = await store.getCursor(source);
  const cursor = loadFeedCursor(source, cursorBefore);
  const oldestAllowed = now - FEED_REPLAY_WINDOW_SECONDS * 1000 + REPLAY_MARGIN_MS;
  const timeStart = Math.max(now - parseFirstFetch(options.firstFetch), oldestAllowed);
  const configIds = options.configIds.map(String);
  const perCommit = options.feedCommitEvents;
  let lastStoredAt = cursor?.lastStoredAt ?? timeStart;
  let committed = cursorBefore;
  let gaps: NewGap[] = [];
  let pos: Pick<FeedRequest, 'offset' | 'from'> = cursor
    ? { offset: cursor.offset }
    : { from: Math.ceil(timeStart / 1000) };
  let limit = options.feedBatchLimit;
  let truncated = 0;

  // In-process unless the fetch loop or command brought its own (which may use a thread).
  const decoder = deps.feedDecoder ?? createFeedDecoder({ logger, threads: false });
  const batchOptions = {
    perCommit,
    searchTerm: options.searchTerm,
    severities: options.severities,
  };

  /** The batch's incidents not stored yet (the decoder kept the first occurrence of each id). */
  const newIncidents = async (b: DecodedBatch): Promise<NewIncident[]> => {
    if (b.incidents.length === 0) return [];
    const known = await store.knownAlertEventIds(b.incidents.map((e) => e.values[1]));
    for (const [obj, msg] of b.warnings) if (!known.has(obj.alertEventId)) logger.warn(obj, msg);
    const out: NewIncident[] = [];
    for (const e of b.incidents) if (!known.has(e.values[1])) out.push(decodedIncident(e));
    return out;
  };
  /** A mid-response batch; null when it has nothing to commit. */
  const partial = async (b: DecodedBatch): Promise<PlannedRun | null> => {
    const incidents = await newIncidents(b);
    if (incidents.length === 0 && gaps.length === 0) return null;
    // No offset yet on a first run: its batches commit incidents only (a crash restarts it).
    const progress: FeedCursor | null = cursor ? { v: 1, offset: cursor.offset, lastStoredAt } : null;
    const part: PlannedRun = {
      final: false,
      source,
      cursorBefore: committed,
      cursorAfter: progress ? JSON.stringify(progress) : committed,
      incidents,
      gaps,
      full: true,
      lagMs: null,
      detail: {},
    };
    committed = part.cursorAfter;
    gaps = [];
    return part;
  };

  for (;;) {
    deps.signal?.throwIfAborted();
    const request: FeedRequest = { configIds, ...pos, limit };
    let last: DecodedBatch | undefined;
    let events = 0;
    let context: FeedContext | undefined;
    try {
      const { client } = deps;
      const source: FeedSource = client.feedBody
        ? await client.feedBody(request, { signal: deps.signal })
        : { items: client.feed(request, { signal: deps.signal }) };
      const maxLineBytes = 'body' in source ? source.maxLineBytes : undefined;
      for await (const b of decoder.decode(source, { ...batchOptions, maxLineBytes }, deps.signal)) {
        events += b.events;
        if (b.lastStoredAt !== null) lastStoredAt = Math.max(lastStoredAt, b.lastStoredAt);
        if (b.context) {
          // The response's last batch: it goes with the run's record, below.
          context = b.context;
          last = b;
          continue;
        }
        // A truncated body's batch (what arrived whole is real) comes here too, before its error.
        const part = await partial(b);
        // The body is not read while the caller commits: the SIEM waits (backpressure).
        if (part) yield part;
      }
    } catch (err) {
      if (err instanceof FeedTruncatedError) {
        // What arrived whole was committed above: ask again from the same position.
        truncated++;
        if (truncated > MAX_TRUNCATION_RETRIES) throw err;
        const next = Math.max(1, Math.floor(limit / 2));
        logger.warn(
          { ...pos, limit, nextLimit: next, eventsRead: err.eventsRead, attempt: truncated },
          'feed response truncated before its offset line; asking again from the same position',
        );
        limit = next;
        continue;
      }
      // (Only an offset can expire: a 416 in time mode is the SIEM's fault, not a gap.)
      if (err instanceof OffsetExpiredError && pos.offset !== undefined) {
        pos = { from: recordGap(err) };
        continue;
      }
      throw err;
    }
    // The decoder throws on a body without a context line; keep the type checker convinced.
    if (!context || !last) throw new FeedTruncatedError(events);
    const next: FeedCursor = { v: 1, offset: context.offset, lastStoredAt };
    const full = context.limit !== undefined || events >= limit;
    yield {
      final: true,
      source,
      cursorBefore: committed,
      cursorAfter: JSON.stringify(next),
      incidents: await newIncidents(last),
      gaps,
      full,
      lagMs: full ? now - lastStoredAt : FEED_LATENCY_SECONDS * 1000,
      detail: { events, limit, mode: request.offset !== undefined ? 'offset' : 'time' },
    };
    // Caught up: the decoder's thread is not needed until the next backlog.
    if (!full) await deps.feedDecoder?.release();
    return;
  }

  /**
   * An expired (416) or refused (400) offset: resume right after the newest event already
   * committed (time mode is inclusive by second, so a few known events come again and are
   * dropped by id); only what fell out of the replay window is a real gap. Returns the epoch
   * second to resume from.
   */
  function recordGap(err: OffsetExpiredError): number {
    const skipped = lastStoredAt < oldestAllowed;
    const resumeSec = skipped ? Math.ceil(oldestAllowed / 1000) : Math.floor(lastStoredAt / 1000);
    const why =
      err instanceof OffsetRejectedError ? 'offset refused by the SIEM (400)' : 'offset expired (416)';
    const gap: NewGap = {
      source,
      from: lastStoredAt,
      to: Math.max(lastStoredAt, resumeSec * 1000),
      reason: skipped
        ? `${why}: events stored in this interval are past the feed replay window and were not read`
        : `${why}: resumed in time mode from the last event seen; nothing skipped`,
    };
    gaps.push(gap);
    logger.warn(
      { source, lostFrom: pos.offset, resumeFrom: resumeSec, reason: gap.reason },
      'feed offset expired or refused: gap recorded, resuming in time mode',
    );
    return resumeSec;
  }
}
