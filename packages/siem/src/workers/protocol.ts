import type { ErrorKind } from '../errors.ts';

/** Main thread -> worker: one job. */
export interface JobRequest<J> {
  id: number;
  job: J;
}

/** An error as it crosses the thread boundary (classes do not): enough to rebuild it. */
export interface WorkerError {
  name: string;
  message: string;
  /** A budget error (the rule engine's or a search's). */
  budgetMs?: number;
  elapsedMs?: number;
  /** SiemError (a store failure, a bad stored query, a cancelled search). */
  code?: string;
  status?: number;
  kind?: ErrorKind;
  field?: string;
  headers?: Record<string, string>;
}

/** Worker -> main thread: the job's answer. */
export type JobResponse<R> =
  { id: number; ok: true; result: R } | { id: number; ok: false; error: WorkerError };

/** What every pool passes its workers, next to its own data. */
export interface PoolWorkerData {
  /** Nice value of the thread (0 = as the event loop; Linux sets it per thread). */
  nice: number;
  /** Int32Array over a SharedArrayBuffer: the id of the job the main thread cancelled. */
  cancel: SharedArrayBuffer;
}
