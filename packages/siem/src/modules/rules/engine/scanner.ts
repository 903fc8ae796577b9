import type { SiemContext } from '../../../context.ts';
import { budgetCheck } from './budget.ts';
import { scanWindow, type ScanJob, type ScanResult } from './window-scan.ts';

/**
 * Where rule windows are read. The engine's loop hands each due rule's scan to one, then
 * stores the result itself (the single writer). `worker-pool.ts` reads in worker threads, off
 * the event loop; `inThreadScanner` reads on the caller's thread (in-memory stores, tests).
 */
export interface WindowScanner {
  /** Scans the engine may have in flight at once; it never asks for more (back-pressure). */
  readonly concurrency: number;
  /** Rejects with RuleBudgetExceeded when the scan ran past the evaluation budget. */
  scan(job: ScanJob): Promise<ScanResult>;
  /** `drain`: finish the scans in flight; `cancel`: reject them. Further scans are refused. */
  close(mode?: 'drain' | 'cancel'): Promise<void>;
}

/** Scans on this thread, with the budget measured on the context's clock. */
export function inThreadScanner(ctx: SiemContext): WindowScanner {
  return {
    concurrency: 1,
    scan(job) {
      try {
        const check = budgetCheck(ctx.clock, ctx.config.ruleEngine.evaluationBudgetMs);
        return Promise.resolve(scanWindow(ctx.repos.windows, job, check));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    close: () => Promise.resolve(),
  };
}
