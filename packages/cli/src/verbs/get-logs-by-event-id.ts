import type { Command } from 'commander';
import { addConnectionOptions } from './connection-options.ts';
import { lazyAction } from './lazy.ts';
import { VERB_DESCRIPTIONS } from './descriptions.ts';

export function registerGetLogsByEventId(program: Command): void {
  addConnectionOptions(
    program.command('get-logs-by-event-id').description(VERB_DESCRIPTIONS['get-logs-by-event-id']),
  )
    .requiredOption('--id <alertEventId>', 'the security event id (alertEventId)')
    .option('--size <n>', 'number of logs to return, exactly (default 100)')
    .option('--page-size <n>', 'logs per request, 1..1000 (default 100)')
    .action(
      lazyAction(async () => (await import('../commands/get-logs-by-event-id.ts')).runGetLogsByEventId),
    );
}
