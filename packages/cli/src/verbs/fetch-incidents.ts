import type { Command } from 'commander';
import { addConnectionOptions, addSinkOption } from './connection-options.ts';
import { lazyAction } from './lazy.ts';

/** `fetch-incidents`: security events -> incidents in the local store; `--once` prints them. */
export function registerFetchIncidents(program: Command): void {
  addSinkOption(
    addConnectionOptions(
      program.command('fetch-incidents').description('fetch security events as incidents'),
    ),
  )
    .option('--search <text>', 'filter by rule name (env SIEMLINK_SEARCH)')
    .option('--severities <list>', 'filter by rule severity, e.g. HIGH,SEVERE (env SIEMLINK_SEVERITIES)')
    .option('--first-fetch <range>', 'first fetch time range, e.g. "12 hours" (env SIEMLINK_FIRST_FETCH)')
    .option('--max-fetch <n>', 'max incidents per run, capped at 50 (env SIEMLINK_MAX_FETCH)')
    .option('--source <mode>', 'search (default) or feed')
    .option('--config-ids <ids>', 'feed mode: security configuration ids, ; separated')
    .option('--once', 'one run; print the new incidents (NDJSON when piped)', false)
    .action(lazyAction(async () => (await import('../commands/fetch-incidents.ts')).runFetchIncidents));
}
