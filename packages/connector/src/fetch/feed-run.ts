import {
  FEED_LATENCY_SECONDS,
  FEED_REPLAY_WINDOW_SECONDS,
  type FeedContext,
  type FeedEvent,
} from '@siemlink/contracts';
import type { FeedRequest } from '../client/types.ts';
import type { NewGap, NewIncident } from '../store/types.ts';
import { feedSourceKey, loadFeedCursor, type FeedCursor } from './cursor.ts';
import { FeedTruncatedError, OffsetExpiredError, OffsetRejectedError } from '../errors.ts';
import { eventToIncident } from './mapping.ts';
import { parseFirstFetch } from './options.ts';
import type { FetchDeps, PlannedRun } from './types.ts';

/** Keeps a time-mode `from` safely inside the feed's 12-hour replay window. */
export const REPLAY_MARGIN_MS = 60_000;
/** Halvings of `limit` tried on a truncated response before the run gives up (next run retries). */
const MAX_TRUNCATION_RETRIES = 8;

function matchesFilters(deps: FetchDeps, e: FeedEvent): boolean {
  const { searchTerm, severities } = deps.options;
  if (searchTerm && !e.name.toLowerCase().includes(searchTerm.toLowerCase())) return false;
  if (severities?.length && !severities.includes(e.severity)) return false;
  return true;
}

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

  /** New incidents among `events` (first occurrence of each id, stored ids dropped). */
  const newIncidents = async (events: FeedEvent[]): Promise<NewIncident[]> => {
    const unique = new Map<string, FeedEvent>();
    for (const e of events)
      if (matchesFilters(deps, e) && !unique.has(e.alertEventId)) unique.set(e.alertEventId, e);
    if (unique.size === 0) return [];
    const known = await store.knownAlertEventIds([...unique.keys()]);
    const out: NewIncident[] = [];
    for (const e of unique.values()) if (!known.has(e.alertEventId)) out.push(eventToIncident(e, logger));
    return out;
  };
  /** A mid-response batch; null when it has nothing to commit. */
  const partial = async (events: FeedEvent[]): Promise<PlannedRun | null> => {
    const incidents = await newIncidents(events);
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
    let batch: FeedEvent[] = [];
    let events = 0;
    let context: FeedContext | undefined;
    try {
      for await (const item of deps.client.feed(request, { signal: deps.signal })) {
        if (item.kind === 'context') {
          context = item.context;
          continue;
        }
        const e = item.event;
        events++;
        lastStoredAt = Math.max(lastStoredAt, Math.round(e.storedAt * 1000));
        batch.push(e);
        if (batch.length >= perCommit) {
          const part = await partial(batch);
          batch = [];
          // The body is not read while the caller commits: the SIEM waits (backpressure).
          if (part) yield part;
        }
      }
    } catch (err) {
      if (err instanceof FeedTruncatedError) {
        // What arrived whole is real: commit it, then ask again from the same position.
        const part = await partial(batch);
        if (part) yield part;
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
    // readFeed throws on a body without a context line; keep the type checker convinced.
    if (!context) throw new FeedTruncatedError(events);
    const next: FeedCursor = { v: 1, offset: context.offset, lastStoredAt };
    const full = context.limit !== undefined || events >= limit;
    yield {
      final: true,
      source,
      cursorBefore: committed,
      cursorAfter: JSON.stringify(next),
      incidents: await newIncidents(batch),
      gaps,
      full,
      lagMs: full ? now - lastStoredAt : FEED_LATENCY_SECONDS * 1000,
      detail: { events, limit, mode: request.offset !== undefined ? 'offset' : 'time' },
    };
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
