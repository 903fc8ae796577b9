import { FEED_LATENCY_SECONDS, FEED_REPLAY_WINDOW_SECONDS, type FeedEvent } from '@siemlink/contracts';
import { followFeed } from '../client/feed-follow.ts';
import type { NewGap, NewIncident } from '../store/types.ts';
import { feedSourceKey, loadFeedCursor, type FeedCursor } from './cursor.ts';
import { ConnectorError } from '../errors.ts';
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
 * Plans one feed-mode run: one feed response from the stored offset (first run: time mode from
 * max(now - firstFetch, now - 12 h + margin)), read through the client's `followFeed`. A truncated
 * response is re-read from the same offset with half the limit; an expired offset (416), or one
 * the SIEM refuses (400), records a gap and resumes in time mode from
 * the newest storage time already committed, or, when that fell out of the 12-hour replay window,
 * from the oldest time the feed still serves (the gap then says exactly which interval was lost). The panel's maxFetch does not apply here: the feed is
 * read in batches of `feedBatchLimit` (documented), and a batch that hit its limit is `full`.
 * The feed has no rule-name or severity filter, so those filters apply here; events they drop are
 * still consumed (the offset moves past them), exactly as the search filter would never return them.
 */
export async function planFeedRun(deps: FetchDeps, now: number): Promise<PlannedRun> {
  const { options, store, logger } = deps;
  const source = feedSourceKey(options.configIds, options);
  const cursorBefore = await store.getCursor(source);
  const cursor = loadFeedCursor(source, cursorBefore);
  const oldestAllowed = now - FEED_REPLAY_WINDOW_SECONDS * 1000 + REPLAY_MARGIN_MS;
  const timeStart = Math.max(now - parseFirstFetch(options.firstFetch), oldestAllowed);
  let lastStoredAt = cursor?.lastStoredAt ?? timeStart;
  const gaps: NewGap[] = [];
  // One complete response per run; followFeed re-reads a truncated one from the same offset with
  // half the limit, and on a 416 asks us where to resume.
  const batches = followFeed(
    {
      client: deps.client,
      configIds: options.configIds,
      ...(cursor ? { offset: cursor.offset } : { from: Math.ceil(timeStart / 1000) }),
      limit: options.feedBatchLimit,
      minLimit: 1,
      maxTruncatedRetries: MAX_TRUNCATION_RETRIES,
      replayMarginSeconds: REPLAY_MARGIN_MS / 1000,
      onGap: (gap) => {
        // Resume right after the newest event already committed (time mode is inclusive by
        // second, so a few known events come again and are dropped by id); only what fell out
        // of the replay window is a real gap.
        const skipped = lastStoredAt < oldestAllowed;
        const resumeSec = skipped ? Math.ceil(oldestAllowed / 1000) : Math.floor(lastStoredAt / 1000);
        const resumeMs = resumeSec * 1000;
        const why = gap.reason === 'rejected' ? 'offset refused by the SIEM (400)' : 'offset expired (416)';
        gaps.push({
          source,
          from: lastStoredAt,
          to: Math.max(lastStoredAt, resumeMs),
          reason: skipped
            ? `${why}: events stored in this interval are past the feed replay window and were not read`
            : `${why}: resumed in time mode from the last event seen; nothing skipped`,
        });
        return resumeSec;
      },
    },
    { clock: deps.clock, logger, signal: deps.signal },
  );
  const first = await batches.next();
  await batches.return(undefined);
  if (first.done)
    throw new ConnectorError({ code: 'FEED_EMPTY', kind: 'system', message: 'feed yielded no response' });
  const response = first.value;
  const limit = response.request.limit ?? options.feedBatchLimit;
  const req = response.request;

  const { events, context } = response;
  const unique = new Map<string, FeedEvent>();
  for (const e of events) {
    lastStoredAt = Math.max(lastStoredAt, Math.round(e.storedAt * 1000));
    if (matchesFilters(deps, e) && !unique.has(e.alertEventId)) unique.set(e.alertEventId, e);
  }
  const known = await store.knownAlertEventIds([...unique.keys()]);
  const incidents: NewIncident[] = [];
  for (const e of unique.values()) if (!known.has(e.alertEventId)) incidents.push(eventToIncident(e, logger));
  const next: FeedCursor = { v: 1, offset: context.offset, lastStoredAt };
  const full = context.limit !== undefined || events.length >= limit;
  return {
    source,
    cursorBefore,
    cursorAfter: JSON.stringify(next),
    incidents,
    gaps,
    full,
    lagMs: full ? now - lastStoredAt : FEED_LATENCY_SECONDS * 1000,
    detail: { events: events.length, limit, mode: req.offset !== undefined ? 'offset' : 'time' },
  };
}
