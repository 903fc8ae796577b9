import type { Clock } from '../../../clock.ts';

/** Thrown from inside an evaluation that has used up its time budget. */
export class RuleBudgetExceeded extends Error {
  readonly budgetMs: number;
  readonly elapsedMs: number;
  constructor(budgetMs: number, elapsedMs: number) {
    super(`evaluation exceeded its time budget of ${budgetMs} ms (stopped after ${elapsedMs} ms)`);
    this.name = 'RuleBudgetExceeded';
    this.budgetMs = budgetMs;
    this.elapsedMs = elapsedMs;
  }
}

/**
 * A check to call between units of work (one per log row): throws RuleBudgetExceeded once
 * `budgetMs` of `clock` time has passed since it was made. Evaluation is synchronous, so this is
 * how a long one gives the process back; every row's own work is bounded by the query limits.
 */
export function budgetCheck(clock: Clock, budgetMs: number): () => void {
  const start = clock.now();
  return () => {
    const elapsed = clock.now() - start;
    if (elapsed > budgetMs) throw new RuleBudgetExceeded(budgetMs, elapsed);
  };
}

/**
 * budgetCheck on the calling thread's own CPU time: in a scan worker, a machine busy with other
 * work slows the scan's wall time, not its cost, and must not get rules disabled. Worker threads
 * only: on the main thread, time spent serving requests would count against the rule.
 */
export function threadCpuBudgetCheck(budgetMs: number): () => void {
  const start = process.threadCpuUsage();
  return () => {
    const used = process.threadCpuUsage(start);
    const elapsed = Math.round((used.user + used.system) / 1000);
    if (elapsed > budgetMs) throw new RuleBudgetExceeded(budgetMs, elapsed);
  };
}
