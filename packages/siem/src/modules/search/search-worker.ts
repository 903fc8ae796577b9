// A /v1/search runner in a worker thread: its own read-only connection to the SIEM's database
// (WAL readers see every committed log while the main thread writes), one search at a time.
import { DatabaseSync } from 'node:sqlite';
import { workerData } from 'node:worker_threads';
import { systemClock } from '../../clock.ts';
import { SQLITE_CACHE_KIB } from '../../store/store.ts';
import { serveJobs } from '../../workers/serve.ts';
import type { PoolWorkerData } from '../../workers/protocol.ts';
import { searchBudgetCheck } from './errors.ts';
import { createSqliteSearchRepository } from './repository.ts';
import type { SearchInput } from './request.ts';
import { createSearchService, type SearchOutcome } from './service.ts';

export interface SearchWorkerData extends PoolWorkerData {
  dbPath: string;
  /** Each search's budget, in CPU time of this thread (a loaded machine slows, it does not cost). */
  budgetMs: number;
  totalCap?: number;
}

export interface SearchJob {
  accountId: number;
  input: SearchInput;
  /** The request's time on the main thread's clock (date math, the default window). */
  now: number;
}

const data = workerData as SearchWorkerData;
const db = new DatabaseSync(data.dbPath, { readOnly: true });
db.exec('PRAGMA busy_timeout = 5000');
db.exec(`PRAGMA cache_size = -${SQLITE_CACHE_KIB}`);
db.exec('PRAGMA mmap_size = 0');
const service = createSearchService({
  repository: createSqliteSearchRepository({ db }),
  // `took` is this thread's own measure; the search's `now` comes with the job.
  clock: systemClock,
  ...(data.totalCap === undefined ? {} : { totalCap: data.totalCap }),
});

serveJobs<SearchJob, SearchOutcome, SearchWorkerData>((job, cancelled) => {
  const start = process.threadCpuUsage();
  const budget = searchBudgetCheck(data.budgetMs, () => {
    const used = process.threadCpuUsage(start);
    return (used.user + used.system) / 1000;
  });
  return service.search(job.accountId, job.input, {
    now: job.now,
    check: () => {
      cancelled();
      budget();
    },
  });
});
