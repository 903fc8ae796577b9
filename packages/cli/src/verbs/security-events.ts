import type { Command } from 'commander';
import { addConnectionOptions } from './connection-options.ts';
import { lazyAction } from './lazy.ts';
import { VERB_DESCRIPTIONS } from './descriptions.ts';

/** NDJSON when piped (each event, then each response's `{ total, offset, limit? }` line). */
export function registerSecurityEvents(program: Command): void {
  addConnectionOptions(program.command('security-events').description(VERB_DESCRIPTIONS['security-events']))
    .requiredOption('--config-ids <ids>', 'security configuration ids, separated by ; or ,')
    .option('--offset <offset>', 'continue after this offset (from a previous context line)')
    .option(
      '--from <time>',
      'start time within the last 12 h: epoch s/ms, ISO 8601, "1 hour ago" (default 5 minutes ago)',
    )
    .option('--to <time>', 'end time (a bounded range, read once)')
    .option('--limit <n>', 'events per request (default 10000)')
    .option('--follow', 'keep tailing with the returned offset until interrupted', false)
    .option('--interval-seconds <s>', 'seconds between polls with --follow (default 10)')
    .action(lazyAction(async () => (await import('../commands/security-events.ts')).runSecurityEvents));
}
