import { InvalidArgumentError, type Command } from 'commander';
import { addConnectionOptions } from './connection-options.ts';
import { lazyAction } from './lazy.ts';
import { BACKFILL_MARGIN_MINUTES, VERB_DESCRIPTIONS } from './descriptions.ts';

function gapId(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError('--gap must be a gap id (a positive integer; GET /api/health lists them)');
  }
  return Number(value);
}

/**
 * `backfill`: a past window (or a recorded gap) into the incident store, beside the live loop;
 * its cursor is never touched. Filters default to the configured fetch filters (flags, env, file).
 */
export function registerBackfill(program: Command): void {
  addConnectionOptions(program.command('backfill').description(VERB_DESCRIPTIONS.backfill))
    .option('--from <time>', 'window start (eventDate): epoch s/ms, ISO 8601 (UTC), "6 hours ago"')
    .option('--to <time>', 'window end, same formats, not in the future (default now)')
    .option(
      '--gap <id>',
      'backfill a recorded gap instead of --from/--to (GET /api/health lists them)',
      gapId,
    )
    .option('--search <text>', 'filter by rule name (default: the configured fetch filter)')
    .option('--severities <list>', 'filter by rule severity, e.g. HIGH,SEVERE (default: configured)')
    .option('--page-size <n>', 'events per request, 1..1000 (default 1000)')
    .option(
      '--margin-minutes <n>',
      `feed gaps: minutes added on each side, storage time vs eventDate (default ${BACKFILL_MARGIN_MINUTES})`,
    )
    .action(lazyAction(async () => (await import('../commands/backfill.ts')).runBackfill));
}
