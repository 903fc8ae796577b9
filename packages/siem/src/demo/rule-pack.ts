import type { SiemContext } from '../context.ts';
import { applyScan, evaluateRule, scanJob } from '../modules/rules/engine/evaluate.ts';
import type { WindowScanner } from '../modules/rules/engine/scanner.ts';
import { dueRules } from '../modules/rules/engine/scheduler.ts';
import { createRulesService } from '../modules/rules/service.ts';
import { bootstrapSiemAccount } from '../modules/rules/siem-account.ts';
import { DEFAULT_RULE_PACK } from './default-pack.ts';

/**
 * Installs the default rule pack into the bootstrap SIEM account's default configuration when
 * that account has no rules yet. Returns how many rules were created.
 */
export function installDefaultRulePack(ctx: SiemContext, account = bootstrapSiemAccount(ctx)): number {
  if (!account) return 0;
  const service = createRulesService(ctx);
  if (service.rules.listByAccount(account.id).length > 0) return 0;
  return service.install(account, DEFAULT_RULE_PACK, 'defaultRulePack').length;
}

/** How much of the demo history the freshly installed rule pack is evaluated over. */
export const DEMO_REPLAY_MINUTES = 30;

/** How long after its minute a replayed evaluation is stored: a live engine commits seconds later. */
export const REPLAY_COMMIT_DELAY_MS = 3_000;

/**
 * Evaluates every enabled rule at each minute boundary of the last `minutes`, as if the engine
 * had been running while that history was written. Used once, when the demo's rule pack is
 * installed over freshly written history, so security events exist from the first second. Each
 * evaluation's events are stored REPLAY_COMMIT_DELAY_MS after its minute (never after now), as
 * a live SIEM would have: a feed client paging in time mode by the newest `httpMessage.start`
 * then moves forward instead of getting the same first page. Minutes are replayed in order, so
 * storage time never decreases along the storage sequence (the writer also refuses to go back).
 * Returns how many events were stored.
 */
export function replayRecentHistory(ctx: SiemContext, minutes: number): number {
  const now = ctx.clock.now();
  const rules = dueRules(ctx, Number.MAX_SAFE_INTEGER);
  let events = 0;
  const first = Math.floor((now - minutes * 60_000) / 60_000) * 60_000 + 60_000;
  for (let t = first; t < now; t += 60_000) {
    const storedAt = Math.min(t + REPLAY_COMMIT_DELAY_MS, now);
    for (const rule of rules) events += evaluateRule(ctx, rule, t, { storedAt }).events.length;
  }
  return events;
}

/**
 * replayRecentHistory with the windows read by `scanner` (worker threads): each minute's scans
 * run in parallel, and their events are stored minute by minute, rule by rule, in the same
 * order as the synchronous replay. A rule whose scan fails is logged and left out.
 */
export async function replayRecentHistoryWith(
  ctx: SiemContext,
  minutes: number,
  scanner: WindowScanner,
  signal?: AbortSignal,
): Promise<number> {
  const now = ctx.clock.now();
  const rules = dueRules(ctx, Number.MAX_SAFE_INTEGER);
  let events = 0;
  const first = Math.floor((now - minutes * 60_000) / 60_000) * 60_000 + 60_000;
  for (let t = first; t < now && !signal?.aborted; t += 60_000) {
    const storedAt = Math.min(t + REPLAY_COMMIT_DELAY_MS, now);
    const scans = await Promise.allSettled(rules.map((rule) => scanner.scan(scanJob(ctx, rule, t))));
    scans.forEach((scan, i) => {
      const rule = rules[i]!;
      if (scan.status === 'fulfilled') {
        events += applyScan(ctx, rule, t, scan.value, storedAt).events.length;
      } else {
        ctx.logger.warn(
          { err: scan.reason as unknown, ruleId: rule.id, at: t },
          'replayed evaluation failed',
        );
      }
    });
  }
  return events;
}
