import type { SiemContext } from '../../context.ts';
import { createWorkerPool, rebuildError, type WorkerPool } from '../../workers/pool.ts';
import { searchBudgetExceeded, searchQueueFull, searchStopping } from './errors.ts';
import type { SearchJob, SearchWorkerData } from './search-worker.ts';
import type { SearchOutcome } from './service.ts';

export type SearchPool = WorkerPool<SearchJob, SearchOutcome>;

/**
 * The worker threads broad searches run in (`search.workers` of them), or null where they
 * cannot read the same data (an in-memory store) or are turned off: searches then run on the
 * event loop, yielding between rows. `workerUrl` is for tests (a worker that never answers).
 */
export function createSearchPool(ctx: SiemContext, workerUrl?: URL): SearchPool | null {
  const path = ctx.store.db.location();
  const { workers, workerNice, maxQueued, budgetMs, graceMs } = ctx.config.search;
  if (!path || workers === 0) return null;
  const data: Pick<SearchWorkerData, 'dbPath' | 'budgetMs'> = { dbPath: path, budgetMs };
  return createWorkerPool<SearchJob, SearchOutcome>({
    name: 'search',
    workerUrl: workerUrl ?? new URL('./search-worker.ts', import.meta.url),
    workerData: { ...data },
    size: workers,
    nice: workerNice,
    maxQueue: maxQueued,
    hardLimitMs: budgetMs + graceMs,
    clock: ctx.clock,
    logger: ctx.logger,
    errors: {
      queueFull: () => searchQueueFull(maxQueued),
      closed: searchStopping,
      overdue: (elapsed) => searchBudgetExceeded(budgetMs, elapsed),
      rebuild: rebuildError,
    },
  });
}
