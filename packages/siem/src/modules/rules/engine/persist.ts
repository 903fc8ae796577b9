import type { SiemContext } from '../../../context.ts';
import type { NewSecurityEvent } from '../../events/repository.ts';
import type { StoredRule } from '../repository.ts';
import type { Decision } from './decide.ts';

/** Groups of `rule` still suppressed at `now` (read on the writer's connection). */
export function suppressedGroups(ctx: SiemContext, rule: StoredRule, now: number): Set<string> {
  if ((rule.definition.output?.suppressNotificationsMinutes ?? 0) <= 0) return new Set();
  return ctx.repos.suppressions.active(rule.id, now);
}

/**
 * Stores what an evaluation decided, in one transaction on the single writer: the security
 * events (storage time = commit time, or `storedAt` for a replay) and the rule's suppression
 * periods. The events go through `ctx.securityEvents`, which with `--fault-injection` may add a
 * burst or hold some back (modules/admin/fault-events.ts). Returns the events written (now or
 * later) and how many were held back.
 */
export function persistDecision(
  ctx: SiemContext,
  rule: StoredRule,
  now: number,
  decision: Decision,
  storedAt?: number,
): { events: NewSecurityEvent[]; pending: number } {
  const suppressMs = (rule.definition.output?.suppressNotificationsMinutes ?? 0) * 60_000;
  return ctx.store.tx(() => {
    if (suppressMs > 0)
      ctx.repos.suppressions.renew(rule.id, now, decision.newSuppressions, now + suppressMs);
    // Storage time is the commit time: for a live evaluation that is `now`. A replay of past
    // minutes (demo history) passes when a live engine would have stored them; the writer never
    // lets storage time go back along the storage sequence, so the feed's order holds.
    return ctx.securityEvents.record(decision.events, storedAt ?? Math.max(now, ctx.clock.now()));
  });
}
