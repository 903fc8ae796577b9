// The worker side of `pool.ts`: one job at a time, answers as plain data, cancellation read
// from memory shared with the main thread (a busy worker does not see messages until its job
// ends, so a flag it checks per row is how a job learns it was cancelled).
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { SiemError, storeFailure } from '../errors.ts';
import type { JobRequest, JobResponse, PoolWorkerData, WorkerError } from './protocol.ts';

/** Checks the cancellation flag; call it between units of work (one per row). */
export type CancelCheck = () => void;

export const cancelledError = () =>
  new SiemError({
    code: 'JOB_CANCELLED',
    message: 'the job was cancelled before it finished',
  });

/** Turns a thrown value into its wire form; `extra` adds fields of the pool's own errors. */
export function describeError(err: unknown): WorkerError {
  const e = err as { budgetMs?: unknown; elapsedMs?: unknown };
  if (err instanceof Error && typeof e.budgetMs === 'number') {
    const elapsedMs = typeof e.elapsedMs === 'number' ? e.elapsedMs : undefined;
    return {
      name: err.name,
      message: err.message,
      budgetMs: e.budgetMs,
      ...(elapsedMs === undefined ? {} : { elapsedMs }),
    };
  }
  const known = storeFailure(err);
  if (known) {
    return {
      name: known.name,
      message: known.message,
      code: known.code,
      status: known.status,
      kind: known.kind,
      ...(known.field === undefined ? {} : { field: known.field }),
      ...(known.headers === undefined ? {} : { headers: known.headers }),
    };
  }
  const other = err instanceof Error ? err : new Error(String(err));
  return { name: other.name, message: other.message };
}

/**
 * Serves the pool's jobs on this worker thread with `handle`, which gets the job and a check
 * that throws JOB_CANCELLED once the main thread cancelled it. Returns the pool's worker data.
 */
export function serveJobs<J, R, D extends PoolWorkerData = PoolWorkerData>(
  handle: (job: J, cancelled: CancelCheck, data: D) => R | Promise<R>,
): void {
  const data = workerData as D;
  // Linux keeps a nice value per thread: a lower priority here leaves the event loop thread (which
  // serves shipping and search) first in line for the CPU. Elsewhere this may affect the whole
  // process or be refused; the job runs either way.
  if (data.nice > 0) {
    try {
      setPriority(data.nice);
    } catch {
      // Not permitted here: run at the normal priority.
    }
  }
  const flag = new Int32Array(data.cancel);
  parentPort!.on('message', async (req: JobRequest<J>) => {
    const cancelled: CancelCheck = () => {
      if (Atomics.load(flag, 0) === req.id) throw cancelledError();
    };
    let res: JobResponse<R>;
    try {
      res = { id: req.id, ok: true, result: await handle(req.job, cancelled, data) };
    } catch (err) {
      res = { id: req.id, ok: false, error: describeError(err) };
    }
    parentPort!.postMessage(res);
  });
}
