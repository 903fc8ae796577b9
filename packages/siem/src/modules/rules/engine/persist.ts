import { randomUUID } from 'node:crypto';
import type { SiemContext } from '../../../context.ts';
import type { NewSecurityEvent } from '../../events/repository.ts';
import type { StoredRule } from '../repository.ts';
import type { Decision } from './decide.ts';
import { engineState } from './state.ts';

/** Groups of `rule` still suppressed at `now` (read on the writer's connection). */
export function suppressedGroups(ctx: SiemContext, rule: StoredRule, now: number): Set<string> {
  if ((rule.definition.output?.suppressNotificationsMinutes ?? 0) <= 0) return new Set();
  const rows = engineState(ctx).stmt.activeSuppressions.all(rule.id, now) as { group_key: string }[];
  return new Set(rows.map((r) => r.group_key));
}

/**
 * Stores what an evaluation decided, in one transaction on the single writer: the security
 * events (storage time = commit time, or `storedAt` for a replay), the rule's suppression
 * periods, and events the late-indexing fault holds back. The burst and late-indexing faults
 * apply here, to what is written, not to the evaluation. Returns the events (burst extras
 * included) and how many were held back.
 */
export function persistDecision(
  ctx: SiemContext,
  rule: StoredRule,
  now: number,
  decision: Decision,
  storedAt?: number,
): { events: NewSecurityEvent[]; pending: number } {
  const state = engineState(ctx);
  const events = [...decision.events];
  const faults = ctx.faults.get(rule.accountId);
  if (events.length > 0 && faults.burstSize > 0) {
    const base = events[0]!;
    for (let i = 1; i <= faults.burstSize; i++) {
      const groupBy: Record<string, string> =
        base.groupBy === null
          ? { burst: String(i) }
          : Object.fromEntries(Object.entries(base.groupBy).map(([k, v]) => [k, `${v}#burst-${i}`]));
      events.push({ ...base, alertEventId: randomUUID(), groupBy });
    }
  }

  const immediate: NewSecurityEvent[] = [];
  const late: NewSecurityEvent[] = [];
  for (const e of events) {
    const isLate =
      faults.lateIndexMs > 0 && faults.lateIndexShare > 0 && ctx.faults.random() < faults.lateIndexShare;
    (isLate ? late : immediate).push(e);
  }

  const suppressMs = (rule.definition.output?.suppressNotificationsMinutes ?? 0) * 60_000;
  ctx.store.tx(() => {
    if (suppressMs > 0) {
      state.stmt.expireSuppressions.run(rule.id, now);
      for (const key of decision.newSuppressions)
        state.stmt.upsertSuppression.run(rule.id, key, now + suppressMs);
    }
    // Storage time is the commit time: for a live evaluation that is `now`. A replay of past
    // minutes (demo history) passes when a live engine would have stored them; the writer never
    // lets storage time go back along the storage sequence, so the feed's order holds.
    const at = storedAt ?? Math.max(now, ctx.clock.now());
    if (immediate.length > 0) state.writer.insert(immediate, at);
    for (const e of late) state.stmt.insertPending.run(e.eventDate + faults.lateIndexMs, JSON.stringify(e));
  });
  return { events, pending: late.length };
}
