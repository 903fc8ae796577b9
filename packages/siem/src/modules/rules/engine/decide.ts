import { randomUUID } from 'node:crypto';
import { SEVERITIES, severityRank, type Severity, type TriggerOperator } from '@siemlink/contracts';
import type { NewSecurityEvent } from '../../events/repository.ts';
import type { StoredRule } from '../repository.ts';
import type { ScanResult } from './window-scan.ts';
import { alertSummary } from './summary.ts';

export function compare(value: number, op: TriggerOperator, threshold: number): boolean {
  switch (op) {
    case 'GREATER_THAN':
      return value > threshold;
    case 'GREATER_THAN_OR_EQUALS':
      return value >= threshold;
    case 'LESS_THAN':
      return value < threshold;
    case 'LESS_THAN_OR_EQUALS':
      return value <= threshold;
    case 'EQUALS':
      return value === threshold;
    case 'NOT_EQUALS':
      return value !== threshold;
  }
}

/** The highest severity whose tier the value passes, with its threshold; null when none. */
export function highestTier(
  value: number,
  op: TriggerOperator,
  tiers: Record<string, number>,
): { severity: Severity; threshold: number } | null {
  let best: { severity: Severity; threshold: number } | null = null;
  for (const [key, threshold] of Object.entries(tiers)) {
    if (!(SEVERITIES as readonly string[]).includes(key)) continue;
    const severity = key as Severity;
    if (!compare(value, op, threshold)) continue;
    if (!best || severityRank(severity) > severityRank(best.severity)) best = { severity, threshold };
  }
  return best;
}

export interface Decision {
  events: NewSecurityEvent[];
  /** Group keys that triggered and start a suppression period. */
  newSuppressions: string[];
  /** Groups that passed a tier but were suppressed. */
  suppressed: number;
}

/**
 * Which groups of a scanned window trigger: each whose aggregated value passes a tier gives
 * one event (severity = highest tier passed) unless its group is in `suppressedGroups`. Every
 * event of one evaluation has eventDate = `now`. Pure apart from the event ids.
 */
export function decide(
  rule: StoredRule,
  now: number,
  scan: ScanResult,
  suppressedGroups: ReadonlySet<string>,
): Decision {
  const d = rule.definition;
  const sub = d.subComponents[0]!;
  const suppressing = (d.output?.suppressNotificationsMinutes ?? 0) > 0;
  const events: NewSecurityEvent[] = [];
  const newSuppressions: string[] = [];
  let suppressed = 0;
  for (const g of scan.groups) {
    if (g.value === undefined) continue;
    const tier = highestTier(g.value, sub.trigger.operator, sub.trigger.severityThresholdTiers);
    if (!tier) continue;
    if (suppressedGroups.has(g.key)) {
      suppressed++;
      continue;
    }
    if (suppressing) newSuppressions.push(g.key);
    events.push({
      alertEventId: randomUUID(),
      accountId: rule.accountId,
      configId: rule.configId,
      ruleId: rule.id,
      name: d.title,
      description: d.description ?? '',
      alertSummary: alertSummary(d, sub.trigger.operator, tier.threshold),
      eventDate: now,
      windowStart: g.count > 0 ? g.first : scan.from,
      windowEnd: g.count > 0 ? g.last : now,
      severity: tier.severity,
      groupBy: g.values,
      tags: d.tags ?? [],
      mitreTags: d.mitreTags ?? [],
      hits: g.count, // this group's logs, exactly those linked (up to MAX_LOGS_PER_EVENT)
      isMuted: false,
      logSeqs: g.seqs,
    });
  }
  return { events, newSuppressions, suppressed };
}
