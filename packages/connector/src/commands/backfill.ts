import { Type } from '@sinclair/typebox';
import { Severity, type SecurityEventSearchRequest } from '@siemlink/contracts';
import { configError, type ConnectorErrorCode } from '../errors.ts';
import { eventDateMs } from '../fetch/event-date.ts';
import { eventToIncident } from '../fetch/mapping.ts';
import { BACKFILL_RUN_SOURCE, type Gap, type IncidentStore, type NewFetchRun } from '../store/types.ts';
import { defineCommand, type CommandDeps } from './define.ts';
import { parseTimeArg } from './time.ts';

const TimeArg = Type.Union([Type.Number(), Type.String({ minLength: 1 })]);

/** Widening of a feed gap on each side (see backfillCommand). */
export const BACKFILL_DEFAULT_MARGIN_MINUTES = 10;
/** Largest page `events/search` serves. */
const MAX_PAGE_SIZE = 1000;

export interface BackfillDeps extends CommandDeps {
  store: IncidentStore;
  /** The configured fetch filters: used when the arguments name none. */
  filters?: { searchTerm?: string; severities?: Severity[] };
}

export interface BackfillResult {
  /** The eventDate window searched, inclusive, UTC ISO 8601 (a feed gap's window plus the margin). */
  window: { from: string; to: string };
  gapId: number | null;
  /** Distinct security events the search returned in the window. */
  scanned: number;
  /** Incidents newly written. */
  inserted: number;
  /** Events already stored as incidents (by the live loop or an earlier backfill). */
  alreadyPresent: number;
  /** The fetch_runs record (source `backfill`). */
  runId: number;
  notes: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const invalid = (flag: string, message: string, code: ConnectorErrorCode = 'INVALID_ARGUMENT') =>
  configError(flag, message, code);

interface Window {
  fromMs: number;
  toMs: number;
  gap: Gap | null;
  notes: string[];
}

async function resolveWindow(
  args: { from?: string | number; to?: string | number; gapId?: number; marginMinutes: number },
  deps: BackfillDeps,
  now: number,
): Promise<Window> {
  const notes: string[] = [];
  if (args.gapId !== undefined) {
    if (args.from !== undefined || args.to !== undefined) {
      throw invalid('--gap', 'give --gap or --from/--to, not both');
    }
    const gap = await deps.store.getGap(args.gapId);
    if (!gap) {
      throw invalid(
        '--gap',
        `no recorded gap with id ${args.gapId} (GET /api/health lists them)`,
        'UNKNOWN_GAP',
      );
    }
    let fromMs = Date.parse(gap.from);
    let toMs = Date.parse(gap.to);
    // A feed gap is an interval of storage time; events/search filters on eventDate, which lies a
    // little before it (rule window, indexing). Widen both sides; dedup on id makes that safe.
    if (gap.source.startsWith('feed:')) {
      fromMs -= args.marginMinutes * 60_000;
      toMs = Math.min(now, toMs + args.marginMinutes * 60_000);
      notes.push(
        `feed gap: storage-time window widened by ${args.marginMinutes} min on each side to search by eventDate; events of other security configurations of the account in that window are ingested too`,
      );
    }
    if (gap.backfilledAt !== null) notes.push(`gap ${gap.id} was already backfilled at ${gap.backfilledAt}`);
    return { fromMs, toMs: Math.max(fromMs, toMs), gap, notes };
  }
  if (args.from === undefined) throw invalid('--from', 'is required (or --gap ID)');
  const fromMs = parseTimeArg(args.from, now, '--from');
  const toMs = args.to !== undefined ? parseTimeArg(args.to, now, '--to') : now;
  if (toMs > now) throw invalid('--to', `${iso(toMs)} is in the future (now is ${iso(now)})`);
  if (fromMs >= toMs) throw invalid('--from', `${iso(fromMs)} is not before --to ${iso(toMs)}`);
  return { fromMs, toMs, gap: null, notes };
}

/**
 * `backfill`: ingests the security events of a past window as incidents WITHOUT moving the live
 * cursor, for a recorded gap (`gapId`) or any window an analyst names (`from`/`to`, inclusive,
 * eventDate). It walks `events/search` oldest first and maps each event exactly as fetching does,
 * so the incident id is the same and writing is idempotent (INSERT OR IGNORE): a window overlapping
 * what the live loop already has creates no duplicate. Incidents are written page by page (memory
 * stays bounded; an interrupted backfill simply runs again). The run is recorded in fetch_runs with
 * source `backfill` and, for a gap, the gap is marked backfilled in the same transaction.
 *
 * Feed gaps are intervals of storage time, but the feed cannot replay past 12 h and events/search
 * filters by eventDate, so the window is widened by `marginMinutes` (default 10) on both sides.
 * Paging is keyset-style (restart at the newest eventDate seen, skipping ids already seen there),
 * so events added or expired in the SIEM while it pages cannot shift a page over an unseen event.
 */
export const backfillCommand = defineCommand({
  name: 'backfill',
  description: 'ingest a past window (or a recorded gap) as incidents without moving the live cursor',
  args: Type.Object({
    from: Type.Optional(TimeArg),
    to: Type.Optional(TimeArg),
    gapId: Type.Optional(Type.Integer({ minimum: 1, description: 'id of a recorded gap' })),
    searchTerm: Type.Optional(Type.String({ maxLength: 1000, description: 'filter by rule name' })),
    severities: Type.Optional(Type.Array(Severity, { maxItems: 5, description: 'filter by rule severity' })),
    pageSize: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: MAX_PAGE_SIZE }),
    marginMinutes: Type.Number({
      minimum: 0,
      maximum: 24 * 60,
      default: BACKFILL_DEFAULT_MARGIN_MINUTES,
      description: 'feed gaps: minutes added on each side',
    }),
  }),
  async run(args, deps: BackfillDeps): Promise<BackfillResult> {
    const { store, clock, logger, signal } = deps;
    const startedAt = clock.now();
    const { fromMs, toMs, gap, notes } = await resolveWindow(args, deps, startedAt);
    const searchTerm = args.searchTerm ?? deps.filters?.searchTerm;
    const severities = args.severities ?? deps.filters?.severities;
    const run = (count: number, error: string | null): NewFetchRun => ({
      source: BACKFILL_RUN_SOURCE,
      startedAt,
      endedAt: clock.now(),
      count,
      cursorBefore: null,
      cursorAfter: null,
      error,
      lagMs: null,
      full: false,
    });

    let scanned = 0;
    let inserted = 0;
    try {
      let lower = fromMs;
      let atLower = new Set<string>();
      for (let pageNumber = 1; ;) {
        signal?.throwIfAborted();
        const req: SecurityEventSearchRequest = {
          filter: {
            timeRange: { fromDate: lower / 1000, toDate: toMs / 1000 },
            ...(searchTerm ? { searchTerm } : {}),
            ...(severities?.length ? { severities } : {}),
          },
          sort: [{ field: 'DATE', descending: false }],
          pagination: { pageNumber, pageSize: args.pageSize },
        };
        const page = await deps.client.searchSecurityEvents(req, { signal });
        const fresh = page.results.filter(
          (e) => !(eventDateMs(e.eventDate) === lower && atLower.has(e.alertEventId)),
        );
        scanned += fresh.length;
        const written = await store.insertIncidents(
          fresh.map((e) => eventToIncident(e, logger)),
          clock.now(),
        );
        inserted += written.length;
        deps.progress?.(
          `${scanned} scanned, ${inserted} inserted, at ${page.results.length ? iso(eventDateMs(page.results.at(-1)!.eventDate)) : iso(toMs)}`,
        );
        if (page.results.length < args.pageSize) break;
        const newest = eventDateMs(page.results.at(-1)!.eventDate);
        if (newest > lower) {
          lower = newest;
          pageNumber = 1;
          atLower = new Set(
            page.results.filter((e) => eventDateMs(e.eventDate) === newest).map((e) => e.alertEventId),
          );
        } else {
          // A whole page at one eventDate: page on within it.
          for (const e of page.results) atLower.add(e.alertEventId);
          pageNumber++;
        }
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await store.recordFailedRun(run(inserted, message));
      throw err;
    }
    const runId = await store.recordBackfillRun(run(inserted, null), gap?.id ?? null, clock.now());
    const result: BackfillResult = {
      window: { from: iso(fromMs), to: iso(toMs) },
      gapId: gap?.id ?? null,
      scanned,
      inserted,
      alreadyPresent: scanned - inserted,
      runId,
      notes,
    };
    logger.info({ ...result, notes: undefined }, 'backfill done');
    return result;
  },
});
