import type { Command } from 'commander';
import { addConnectionOptions } from './connection-options.ts';
import { lazyAction } from './lazy.ts';
import { VERB_DESCRIPTIONS } from './descriptions.ts';

export function registerSearchLogs(program: Command): void {
  addConnectionOptions(program.command('search-logs').description(VERB_DESCRIPTIONS['search-logs']))
    .option('--query <lucene>', 'Lucene query (default "*")')
    .option('--size <n>', 'number of logs to return (default 50)')
    .option(
      '--from-time <time>',
      'start: epoch s or ms, ISO 8601 (UTC), "now" or "2 hours ago" (default yesterday 00:00 UTC)',
    )
    .option('--to-time <time>', 'end, same formats (default now)')
    .option('--sort <order>', '@timestamp order: desc (newest first, the default) or asc', 'desc')
    .action(lazyAction(async () => (await import('../commands/search-logs.ts')).runSearchLogs));
}
