import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { isSiemErrorCode, SiemError } from '../errors.ts';
import type { JobRequest, JobResponse, PoolWorkerData, WorkerError } from './protocol.ts';

/** A worker's error as the main thread raises it: a SiemError again when it was one. */
export function rebuildError(e: WorkerError): Error {
  if (isSiemErrorCode(e.code) && e.status) {
    return new SiemError({
      code: e.code,
      status: e.status,
      message: e.message,
      ...(e.kind ? { kind: e.kind } : {}),
      ...(e.field ? { field: e.field } : {}),
      ...(e.headers ? { headers: e.headers } : {}),
    });
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/** The errors a pool answers with, in its owner's words (codes of the rule engine, of search). */
export interface PoolErrors {
  /** `maxQueue` jobs wait already. */
  queueFull(): Error;
  /** The pool is closing or closed, or a cancelled close dropped the job. */
  closed(): Error;
  /** The worker was still busy `hardLimitMs` after the job started, and was terminated. */
  overdue(elapsedMs: number): Error;
  /** An error the worker sent back. */
  rebuild(e: WorkerError): Error;
}

export interface WorkerPoolOptions {
  /** For logs: `rule-scan`, `search`. */
  name: string;
  workerUrl: URL;
  /** Passed to every worker, with the pool's own `nice` and `cancel`. */
  workerData: Record<string, unknown>;
  /** Worker threads (jobs in flight at once). */
  size: number;
  /** Nice value of the worker threads (0 = as the event loop). */
  nice?: number;
  /** Jobs that may wait for a worker; one more is refused (`errors.queueFull`). */
  maxQueue: number;
  /** A worker still busy this long (this clock) after its job started is terminated and replaced. */
  hardLimitMs: number;
  clock: Clock;
  logger: Logger;
  errors: PoolErrors;
}

export interface WorkerPool<J, R> {
  readonly size: number;
  /**
   * Runs `job` on a worker. Aborting `signal` drops a waiting job at once, or tells a running
   * one to stop at its next check (the worker is kept) and rejects with the reason once it has.
   */
  run(job: J, signal?: AbortSignal): Promise<R>;
  /** `drain`: finish the jobs in flight and queued; `cancel`: reject them. Further jobs are refused. */
  close(mode?: 'drain' | 'cancel'): Promise<void>;
}

interface Task<J, R> {
  job: J;
  signal: AbortSignal | undefined;
  resolve(r: R): void;
  reject(err: unknown): void;
  onAbort: (() => void) | null;
}

interface Slot<J, R> {
  worker: Worker;
  cancel: Int32Array;
  task: Task<J, R> | null;
  id: number;
  startedAt: number;
  /** Aborts the hard-limit timer of the job in flight. */
  timer: AbortController | null;
}

/**
 * A bounded pool of worker threads (`serve.ts` on their side), each with its own resources (a
 * read-only database connection). Back-pressure: at most `size` jobs run and `maxQueue` wait;
 * one more is refused at once. A job can be cancelled (its worker stops at the next check and
 * stays), and one stuck past `hardLimitMs` is cut: its worker is terminated and replaced. A
 * worker that dies fails only its own job. Workers start on first use and live until `close`.
 */
export function createWorkerPool<J, R>(opts: WorkerPoolOptions): WorkerPool<J, R> {
  const log = opts.logger.child({ component: `${opts.name}-pool` });
  const slots: (Slot<J, R> | null)[] = Array.from({ length: opts.size }, () => null);
  const queue: Task<J, R>[] = [];
  let nextId = 1;
  let closing = false;
  const idle = new Set<() => void>();

  const settle = (slot: Slot<J, R>): Task<J, R> | null => {
    const task = slot.task;
    slot.task = null;
    slot.timer?.abort();
    slot.timer = null;
    if (task?.onAbort) task.signal?.removeEventListener('abort', task.onAbort);
    return task;
  };

  const spawn = (index: number): Slot<J, R> => {
    const cancel = new SharedArrayBuffer(4);
    const data: PoolWorkerData = { nice: opts.nice ?? 0, cancel };
    const worker = new Worker(opts.workerUrl, { workerData: { ...opts.workerData, ...data } });
    const slot: Slot<J, R> = {
      worker,
      cancel: new Int32Array(cancel),
      task: null,
      id: 0,
      startedAt: 0,
      timer: null,
    };
    worker.on('message', (res: JobResponse<R>) => {
      if (res.id !== slot.id) return; // the answer of a job already cut
      const task = settle(slot);
      if (!task) return;
      if (task.signal?.aborted) task.reject(task.signal.reason);
      else if (res.ok) task.resolve(res.result);
      else task.reject(opts.errors.rebuild(res.error));
      pump();
    });
    const gone = (why: Error) => {
      if (slots[index] !== slot) return;
      slots[index] = null;
      settle(slot)?.reject(why);
      pump();
    };
    worker.on('error', (err) => {
      log.error({ err }, 'worker failed');
      gone(err);
    });
    worker.on('exit', (code) => gone(new Error(`${opts.name} worker exited (code ${code})`)));
    slots[index] = slot;
    return slot;
  };

  const cut = (index: number, slot: Slot<J, R>) => {
    if (slots[index] !== slot || !slot.task) return;
    const elapsed = opts.clock.now() - slot.startedAt;
    const task = settle(slot);
    slots[index] = null;
    log.warn({ elapsedMs: elapsed }, 'worker terminated past its job budget');
    void slot.worker.terminate();
    task?.reject(opts.errors.overdue(elapsed));
    pump();
  };

  const start = (index: number, task: Task<J, R>) => {
    const slot = slots[index] ?? spawn(index);
    slot.task = task;
    slot.id = nextId++;
    slot.startedAt = opts.clock.now();
    const timer = new AbortController();
    slot.timer = timer;
    opts.clock.sleep(opts.hardLimitMs, timer.signal).then(
      () => cut(index, slot),
      () => {}, // the job ended first
    );
    if (task.signal) {
      const id = slot.id;
      // The worker stops at its next check; the caller hears when it has (the worker is free).
      task.onAbort = () => {
        Atomics.store(slot.cancel, 0, id);
        Atomics.notify(slot.cancel, 0);
      };
      task.signal.addEventListener('abort', task.onAbort, { once: true });
    }
    const req: JobRequest<J> = { id: slot.id, job: task.job };
    slot.worker.postMessage(req);
  };

  function pump(): void {
    for (let i = 0; i < slots.length && queue.length > 0; i++) {
      if (slots[i]?.task) continue;
      const task = queue.shift()!;
      if (task.onAbort) task.signal?.removeEventListener('abort', task.onAbort);
      task.onAbort = null;
      start(i, task);
    }
    if (queue.length === 0 && slots.every((s) => !s?.task)) {
      for (const done of idle) done();
      idle.clear();
    }
  }

  return {
    size: opts.size,
    run(job, signal) {
      if (closing) return Promise.reject(opts.errors.closed());
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (queue.length >= opts.maxQueue && slots.every((s) => s?.task))
        return Promise.reject(opts.errors.queueFull());
      return new Promise<R>((resolve, reject) => {
        const task: Task<J, R> = { job, signal, resolve, reject, onAbort: null };
        if (signal) {
          task.onAbort = () => {
            const at = queue.indexOf(task);
            if (at >= 0) queue.splice(at, 1);
            reject(signal.reason);
          };
          signal.addEventListener('abort', task.onAbort, { once: true });
        }
        queue.push(task);
        pump();
      });
    },
    async close(mode = 'drain') {
      closing = true;
      if (mode === 'drain' && (queue.length > 0 || slots.some((s) => s?.task))) {
        await new Promise<void>((resolve) => idle.add(resolve));
      }
      for (const task of queue.splice(0)) task.reject(opts.errors.closed());
      const live = slots.filter((s): s is Slot<J, R> => s !== null);
      // Emptied first: the 'exit' that terminate() fires then finds no slot to fail twice.
      slots.fill(null);
      for (const slot of live) settle(slot)?.reject(opts.errors.closed());
      await Promise.all(live.map((s) => s.worker.terminate()));
    },
  };
}
