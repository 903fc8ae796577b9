import { InvalidArgumentError, type Command } from 'commander';
import type { ConnectionFlags } from './connection-options.ts';
import { lazyAction } from './lazy.ts';

export interface OutboxFlags extends Pick<ConnectionFlags, 'config' | 'dataDir' | 'storeUrl'> {
  sink?: string;
  state?: string;
  id?: number[];
  limit?: number;
}

function positive(flag: string) {
  return (value: string, previous: number[] = []) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
      throw new InvalidArgumentError(`${flag} must be a positive integer`);
    }
    return [...previous, Number(value)];
  };
}

function common(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'JSON config file (env SIEMLINK_CONFIG)')
    .option('--data-dir <dir>', 'siemlink data directory (env SIEMLINK_DATA_DIR, default ./.siemlink)')
    .option('--store-url <url>', 'PostgreSQL store, postgres://... (env SIEMLINK_STORE_URL)');
}

const load = () => import('../commands/outbox.ts');

/** `siemlink outbox list|replay|purge|pause|resume`: the delivery outbox of the incident store. */
export function registerOutbox(program: Command): void {
  const outbox = program.command('outbox').description('incidents waiting for, or refused by, their sinks');

  common(outbox.command('list').description('outbox rows (pending and dead letters), oldest first'))
    .option('--sink <name>', 'one sink')
    .option('--state <state>', 'pending or dead')
    .option('--limit <n>', 'rows at most (default 100)', (v) => positive('--limit')(v)[0], 100)
    .action(lazyAction(async () => (await load()).runOutboxList));

  common(outbox.command('replay').description('dead letters back to pending (attempts reset)'))
    .option('--sink <name>', 'only this sink')
    .option('--id <n>', 'only this row (repeatable)', positive('--id'))
    .action(lazyAction(async () => (await load()).runOutboxReplay));

  common(outbox.command('purge').description('delete dead letters (never pending rows)'))
    .option('--sink <name>', 'only this sink')
    .option('--id <n>', 'only this row (repeatable)', positive('--id'))
    .action(lazyAction(async () => (await load()).runOutboxPurge));

  for (const action of ['pause', 'resume'] as const) {
    common(outbox.command(action).description(`${action} deliveries to a sink (every dispatcher)`))
      .requiredOption('--sink <name>', 'the sink')
      .action(
        lazyAction(async () => {
          const { runOutboxPause } = await load();
          return (flags: OutboxFlags) => runOutboxPause(action, flags);
        }),
      );
  }
}
