import type { RuleDefinition } from './repository.ts';
import { nextCronTime, parseCron } from './cron.ts';

const MINUTE = 60_000;

/** Far enough away that the scheduler never picks the rule (a cron that never fires again). */
export const NEVER = 8_640_000_000_000_000;

/**
 * When a rule runs next, strictly after `afterMs`. Without a schedule a rule runs every minute,
 * on the minute boundary; with one, at the cron's next fire time in its timezone (default UTC).
 */
export function nextRunAfter(definition: Pick<RuleDefinition, 'schedule'>, afterMs: number): number {
  const s = definition.schedule;
  if (!s) return Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  return nextCronTime(parseCron(s.cronExpression, s.timezone ?? 'UTC'), afterMs) ?? NEVER;
}
