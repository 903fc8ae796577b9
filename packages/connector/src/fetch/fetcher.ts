import type { NewGap, NewIncident } from '../store/types.ts';
import { RESULT_INCIDENTS_MAX, type FetchDeps, type FetchRunResult, type PlannedRun } from './types.ts';
import { planFeedRun } from './feed-run.ts';
import { planSearchRun } from './search-run.ts';
import { createSearchReadAhead } from './read-ahead.ts';
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
  const startedAt = deps.clock.now();
  const source =
    deps.options.source === 'feed'
      ? feedSourceKey(deps.options.configIds, deps.options)
      : searchSourceKey(deps.options);
  let first: PlannedRun | undefined;
  let count = 0;
  const kept: NewIncident[] = [];
  const gaps: NewGap[] = [];
  try {
    const parts =
      deps.options.source === 'feed' ? planFeedRun(deps, startedAt) : once(planSearchRun(deps, startedAt));
    for await (const plan of parts) {
      first ??= plan;
      const endedAt = deps.clock.now();
      const { inserted, runId } = await deps.store.commitRun({
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
      });
      count += inserted.length;
      gaps.push(...plan.gaps);
      for (const i of inserted) if (kept.length < RESULT_INCIDENTS_MAX) kept.push(i);
      if (inserted.length > 0) deps.onCommit?.(inserted, endedAt);
      if (!plan.final) continue;
      const result: FetchRunResult = {
        runId: runId!,
        source: plan.source,
        startedAt,
        endedAt,
        incidents: kept,
        count,
        cursorBefore: first.cursorBefore,
        cursorAfter: plan.cursorAfter,
        full: plan.full,
        lagMs: plan.lagMs,
        gaps,
        detail: plan.detail,
      };
      deps.logger.info(
        {
          source: result.source,
          count: result.count,
          full: result.full,
          lagMs: result.lagMs,
          ...plan.detail,
        },
        'fetch run committed',
      );
      deps.onRun?.(result);
      return result;
    }
    throw new Error('unreachable: a run plan ends with its final part');
  } catch (err) {
    // Cut short by shutdown: nothing more was committed and nothing failed; the next start redoes it.
    if (deps.signal?.aborted) throw err;
    const endedAt = deps.clock.now();
    const error = describe(err);
    const cursorBefore = first?.cursorBefore ?? null;
    const cursorNow = await deps.store.getCursor(source).catch(() => cursorBefore);
    const runId = await deps.store
      .recordFailedRun({
        source,
        startedAt,
        endedAt,
        count,
        cursorBefore: first ? cursorBefore : cursorNow,
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
      cursorBefore: first ? cursorBefore : cursorNow,
      cursorAfter: cursorNow,
      full: false,
      lagMs: null,
      gaps,
      error,
    });
    throw err;
  }
}

/**
 * Runs `fetchIncidentsOnce` every `intervalSeconds` (on the injected clock) until `signal` aborts;
 * at once again after a full run so a backlog drains; after a failure waits with capped
 * exponential backoff (the transport already retried the transient ones). Never throws on a run.
 */
export async function runFetchLoop(deps: FetchDeps, signal: AbortSignal): Promise<void> {
  const d: FetchDeps = { ...deps, signal, readAhead: deps.readAhead ?? createSearchReadAhead() };
  if (!deps.options.enabled) {
    deps.logger.info('incident fetching is disabled');
    return;
  }
  const intervalMs = deps.options.intervalSeconds * 1000;
  const maxBackoffMs = Math.max(intervalMs, 10 * 60_000);
  let failures = 0;
  while (!signal.aborted) {
    let wait = intervalMs;
    try {
      const r = await fetchIncidentsOnce(d);
      failures = 0;
      if (r.full) wait = 0;
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
}
