import type { SiemContext } from '../../../context.ts';
import type { StoredRule } from '../repository.ts';
import { nextRunAfter } from '../schedule.ts';

/**
 * Records a failed evaluation of `rule` (over its budget, or interrupted) and, at the
 * configured number in a row, disables it with the reason. Returns whether it was disabled.
 */
export function recordRuleFailure(
  ctx: SiemContext,
  rule: StoredRule,
  now: number,
  reason: string,
  quarantinedUntil?: number,
): boolean {
  const { maxFailures } = ctx.config.ruleEngine;
  const rules = ctx.repos.rules;
  const current = rules.get(rule.id);
  if (!current) return false;
  const count = current.engine.failures + 1;
  const disable = count >= maxFailures;
  const why = disable
    ? `disabled by the rule engine after ${count} failed evaluations in a row; last: ${reason}`
    : `${reason} (${count} of ${maxFailures} failures in a row before the rule is disabled)`;
  const next = nextRunAfter(current.definition, now);
  rules.markFailure(rule.id, {
    at: now,
    reason: why,
    nextRunAt: quarantinedUntil === undefined ? next : Math.max(next, quarantinedUntil),
    disable,
    ...(quarantinedUntil === undefined || disable ? {} : { quarantinedUntil }),
  });
  const log = ctx.logger.child({ component: 'rule-engine', ruleId: rule.id });
  if (disable) log.error({ reason: why }, 'security rule disabled by the rule engine');
  else log.warn({ reason: why }, 'security rule evaluation failed');
  return disable;
}

/**
 * At engine start: a rule whose evaluation started and never finished (the process froze or was
 * killed while running it) is quarantined until `quarantineMs` from now instead of being run
 * first, or disabled when that has happened `maxFailures` times in a row. Returns their ids.
 */
export function quarantineInterruptedRules(ctx: SiemContext, now: number): number[] {
  const ids: number[] = [];
  for (const rule of ctx.repos.rules.interrupted()) {
    ctx.store.tx(() =>
      recordRuleFailure(
        ctx,
        rule,
        now,
        `the engine stopped during its evaluation started at ${new Date(rule.engine.evalStartedAt!).toISOString()}`,
        now + ctx.config.ruleEngine.quarantineMs,
      ),
    );
    ids.push(rule.id);
  }
  return ids;
}
