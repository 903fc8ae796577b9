import type { ErrorKind } from '../../../errors.ts';
import type { ScanJob, ScanResult } from './window-scan.ts';

/** Main thread -> scan worker. */
export interface ScanRequest {
  id: number;
  job: ScanJob;
  budgetMs: number;
}

/** An error as it crosses the thread boundary (classes do not): enough to rebuild it. */
export interface WorkerError {
  name: string;
  message: string;
  /** RuleBudgetExceeded. */
  budgetMs?: number;
  elapsedMs?: number;
  /** SiemError (a store failure, a bad stored query). */
  code?: string;
  status?: number;
  kind?: ErrorKind;
  field?: string;
}

/** Scan worker -> main thread. */
export type ScanResponse =
  { id: number; ok: true; result: ScanResult } | { id: number; ok: false; error: WorkerError };
