import type { Command } from 'commander';
import { addConnectionOptions } from './connection-options.ts';
import { lazyAction } from './lazy.ts';
import { intOption } from '../options.ts';

/** `siemlink worker`: playbook workers alone against the configured store (PostgreSQL for several). */
export function registerWorker(program: Command): void {
  addConnectionOptions(
    program
      .command('worker')
      .description('run playbook steps from the store until Ctrl-C (PostgreSQL: any number of workers)'),
  )
    .option('--playbooks <dir>', 'playbook folder (env SIEMLINK_PLAYBOOKS_DIR, default DATA_DIR/playbooks)')
    .option('--concurrency <n>', 'steps run at once (default 8)', intOption('--concurrency', 1, 100))
    .action(lazyAction(async () => (await import('../commands/worker.ts')).runWorker));
}
