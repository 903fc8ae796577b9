// A rule-window reader in a worker thread: its own read-only connection to the SIEM's database
// (WAL lets it read while the main thread writes), one scan at a time, answers as plain data.
import { DatabaseSync } from 'node:sqlite';
import { workerData } from 'node:worker_threads';
import { serveJobs } from '../../../workers/serve.ts';
import type { PoolWorkerData } from '../../../workers/protocol.ts';
import { threadCpuBudgetCheck } from './budget.ts';
import { createScanCache, scanWindow, type ScanJob, type ScanResult } from './window-scan.ts';

export interface ScanWorkerData extends PoolWorkerData {
  dbPath: string;
  /** Each scan's budget in CPU time of this thread. */
  budgetMs: number;
}

const { dbPath } = workerData as ScanWorkerData;
const db = new DatabaseSync(dbPath, { readOnly: true });
db.exec('PRAGMA busy_timeout = 5000');
const cache = createScanCache(db);

serveJobs<ScanJob, ScanResult, ScanWorkerData>((job, cancelled, data) => {
  const budget = threadCpuBudgetCheck(data.budgetMs);
  return scanWindow(cache, job, () => {
    budget();
    cancelled();
  });
});
