import type { CommitRunInput, NewGap, NewIncident } from '../store/types.ts';
import { createCommitGroup, type CommitGroup, type HeldRun } from './commit-group.ts';
import { RESULT_INCIDENTS_MAX, type FetchDeps, type FetchRunResult, type PlannedRun } from './types.ts';
import { planFeedRun } from './feed-run.ts';
import { planSearchRun } from './search-run.ts';
import { createSearchReadAhead } from './read-ahead.ts';
import { createFeedDecoder } from './feed-decode/decoder.ts';
import { feedSourceKey, searchSourceKey } from './cursor.ts';

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string } | null;
  return `${e?.code ? `[${e.code}] ` : ''}${e?.message ?? String(err)}`;
}

async function* once(plan: Promise<PlannedRun>): AsyncGenerator<PlannedRun> {
  yield await plan;
}

/**
 * One fetch run: plan (read the SIEM, map, dedupe), then commit incidents + cursor + gaps + run
 * record in one transaction (rule 1). A feed run commits in batches as its response streams
 * (feed-run.ts); each batch's cursor covers only what that batch and the ones before it wrote.
 * A crash anywhere before a commit leaves the cursor before it, so the next run fetches the same
 * events again and the ids make it idempotent. A failed run is recorded (error; what its earlier
 * batches committed stays) and rethrown.
 */
export async function fetchIncidentsOnce(deps: FetchDeps): Promise<FetchRunResult> {
  return (await fetchRun(deps, null))!;
}

/**
 * `fetchIncidentsOnce`, with a fetch loop's commit group (search mode): a full run that may be
 * held joins the group and null is returned (its result comes out when the group commits); any
 * other run commits the held ones with it, in one transaction.
 */
async function fetchRun(deps: FetchDeps, group: CommitGroup | null): Promise<FetchRunResult | null> {
  const startedAt = deps.clock.now();
  const source =
    deps.options.source === 'feed'
      ? feedSourceKey(deps.options.configIds, deps.options)
      : searchSourceKey(deps.options);
  if (deps.options.source === 'feed') group = null;
  let first: PlannedRun | undefined;
  /** The cursor the held runs committed with this one started from. */
  let groupFrom: { cursor: string | null } | null = null;
  let count = 0;
  const kept: NewIncident[] = [];
  const gaps: NewGap[] = [];
  try {
    const parts =
      deps.options.source === 'feed'
        ? planFeedRun(deps, startedAt)
        : once(planSearchRun(group ? { ...deps, store: group.store } : deps, startedAt));
    for await (const plan of parts) {
      first ??= plan;
      const endedAt = deps.clock.now();
      const input: CommitRunInput = {
        source: plan.source,
        incidents: plan.incidents,
        cursorBefore: plan.cursorBefore,
        cursorAfter: plan.cursorAfter,
        gaps: plan.gaps,
        now: endedAt,
        insertedBefore: count,
        run: plan.final
          ? {
              source: plan.source,
              startedAt,
              endedAt,
              count: plan.incidents.length,
              cursorBefore: first.cursorBefore,
              cursorAfter: plan.cursorAfter,
              error: null,
              lagMs: plan.lagMs,
              full: plan.full,
            }
          : undefined,
      };
      const result = {
        source: plan.source,
        startedAt,
        endedAt,
        cursorBefore: first.cursorBefore,
        cursorAfter: plan.cursorAfter,
        full: plan.full,
        lagMs: plan.lagMs,
        gaps: plan.gaps,
        detail: plan.detail,
      };
      if (group && plan.full && group.canHold(plan.incidents.length, endedAt)) {
        group.hold({ input, result });
        return null;
      }
      const held = group?.take() ?? [];
      if (held.length) groupFrom = { cursor: held[0]!.input.cursorBefore };
      const committed = held.length
        ? await deps.store.commitRuns([...held.map((h) => h.input), input])
        : [await deps.store.commitRun(input)];
      for (const [k, h] of held.entries())
        await report(deps, h.result, committed[k]!.inserted, committed[k]!.runId!);
      const { inserted, runId } = committed.at(-1)!;
      count += inserted.length;
      gaps.push(...plan.gaps);
      for (const i of inserted) if (kept.length < RESULT_INCIDENTS_MAX) kept.push(i);
      if (inserted.length > 0) await deps.onCommit?.(inserted, endedAt);
      if (!plan.final) continue;
      return await report(deps, { ...result, gaps }, kept, runId!, count, false);
    }
    throw new Error('unreachable: a run plan ends with its final part');
  } catch (err) {
    // Runs held before this one failed are sound: committed, unless this failure was theirs.
    if (group?.size) await commitHeld(deps, group).catch(() => {});
    // Cut short by shutdown: nothing more was committed and nothing failed; the next start redoes it.
    if (deps.signal?.aborted) throw err;
    const endedAt = deps.clock.now();
    const error = describe(err);
    const cursorBefore = groupFrom ? groupFrom.cursor : (first?.cursorBefore ?? null);
    const cursorNow = await deps.store.getCursor(source).catch(() => cursorBefore);
    const planned = first !== undefined || groupFrom !== null;
    const runId = await deps.store
      .recordFailedRun({
        source,
        startedAt,
        endedAt,
        count,
        cursorBefore: planned ? cursorBefore : cursorNow,
        cursorAfter: cursorNow,
        error,
        lagMs: null,
        full: false,
      })
      .catch(() => -1);
    deps.onRun?.({
      runId,
      source,
      startedAt,
      endedAt,
      incidents: kept,
      count,
      cursorBefore: planned ? cursorBefore : cursorNow,
      cursorAfter: cursorNow,
      full: false,
      lagMs: null,
      gaps,
      error,
    });
    throw err;
  }
}

