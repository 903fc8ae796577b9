import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClaimedUnit, Committed, Completion } from '../journal/journal.ts';
import type { Wakeups } from '../journal/ops.ts';
import type { StepRow } from '../journal/rows.ts';
import { executeUnit, type EngineDeps } from './execute.ts';

export interface WorkerOptions {
  /** Lease owner id; default host:pid:random. */
  owner?: string;
  /** How long a claim holds a unit without a heartbeat. Default 30 s. */
  leaseMs?: number;
  /** Units run at once. Default 8. */
  concurrency?: number;
  /**
   * How long an idle worker waits between claims when nobody wakes it. Default 500 ms. New runs,
   * answers and commits wake it (in process; across processes by PostgreSQL NOTIFY): the poll
   * only catches what nobody announces (a wait or a retry backoff coming due, a lost listener).
   */
  pollMs?: number;
  /** How often the watchdog looks for runs past their deadline. Default 5 s. */
  watchdogMs?: number;
  /** Most completions committed in one transaction. Default 64. */
  commitBatch?: number;
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

interface Pending {
  c: Completion;
  resolve(next: StepRow | null): void;
  reject(err: unknown): void;
}

/**
 * A worker: claims due units from the journal under a lease (a batch per claim), runs each
 * (engine/execute.ts) and commits its completion. Completions that end while a commit is being
 * written are committed together in the next transaction (group commit: one fsync for many
 * steps), and a step whose run goes straight on leaves its successor leased to this worker in
 * that same transaction, so a run proceeds without a claim per step. A worker that dies leaves
 * leases that expire: the units are claimed again with the same attempt and idempotency key.
 */
export function createWorker(deps: EngineDeps, opts: WorkerOptions = {}): PlaybookWorker {
  const owner = opts.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = opts.leaseMs ?? 30_000;
  const concurrency = opts.concurrency ?? 8;
  const pollMs = opts.pollMs ?? 500;
  const watchdogMs = opts.watchdogMs ?? 5_000;
  const commitBatch = opts.commitBatch ?? 64;
  const log = deps.logger.child({ component: 'playbook-worker', owner });
  const stop = new AbortController();
  const inflight = new Set<Promise<void>>();
  let kick: (() => void) | null = null;
  let woken = false;
  let loop: Promise<void> | null = null;
  let beats: Promise<void> | null = null;
  let wakeups: Promise<Wakeups | null> | null = null;
  let ran = 0;

  const wake = () => {
    woken = true;
    kick?.();
  };

  // --- group commit ---------------------------------------------------------------------------
  const queue: Pending[] = [];
  let flushing = false;
  let scheduled = false;

  function settle(p: Pending, c: Completion, done: Committed): void {
    if (done.result === 'lost')
      log.debug({ runId: c.runId, stepId: c.stepId, item: c.item }, 'lease lost; not committed');
    opts.onCommitted?.(c, done.result);
    p.resolve(done.next);
  }

  /** One completion alone; when the store refuses its effects, the failure it says instead. */
  async function commitAlone(p: Pending): Promise<void> {
    const chain = stop.signal.aborted ? {} : { chainLeaseMs: leaseMs };
    let c = p.c;
    let done: Committed;
    try {
      done = (await deps.journal.completeMany([c], chain)).committed[0]!;
    } catch (err) {
      if (!c.refused) throw err;
      c = c.refused(err instanceof Error ? err.message : String(err));
      done = (await deps.journal.completeMany([c], chain)).committed[0]!;
    }
    settle(p, c, done);
  }

  async function flush(): Promise<void> {
    flushing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, commitBatch);
        const stopping = stop.signal.aborted;
        let done: Awaited<ReturnType<typeof deps.journal.completeMany>> | null = null;
        try {
          // The slots these completions free are claimed again in the same transaction.
          done = await deps.journal.completeMany(
            batch.map((p) => p.c),
            stopping
              ? {}
              : {
                  chainLeaseMs: leaseMs,
                  claim: { owner, now: deps.clock.now(), leaseMs, free: concurrency - inflight.size },
                },
          );
        } catch {
          // One of them broke the transaction (a refused effect, a deadlock): each on its own.
        }
        if (done) {
          const { committed, claimed } = done;
          batch.forEach((p, i) => settle(p, p.c, committed[i]!));
          for (const u of claimed) launch(u);
        } else {
          for (const p of batch) await commitAlone(p).catch((err: unknown) => p.reject(err));
        }
      }
    } finally {
      flushing = false;
    }
  }

  /**
   * Queues a completion; the commit runs once the event loop has nothing else ready (so every
   * step that ended meanwhile joins it) or, while a commit is being written, right after it.
   * Resolves with the successor leased to this worker, if any.
   */
  function commit(c: Completion): Promise<StepRow | null> {
    return new Promise((resolve, reject) => {
      queue.push({ c, resolve, reject });
      if (flushing || scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        if (!flushing) void flush();
      });
    });
  }

  /** Runs a claimed unit, then its run's following steps as long as they stay with this worker. */
  async function runUnit(first: ClaimedUnit): Promise<void> {
    let u: ClaimedUnit | null = first;
    while (u) {
      const cur: ClaimedUnit = u;
      u = null;
      ran++;
      try {
        const c = await executeUnit(deps, cur, owner, stop.signal);
        if (!c) return;
        const next = await commit(c);
        // A stopping worker gives the successor's lease back with the others (stop()).
        if (next && !stop.signal.aborted) u = { row: next, run: cur.run };
      } catch (err) {
        // The lease expires and the unit is claimed again (same attempt): nothing is lost.
        log.error(
          { err, runId: cur.run.id, stepId: cur.row.stepId, item: cur.row.item },
          'playbook step not committed',
        );
      }
    }
  }

  function launch(u: ClaimedUnit): void {
    const p: Promise<void> = runUnit(u).finally(() => {
      inflight.delete(p);
      wake();
    });
    inflight.add(p);
  }

  /**
   * Claims while there is room; returns when nothing is due and nothing runs (untilQuiet), or
   * (the loop) after one idle wait, so that the watchdog gets its turn.
   */
  async function pump(untilQuiet: boolean): Promise<void> {
    while (!stop.signal.aborted) {
      woken = false;
      let claimed: ClaimedUnit[] = [];
      if (inflight.size < concurrency) {
        claimed = await deps.journal.claim(owner, deps.clock.now(), leaseMs, concurrency - inflight.size);
      }
      for (const u of claimed) launch(u);
      // A unit that ended while we were claiming may have made a row due: claim again first.
      if (claimed.length > 0 || woken) continue;
      if (inflight.size === 0 && untilQuiet) break;
      // Wait for a unit to end, a wake-up or (in the loop) the poll interval.
      let polled = false;
      await new Promise<void>((resolve) => {
        kick = resolve;
        if (!untilQuiet) {
          deps.clock.sleep(pollMs, stop.signal).then(() => {
            polled = true;
            resolve();
          }, resolve);
        }
      });
      kick = null;
      if (polled) return;
    }
  }

  async function watchdog() {
    const r = await deps.journal.watchdog(deps.clock.now());
    if (r.timedOut.length) log.warn({ runs: r.timedOut }, 'playbook runs passed their deadline: timed-out');
    if (r.timedOut.length || r.stepTimeouts) wake();
    return r;
  }

  return {
    owner,
    async drain() {
      const before = ran;
      await pump(true);
      return ran - before;
    },
    wake,
    watchdog,
    start() {
      if (loop) return;
      wakeups = deps.journal.listen(wake).catch((err: unknown) => {
        log.warn({ err }, 'playbook wake-ups unavailable; polling');
        return null;
      });
      loop = (async () => {
        // Listening before the first claim: a run written in between is found by that claim.
        await wakeups;
        let lastWatchdog = -Infinity;
        while (!stop.signal.aborted) {
          try {
            if (deps.clock.now() - lastWatchdog >= watchdogMs) {
              lastWatchdog = deps.clock.now();
              await watchdog();
            }
            await pump(false);
            // Idle for a poll: a lost listening connection is opened again.
            await (await wakeups)?.ensure();
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
      await (await wakeups)?.close();
      await deps.journal.release(owner, deps.clock.now()).catch(() => 0);
    },
  };
}
