import type { Clock } from '../context.ts';
import type { CommitRunInput, IncidentStore } from '../store/types.ts';
import type { FetchRunResult } from './types.ts';

/**
 * A draining backlog's consecutive full search runs are held and committed together, in one
 * transaction with the run that ends the group (store.commitRuns): each run still takes at most
 * `maxFetch` and keeps its own run record, but a commit of 50 incidents cost about as much in
 * WAL pages as one of 1,000 (every random-keyed index leaf it touches is written whole), which
 * made the store, not the SIEM, the pace of a backlog (bench/peers.ts).
 *
 * Rule 1 holds: the cursor moves only with the incidents it covers, in the same transaction.
 * A crash loses the held runs whole, cursor included, and the next run reads their events again.
 * Held runs are planned against `store` below, which answers the held cursor and ids, so a run
 * never takes an event a held run took. Their results (log line, onCommit, onRun) come out when
 * they are durable, not before.
 *
 * Bounds: at most HOLD_INCIDENTS incidents, held at most HOLD_MS (on the fetch clock) when the
 * next run ends; a run that is not full (caught up) commits the group at once, as does a failure
 * or the loop's stop.
 */
export const HOLD_INCIDENTS = 1000;
export const HOLD_MS = 1000;

export interface HeldRun {
  input: CommitRunInput;
  /** The run's result, its runId and count set when committed. */
  result: Omit<FetchRunResult, 'runId' | 'count' | 'incidents'>;
}

export interface CommitGroup {
  /** The store as the next run must plan against it: the held runs' cursor and ids included. */
  readonly store: IncidentStore;
  /** Whether a full run of `count` incidents ending at `now` joins the group instead of committing it. */
  canHold(count: number, now: number): boolean;
  hold(run: HeldRun): void;
  /** The held runs, oldest first; the group is then empty. */
  take(): HeldRun[];
  readonly size: number;
}

export function createCommitGroup(store: IncidentStore, clock: Clock): CommitGroup {
  let held: HeldRun[] = [];
  let incidents = 0;
  let since = 0;
  const ids = new Set<string>();
  const view: IncidentStore = {
    ...store,
    async getCursor(source) {
      for (let k = held.length - 1; k >= 0; k--) {
        const { input } = held[k]!;
        if (input.source === source && input.cursorAfter !== null) return input.cursorAfter;
      }
      return store.getCursor(source);
    },
    async knownAlertEventIds(asked) {
      const known = await store.knownAlertEventIds(asked);
      for (const id of asked) if (ids.has(id)) known.add(id);
      return known;
    },
  };
  return {
    store: view,
    canHold(count, now) {
      return incidents + count <= HOLD_INCIDENTS && (held.length === 0 || now - since < HOLD_MS);
    },
    hold(run) {
      if (held.length === 0) since = clock.now();
      held.push(run);
      incidents += run.input.incidents.length;
      for (const i of run.input.incidents) ids.add(i.alertEventId);
    },
    take() {
      const out = held;
      held = [];
      incidents = 0;
      ids.clear();
      return out;
    },
    get size() {
      return held.length;
    },
  };
}