/** Commits what the group holds, alone (a failure, or the loop's stop), and reports the runs. */
async function commitHeld(deps: FetchDeps, group: CommitGroup): Promise<void> {
  const held = group.take();
  if (!held.length) return;
  const committed = await deps.store.commitRuns(held.map((h) => h.input));
  for (const [k, h] of held.entries())
    await report(deps, h.result, committed[k]!.inserted, committed[k]!.runId!);
}

/** A committed run: its log line, onCommit (a held run's; a streamed run's came per batch) and onRun. */
async function report(
  deps: FetchDeps,
  run: HeldRun['result'],
  inserted: NewIncident[],
  runId: number,
  count = inserted.length,
  announce = true,
): Promise<FetchRunResult> {
  const result: FetchRunResult = {
    runId,
    ...run,
    incidents: inserted.length > RESULT_INCIDENTS_MAX ? inserted.slice(0, RESULT_INCIDENTS_MAX) : inserted,
    count,
  };
  if (announce && inserted.length > 0) await deps.onCommit?.(inserted, run.endedAt);
  deps.logger.info(
    {
      source: result.source,
      count: result.count,
      full: result.full,
      lagMs: result.lagMs,
      ...run.detail,
    },
    'fetch run committed',
  );
  deps.onRun?.(result);
  return result;
}

/**
 * Runs `fetchIncidentsOnce` every `intervalSeconds` (on the injected clock) until `signal` aborts;
 * at once again after a full run so a backlog drains; after a failure waits with capped
 * exponential backoff (the transport already retried the transient ones). Never throws on a run.
 * A backlog's consecutive full search runs commit in groups (commit-group.ts); what is held when
 * the loop stops is committed before it returns.
 */
export async function runFetchLoop(deps: FetchDeps, signal: AbortSignal): Promise<void> {
  if (!deps.options.enabled) {
    deps.logger.info('incident fetching is disabled');
    return;
  }
  const feedDecoder =
    deps.feedDecoder ?? createFeedDecoder({ logger: deps.logger, threads: deps.options.feedDecodeThread });
  try {
    await loop(
      { ...deps, signal, feedDecoder, readAhead: deps.readAhead ?? createSearchReadAhead() },
      signal,
    );
  } finally {
    if (!deps.feedDecoder) await feedDecoder.close();
  }
}

/** runFetchLoop's runs, with the loop's own read-ahead and feed decoder in `deps`. */
async function loop(deps: FetchDeps, signal: AbortSignal): Promise<void> {
  const group = createCommitGroup(deps.store, deps.clock);
  const intervalMs = deps.options.intervalSeconds * 1000;
  const maxBackoffMs = Math.max(intervalMs, 10 * 60_000);
  let failures = 0;
  while (!signal.aborted) {
    let wait = intervalMs;
    try {
      const r = await fetchRun(deps, group);
      failures = 0;
      if (r === null || r.full) wait = 0;
    } catch (err) {
      if (signal.aborted) break;
      failures++;
      wait = Math.min(intervalMs * 2 ** (failures - 1), maxBackoffMs);
      deps.logger.error({ err, failures, retryInMs: wait }, 'fetch run failed');
    }
    if (wait > 0) {
      try {
        await deps.clock.sleep(wait, signal);
      } catch {
        break;
      }
    } else {
      // Let the rest of the process (API, signals) breathe between back-to-back runs.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  // Stopped between runs of a backlog: what is held is sound, so it is kept.
  await commitHeld(deps, group).catch((err: unknown) =>
    deps.logger.error({ err }, 'held fetch runs not committed at stop; their events are read again'),
  );
}
