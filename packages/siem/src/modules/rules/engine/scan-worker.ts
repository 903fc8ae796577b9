// A rule-window reader in a worker thread: its own read-only connection to the SIEM's database
// (WAL lets it read while the main thread writes), one scan at a time, answers as plain data.
import { workerData } from 'node:worker_threads';
import { openSqliteReader } from '../../../store/store.ts';
import { serveJobs } from '../../../workers/serve.ts';
import type { PoolWorkerData } from '../../../workers/protocol.ts';
import { threadCpuBudgetCheck } from './budget.ts';
import { createSqliteWindowRepository } from './window-repository.ts';
import { scanWindow, type ScanJob, type ScanResult } from './window-scan.ts';

export interface ScanWorkerData extends PoolWorkerData {
  dbPath: string;
  /** Each scan's budget in CPU time of this thread. */
  budgetMs: number;
}

const { dbPath } = workerData as ScanWorkerData;
const windows = createSqliteWindowRepository(openSqliteReader(dbPath));

serveJobs<ScanJob, ScanResult, ScanWorkerData>((job, cancelled, data) => {
  const budget = threadCpuBudgetCheck(data.budgetMs);
  return scanWindow(windows, job, () => {
    budget();
    cancelled();
  });
});
