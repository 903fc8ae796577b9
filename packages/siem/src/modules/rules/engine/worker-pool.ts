import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Clock } from '../../../clock.ts';
import { isSiemErrorCode, SiemError } from '../../../errors.ts';
import { RuleBudgetExceeded } from './budget.ts';
import type { WindowScanner } from './scanner.ts';
import type { ScanJob, ScanResult } from './window-scan.ts';
import type { ScanRequest, ScanResponse, WorkerError } from './worker-protocol.ts';

export interface ScanPoolOptions {
  /** The SIEM's database file; each worker opens it read-only. */
  dbPath: string;
  /** Worker threads (scans in flight at once). */
  size: number;
  /** Nice value of the worker threads (0 = as the event loop; Linux sets it per thread). */
  nice?: number;
  /** Scans that may wait for a worker; one more is refused (RULE_SCAN_QUEUE_FULL). */
  maxQueue: number;
  /** Each scan's budget: the worker stops itself once the scan used this much of its CPU time
   * (checked per row)... */
  budgetMs: number;
  /** ...and a worker still busy `budgetMs + graceMs` of wall time after the scan started (stuck in
   * one statement, or starved) is terminated. */
  graceMs: number;
  clock: Clock;
  logger: Logger;
  /** The worker script (default: scan-worker.ts). */
  workerUrl?: URL;
}

interface Task {
  job: ScanJob;
  resolve(r: ScanResult): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  id: number;
  startedAt: number;
  /** Aborts the hard-cut timer of the scan in flight. */
  timer: AbortController | null;
}

function rebuild(e: WorkerError): Error {
  if (e.name === 'RuleBudgetExceeded' && e.budgetMs !== undefined) {
    return new RuleBudgetExceeded(e.budgetMs, e.elapsedMs ?? e.budgetMs);
  }
  if (isSiemErrorCode(e.code) && e.status) {
    return new SiemError({
      code: e.code,
      status: e.status,
      message: e.message,
      ...(e.kind ? { kind: e.kind } : {}),
      ...(e.field ? { field: e.field } : {}),
    });
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

const closedError = () =>
  new SiemError({
    code: 'RULE_ENGINE_STOPPING',
    message: 'the rule engine is shutting down; the scan was not run',
  });

/**
 * A bounded pool of worker threads that read rule windows off the event loop. Back-pressure:
 * at most `size` scans run, at most `maxQueue` wait, and the engine never submits more than
 * `concurrency` at once. A scan past its budget is cut: the worker stops itself at the next
 * row once the scan has used `budgetMs` of CPU time, or, stuck in one statement, is terminated
 * `graceMs` of wall time later and replaced. A worker that
 * dies fails only its own scan. Workers start on first use and live until `close`.
 */
export function createScanPool(opts: ScanPoolOptions): WindowScanner {
  const log = opts.logger.child({ component: 'rule-scan-pool' });
  const workerUrl = opts.workerUrl ?? new URL('./scan-worker.ts', import.meta.url);
  const slots: (Slot | null)[] = Array.from({ length: opts.size }, () => null);
  const queue: Task[] = [];
  let nextId = 1;
  let closing = false;
  const idle = new Set<() => void>();

  const settle = (slot: Slot): Task | null => {
    const task = slot.task;
    slot.task = null;
    slot.timer?.abort();
    slot.timer = null;
    return task;
  };

  const spawn = (index: number): Slot => {
    const worker = new Worker(workerUrl, { workerData: { dbPath: opts.dbPath, nice: opts.nice ?? 0 } });
    const slot: Slot = { worker, task: null, id: 0, startedAt: 0, timer: null };
    worker.on('message', (res: ScanResponse) => {
      if (res.id !== slot.id) return; // the answer of a scan already cut
      const task = settle(slot);
      if (!task) return;
      if (res.ok) task.resolve(res.result);
      else task.reject(rebuild(res.error));
      pump();
    });
    const gone = (why: Error) => {
      if (slots[index] !== slot) return;
      slots[index] = null;
      const task = settle(slot);
      if (task) task.reject(why);
      pump();
    };
    worker.on('error', (err) => {
      log.error({ err }, 'rule scan worker failed');
      gone(err);
    });
    worker.on('exit', (code) => gone(new Error(`rule scan worker exited (code ${code})`)));
    slots[index] = slot;
    return slot;
  };

  const cut = (index: number, slot: Slot) => {
    if (slots[index] !== slot || !slot.task) return;
    const elapsed = opts.clock.now() - slot.startedAt;
    const task = settle(slot);
    slots[index] = null;
    log.warn({ ruleId: task?.job.ruleId, elapsedMs: elapsed }, 'rule scan worker terminated past its budget');
    void slot.worker.terminate();
    task?.reject(new RuleBudgetExceeded(opts.budgetMs, elapsed));
    pump();
  };

  const run = (index: number, task: Task) => {
    const slot = slots[index] ?? spawn(index);
    slot.task = task;
    slot.id = nextId++;
    slot.startedAt = opts.clock.now();
    const timer = new AbortController();
    slot.timer = timer;
    opts.clock.sleep(opts.budgetMs + opts.graceMs, timer.signal).then(
      () => cut(index, slot),
      () => {}, // the scan ended first
    );
    const req: ScanRequest = { id: slot.id, job: task.job, budgetMs: opts.budgetMs };
    slot.worker.postMessage(req);
  };

  function pump(): void {
    for (let i = 0; i < slots.length && queue.length > 0; i++) {
      if (slots[i]?.task) continue;
      run(i, queue.shift()!);
    }
    if (queue.length === 0 && slots.every((s) => !s?.task)) {
      for (const done of idle) done();
      idle.clear();
    }
  }

  return {
    concurrency: opts.size,
    scan(job) {
      if (closing) return Promise.reject(closedError());
      if (queue.length >= opts.maxQueue) {
        return Promise.reject(
          new SiemError({
            code: 'RULE_SCAN_QUEUE_FULL',
            message: `the rule engine has ${opts.maxQueue} scans waiting already; the scan was not run`,
          }),
        );
      }
      return new Promise<ScanResult>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        pump();
      });
    },
    async close(mode = 'drain') {
      closing = true;
      if (mode === 'drain' && (queue.length > 0 || slots.some((s) => s?.task))) {
        await new Promise<void>((resolve) => idle.add(resolve));
      }
      for (const task of queue.splice(0)) task.reject(closedError());
      const live = slots.filter((s): s is Slot => s !== null);
      // Emptied first: the 'exit' that terminate() fires then finds no slot to fail twice.
      slots.fill(null);
      for (const slot of live) settle(slot)?.reject(closedError());
      await Promise.all(live.map((s) => s.worker.terminate()));
    },
  };
}
