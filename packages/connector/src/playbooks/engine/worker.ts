import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClaimedUnit, Completion } from '../journal/journal.ts';
import { executeUnit, type EngineDeps } from './execute.ts';

export interface WorkerOptions {
  /** Lease owner id; default host:pid:random. */
  owner?: string;
  /** How long a claim holds a unit without a heartbeat. Default 30 s. */
  leaseMs?: number;
  /** Units run at once. Default 8. */
  concurrency?: number;
  /** How long an idle worker sleeps between claims when nobody wakes it. Default 500 ms. */
  pollMs?: number;
  /** How often the watchdog looks for runs past their deadline. Default 5 s. */
  watchdogMs?: number;
  /** After each commit (tests, the CLI). */
  onCommitted?: (c: Completion, result: 'ok' | 'lost') => void;
}

export interface PlaybookWorker {
  readonly owner: string;
  /** Claims and runs every due unit until none is due and none runs (tests, `playbooks test`). */
  drain(): Promise<number>;
  /** Runs the claim loop, the heartbeat and the watchdog until stop(). */
  start(): void;
  /** Something became due (a new run, an answer): claim now instead of at the next poll. */
  wake(): void;
  /** Marks runs past their deadline and waiting steps past their timeout. */
  watchdog(): Promise<{ timedOut: string[]; stepTimeouts: number }>;
  /** Stops claiming, lets running units end (or abandons them), gives the leases back. */
  stop(): Promise<void>;
}

/**
 * A worker: claims due units from the journal under a lease, runs each (engine/execute.ts) and
 * commits its completion in one transaction. A worker that dies leaves leases that expire: the
 * units are claimed again with the same attempt and idempotency key.
 */
export function createWorker(deps: EngineDeps, opts: WorkerOptions = {}): PlaybookWorker {
  const owner = opts.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = opts.leaseMs ?? 30_000;
  const concurrency = opts.concurrency ?? 8;
  const pollMs = opts.pollMs ?? 500;
  const watchdogMs = opts.watchdogMs ?? 5_000;
  const log = deps.logger.child({ component: 'playbook-worker', owner });
  const stop = new AbortController();
  const inflight = new Set<Promise<void>>();
  let kick: (() => void) | null = null;
  let woken = false;
  let loop: Promise<void> | null = null;
  let beats: Promise<void> | null = null;

  const wake = () => {
    woken = true;
    kick?.();
  };

  async function commit(c: Completion): Promise<void> {
    let result: 'ok' | 'lost';
    try {
      result = await deps.journal.complete(c);
    } catch (err) {
      if (!c.refused) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      const fallback = c.refused(reason);
      result = await deps.journal.complete(fallback);
      c = fallback;
    }
    if (result === 'lost')
      log.debug({ runId: c.runId, stepId: c.stepId, item: c.item }, 'lease lost; not committed');
    opts.onCommitted?.(c, result);
  }

  async function runUnit(u: ClaimedUnit): Promise<void> {
    try {
      const c = await executeUnit(deps, u, owner, stop.signal);
      if (c) await commit(c);
    } catch (err) {
      // The lease expires and the unit is claimed again (same attempt): nothing is lost.
      log.error(
        { err, runId: u.run.id, stepId: u.row.stepId, item: u.row.item },
        'playbook step not committed',
      );
    }
  }

  /** Claims while there is room; returns when nothing is due and (untilQuiet) nothing runs. */
  async function pump(untilQuiet: boolean): Promise<number> {
    let ran = 0;
    while (!stop.signal.aborted) {
      woken = false;
      let claimed: ClaimedUnit[] = [];
      if (inflight.size < concurrency) {
        claimed = await deps.journal.claim(owner, deps.clock.now(), leaseMs, concurrency - inflight.size);
      }
      for (const u of claimed) {
        ran++;
        const p: Promise<void> = runUnit(u).finally(() => {
          inflight.delete(p);
          wake();
        });
        inflight.add(p);
      }
      // A unit that ended while we were claiming may have made a row due: claim again first.
      if (claimed.length > 0 || woken) continue;
      if (inflight.size === 0 && untilQuiet) break;
      // Wait for a unit to end, a wake-up or (in the loop) the poll interval.
      await new Promise<void>((resolve) => {
        kick = resolve;
        if (!untilQuiet || inflight.size === 0) {
          deps.clock.sleep(pollMs, stop.signal).then(resolve, resolve);
        }
      });
      kick = null;
    }
    return ran;
  }

  async function watchdog() {
    const r = await deps.journal.watchdog(deps.clock.now());
    if (r.timedOut.length) log.warn({ runs: r.timedOut }, 'playbook runs passed their deadline: timed-out');
    if (r.timedOut.length || r.stepTimeouts) wake();
    return r;
  }

  return {
    owner,
    drain: () => pump(true),
    wake,
    watchdog,
    start() {
      if (loop) return;
      loop = (async () => {
        let lastWatchdog = -Infinity;
        while (!stop.signal.aborted) {
          try {
            if (deps.clock.now() - lastWatchdog >= watchdogMs) {
              lastWatchdog = deps.clock.now();
              await watchdog();
            }
            await pump(false);
          } catch (err) {
            if (stop.signal.aborted) break;
            log.error({ err }, 'playbook worker round failed');
            await deps.clock.sleep(pollMs, stop.signal).catch(() => {});
          }
        }
      })();
      beats = (async () => {
        while (!stop.signal.aborted) {
          await deps.clock.sleep(Math.max(1, Math.floor(leaseMs / 3)), stop.signal).catch(() => {});
          if (stop.signal.aborted) break;
          if (inflight.size > 0) {
            await deps.journal.heartbeat(owner, deps.clock.now(), leaseMs).catch((err: unknown) => {
              log.warn({ err }, 'playbook lease heartbeat failed');
            });
          }
        }
      })();
    },
    async stop() {
      if (stop.signal.aborted) return;
      stop.abort(new Error('playbook worker stopping'));
      kick?.();
      await Promise.allSettled([loop, beats, ...inflight]);
      await deps.journal.release(owner, deps.clock.now()).catch(() => 0);
    },
  };
}
