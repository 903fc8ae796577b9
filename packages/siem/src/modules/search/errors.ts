import { SiemError } from '../../errors.ts';

// The search pool's errors; their codes, statuses and kinds are in the SIEM's catalogue (errors.ts).

/** Seconds a client waits before retrying a search the pool could not take. */
export const SEARCH_RETRY_AFTER_S = 1;

export const searchQueueFull = (waiting: number) =>
  new SiemError({
    code: 'SEARCH_QUEUE_FULL',
    message: `search: ${waiting} broad searches are waiting for a worker already; retry after ${SEARCH_RETRY_AFTER_S} s`,
    headers: { 'retry-after': String(SEARCH_RETRY_AFTER_S) },
  });

export const searchStopping = () =>
  new SiemError({
    code: 'SEARCH_STOPPING',
    message: 'search: the SIEM is shutting down; the search was not run',
    headers: { 'retry-after': String(SEARCH_RETRY_AFTER_S) },
  });

/** A search past its budget: it is stopped, not left to hold a worker (or the event loop). */
export const searchBudgetExceeded = (budgetMs: number, elapsedMs: number) =>
  new SiemError({
    code: 'SEARCH_BUDGET_EXCEEDED',
    message: `search: stopped after ${elapsedMs} ms, past its budget of ${budgetMs} ms; narrow the query or its time range`,
  });

/** The client went away: nobody reads this answer, it only ends the search. */
export const searchCancelled = () =>
  new SiemError({
    code: 'SEARCH_CANCELLED',
    message: 'search: cancelled (the client closed the connection)',
  });

/** A check that throws SEARCH_BUDGET_EXCEEDED once `used()` (ms) passes `budgetMs`. */
export function searchBudgetCheck(budgetMs: number, used: () => number): () => void {
  return () => {
    const elapsed = Math.round(used());
    if (elapsed > budgetMs) throw searchBudgetExceeded(budgetMs, elapsed);
  };
}
