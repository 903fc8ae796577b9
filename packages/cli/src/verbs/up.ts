import type { Command } from 'commander';
import { intOption } from '../options.ts';
import { lazyAction } from './lazy.ts';
import { addSiemOptions } from './siem-options.ts';
import { addSinkOption } from './connection-options.ts';

/** `siemlink up` (what `npm start` runs). */
export function registerUp(program: Command): void {
  addSinkOption(
    addSiemOptions(
      program.command('up').description('run the SIEM with demo data and the connector fetching from it'),
    ),
  )
    .option(
      '--connector-port <port>',
      'connector API port (default 3000; env SIEMLINK_CONNECTOR_PORT)',
      intOption('--connector-port', 0, 65535),
    )
    .option('--no-demo', 'no demo data')
    .option('--first-fetch <range>', 'first fetch time range (env SIEMLINK_FIRST_FETCH)')
    .option('--max-fetch <n>', 'max incidents per run, capped at 50 (env SIEMLINK_MAX_FETCH)')
    .option('--source <mode>', 'search (default) or feed (env SIEMLINK_FETCH_SOURCE)')
    .option(
      '--config-ids <ids>',
      'feed mode: security configuration ids, ; separated (default: all of the SIEM account; env SIEMLINK_CONFIG_IDS)',
    )
    .option('--interval-seconds <s>', 'seconds between fetch runs (panel default 60)')
    .option('--buffer-minutes <m>', 'newest minutes left out for indexing (panel default 3)')
    .option(
      '--playbooks <dir>',
      'folder of playbook YAML files, loaded with the built-ins (default DIR/playbooks; env SIEMLINK_PLAYBOOKS_DIR)',
    )
    .action(lazyAction(async () => (await import('../commands/up.ts')).runUp));
}
