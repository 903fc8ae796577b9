import type { SiemContext } from '../../../context.ts';
import type { NewSecurityEvent } from '../../events/repository.ts';
import type { StoredRule } from '../repository.ts';
import { decide } from './decide.ts';
import { persistDecision, suppressedGroups } from './persist.ts';
import { scanWindow, type ScanJob, type ScanResult } from './window-scan.ts';

export { MAX_LOGS_PER_EVENT } from './aggregation.ts';
export { compare, highestTier } from './decide.ts';

export interface EvaluationResult {
  ruleId: number;
  /** Matching logs in the window (before group-by). */
  hits: number;
  groups: number;
  /** Events triggered, burst extras included. */
  events: NewSecurityEvent[];
  /** Of those, held back by the late-indexing fault. */
  pending: number;
  /** Groups that passed a tier but were suppressed. */
  suppressed: number;
}

/** The logs accounts a rule reads: its SIEM account's scanned accounts, or the listed subset. */
export function scannedAccounts(ctx: SiemContext, rule: StoredRule): number[] {
  const siem = ctx.accounts.get(rule.accountId);
  if (!siem) return [];
  const q = rule.definition.subComponents[0]!.queryDefinition;
  if (q.shouldQueryOnAllAccounts === false && q.accountIdsToQueryOn?.length) {
    return q.accountIdsToQueryOn.filter((id) => siem.accountsToScan.includes(id));
  }
  return siem.accountsToScan;
}

/** What reading `rule`'s window at `now` needs (plain data: it may go to a worker thread). */
export function scanJob(ctx: SiemContext, rule: StoredRule, now: number): ScanJob {
  return { ruleId: rule.id, definition: rule.definition, accounts: scannedAccounts(ctx, rule), now };
}

/**
 * The writer's half of an evaluation: decides which groups of a scanned window trigger
 * (tiers, suppression) and stores the events in one transaction.
 */
export function applyScan(
  ctx: SiemContext,
  rule: StoredRule,
  now: number,
  scan: ScanResult,
  storedAt?: number,
): EvaluationResult {
  const decision = decide(rule, now, scan, suppressedGroups(ctx, rule, now));
  const { events, pending } = persistDecision(ctx, rule, now, decision, storedAt);
  return {
    ruleId: rule.id,
    hits: scan.hits,
    groups: scan.groups.length,
    events,
    pending,
    suppressed: decision.suppressed,
  };
}

/**
 * Evaluates one rule over [now - searchTimeFrameMinutes, now] of its scanned logs on this
 * thread and stores what it triggers: scan (window-scan.ts), decide (decide.ts), persist
 * (persist.ts). The rule engine's loop does the scan in worker threads instead (pool.ts); this
 * is the same evaluation for tests, benchmarks and in-memory stores.
 */
export function evaluateRule(
  ctx: SiemContext,
  rule: StoredRule,
  now: number,
  /** storedAt: storage time of the events (default: the commit time; replays of past minutes set it). */
  opts: { storedAt?: number; checkBudget?: () => void } = {},
): EvaluationResult {
  // checkBudget throws RuleBudgetExceeded from inside the scan: the caller's transaction rolls back.
  const scan = scanWindow(ctx.repos.windows, scanJob(ctx, rule, now), opts.checkBudget);
  return applyScan(ctx, rule, now, scan, opts.storedAt);
}
