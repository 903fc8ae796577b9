import type { Logger } from 'pino';
import type { Clock } from '../../../clock.ts';
import { SiemError } from '../../../errors.ts';
import { RuleBudgetExceeded } from './budget.ts';
import type { WindowScanner } from './scanner.ts';
import type { ScanJob, ScanResult } from './window-scan.ts';
import { createWorkerPool, rebuildError } from '../../../workers/pool.ts';
import type { PoolWorkerData, WorkerError } from '../../../workers/protocol.ts';
import type { ScanWorkerData } from './scan-worker.ts';

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

function rebuild(e: WorkerError): Error {
  if (e.name === 'RuleBudgetExceeded' && e.budgetMs !== undefined) {
    return new RuleBudgetExceeded(e.budgetMs, e.elapsedMs ?? e.budgetMs);
  }
  return rebuildError(e);
}

const closedError = () =>
  new SiemError({
    code: 'RULE_ENGINE_STOPPING',
    message: 'the rule engine is shutting down; the scan was not run',
  });

/**
 * A bounded pool of worker threads that read rule windows off the event loop (the SIEM's
 * shared `workers/pool.ts`). Back-pressure: at most `size` scans run, at most `maxQueue` wait,
 * and the engine never submits more than `concurrency` at once. A scan past its budget is cut:
 * the worker stops itself at the next row once the scan has used `budgetMs` of CPU time, or,
 * stuck in one statement, is terminated `graceMs` of wall time later and replaced. A worker that
 * dies fails only its own scan. Workers start on first use and live until `close`.
 */
export function createScanPool(opts: ScanPoolOptions): WindowScanner {
  const data: Omit<ScanWorkerData, keyof PoolWorkerData> = { dbPath: opts.dbPath, budgetMs: opts.budgetMs };
  const pool = createWorkerPool<ScanJob, ScanResult>({
    name: 'rule-scan',
    workerUrl: opts.workerUrl ?? new URL('./scan-worker.ts', import.meta.url),
    workerData: { ...data },
    size: opts.size,
    ...(opts.nice === undefined ? {} : { nice: opts.nice }),
    maxQueue: opts.maxQueue,
    hardLimitMs: opts.budgetMs + opts.graceMs,
    clock: opts.clock,
    logger: opts.logger,
    errors: {
      queueFull: () =>
        new SiemError({
          code: 'RULE_SCAN_QUEUE_FULL',
          message: `the rule engine has ${opts.maxQueue} scans waiting already; the scan was not run`,
        }),
      closed: closedError,
      overdue: (elapsed) => new RuleBudgetExceeded(opts.budgetMs, elapsed),
      rebuild,
    },
  });
  return {
    concurrency: opts.size,
    scan: (job) => pool.run(job),
    close: (mode) => pool.close(mode),
  };
}
