import type { SiemContext } from '../../../context.ts';
import type { StoredRule } from '../repository.ts';
import { storeFailure } from '../../../errors.ts';
import { budgetCheck, RuleBudgetExceeded } from './budget.ts';
import { applyScan, evaluateRule, scanJob, type EvaluationResult } from './evaluate.ts';
import { recordRuleFailure } from './health.ts';
import type { WindowScanner } from './scanner.ts';
import type { ScanResult } from './window-scan.ts';
import { nextRunAfter } from '../schedule.ts';

/** Enabled rules whose scheduled time has come at `now`. */
export function dueRules(ctx: SiemContext, now: number): StoredRule[] {
  return ctx.repos.rules.due(now);
}

/** A store that refused a read or write (disk full, I/O, busy): not the rule's fault. */
function isStoreFailure(err: unknown): boolean {
  return storeFailure(err)?.code.startsWith('STORAGE_') ?? false;
}

/**
 * What a failed evaluation leaves: over its budget, it is counted as a failure (health.ts
 * disables the rule after repeated ones); a rule that fails on its own (a bad stored query) is
 * logged and rescheduled, so it never stops the others. A store failure is rethrown with the
 * rule's next run untouched: its window is evaluated again once the store is back, not lost.
 */
function evaluationFailed(ctx: SiemContext, rule: StoredRule, now: number, err: unknown): null {
  if (err instanceof RuleBudgetExceeded) {
    ctx.store.tx(() => recordRuleFailure(ctx, rule, now, err.message));
    return null;
  }
  if (isStoreFailure(err)) throw err;
  ctx.logger.error({ err, ruleId: rule.id }, 'security rule evaluation failed');
  ctx.repos.rules.markRun(rule.id, now, nextRunAfter(rule.definition, now));
  return null;
}

/**
 * Evaluates one scheduled rule on this thread and records its next run in the same
 * transaction, so a crash never half-applies an evaluation. The evaluation has a time budget:
 * over it, it is rolled back and counted as a failure; its start is committed first, so one
 * that never ends is quarantined at the next start. Failures: see evaluationFailed.
 */
export function runScheduledRule(ctx: SiemContext, rule: StoredRule, now: number): EvaluationResult | null {
  ctx.repos.rules.markStarted(rule.id, now);
  try {
    const checkBudget = budgetCheck(ctx.clock, ctx.config.ruleEngine.evaluationBudgetMs);
    return ctx.store.tx(() => {
      const result = evaluateRule(ctx, rule, now, { checkBudget });
      ctx.repos.rules.markRun(rule.id, now, nextRunAfter(rule.definition, now));
      return result;
    });
  } catch (err) {
    return evaluationFailed(ctx, rule, now, err);
  }
}

/**
 * The engine loop's evaluation of one scheduled rule: the window is read by `scanner` (worker
 * threads, off the event loop), then the decision, the events and the next run are stored in
 * one transaction here, on the single writer. Budget and failures as runScheduledRule.
 */
export async function runScheduledRuleWith(
  ctx: SiemContext,
  rule: StoredRule,
  now: number,
  scanner: WindowScanner,
): Promise<EvaluationResult | null> {
  ctx.repos.rules.markStarted(rule.id, now);
  let scan: ScanResult;
  try {
    scan = await scanner.scan(scanJob(ctx, rule, now));
  } catch (err) {
    return evaluationFailed(ctx, rule, now, err);
  }
  try {
    return ctx.store.tx(() => {
      const result = applyScan(ctx, rule, now, scan);
      ctx.repos.rules.markRun(rule.id, now, nextRunAfter(rule.definition, now));
      return result;
    });
  } catch (err) {
    return evaluationFailed(ctx, rule, now, err);
  }
}

/** Evaluates every due rule at `now` (tests and benchmarks drive this with a fake clock). */
export function evaluateDueRules(ctx: SiemContext, now: number): EvaluationResult[] {
  const results: EvaluationResult[] = [];
  for (const rule of dueRules(ctx, now)) {
    const r = runScheduledRule(ctx, rule, now);
    if (r) results.push(r);
  }
  return results;
}

/**
 * evaluateDueRules with the windows read by `scanner`: at most `scanner.concurrency` rules in
 * flight, yielding between rules so the event loop keeps answering. Waits for every evaluation
 * it started, then rethrows the first failure (a store that refused a write), so the caller's
 * tick fails with those rules still due. Stops starting rules once `signal` aborts.
 */
export async function evaluateDueRulesWith(
  ctx: SiemContext,
  now: number,
  scanner: WindowScanner,
  signal?: AbortSignal,
): Promise<EvaluationResult[]> {
  const results: EvaluationResult[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  for (const rule of dueRules(ctx, now)) {
    while (inFlight.size >= scanner.concurrency) await Promise.race(inFlight);
    if (signal?.aborted || failure) break;
    const run: Promise<void> = runScheduledRuleWith(ctx, rule, now, scanner)
      .then(
        (r) => {
          if (r) results.push(r);
        },
        (err: unknown) => {
          failure ??= { err };
        },
      )
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(inFlight);
  if (failure) throw failure.err;
  return results;
}

/**
 * Commits late-indexed events whose time has come (now >= eventDate + lateIndexMs): they get
 * their storage seq and storage time now, so they appear after newer events with an old
 * eventDate. Only the fault wrapper holds events back. Returns how many were committed.
 */
export function flushPendingEvents(ctx: SiemContext, now: number): number {
  return ctx.securityEvents.flush(now);
}

/** How many late events are still held back. */
export function pendingEventCount(ctx: SiemContext): number {
  return ctx.repos.pendingEvents.count();
}
