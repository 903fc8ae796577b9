import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { argumentError } from '../options.ts';
import { loadConnectorConfig } from '@siemlink/connector/config.ts';
import { systemClock } from '@siemlink/connector/context.ts';
import { openIncidentStore } from '@siemlink/connector/store/index.ts';
import type { IncidentStore } from '@siemlink/connector/store/types.ts';
import { cliLogger, flagsToConfig, type ConnectionFlags } from '../connector-options.ts';
import { formatTable, isTerminal, printJson, printText } from '../output.ts';

interface Flags extends Pick<ConnectionFlags, 'config' | 'dataDir' | 'storeUrl'> {
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

/** The store the verbs act on (the same one `up` and `fetch-incidents` write), never a client. */
async function withStore<T>(flags: Flags, fn: (store: IncidentStore) => Promise<T>): Promise<T> {
  const logger = cliLogger();
  const config = loadConnectorConfig(
    {
      flags: flagsToConfig({ config: flags.config, dataDir: flags.dataDir, storeUrl: flags.storeUrl }),
      env: process.env,
      configFile: flags.config,
    },
    logger,
  );
  config.dataDir = resolve(config.dataDir);
  const store = await openIncidentStore(config);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function common(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'JSON config file (env SIEMLINK_CONFIG)')
    .option('--data-dir <dir>', 'siemlink data directory (env SIEMLINK_DATA_DIR, default ./.siemlink)')
    .option('--store-url <url>', 'PostgreSQL store, postgres://... (env SIEMLINK_STORE_URL)');
}

/** `siemlink outbox list|replay|purge|pause|resume`: the delivery outbox of the incident store. */
export function registerOutbox(program: Command): void {
  const outbox = program.command('outbox').description('incidents waiting for, or refused by, their sinks');

  common(outbox.command('list').description('outbox rows (pending and dead letters), oldest first'))
    .option('--sink <name>', 'one sink')
    .option('--state <state>', 'pending or dead')
    .option('--limit <n>', 'rows at most (default 100)', (v) => positive('--limit')(v)[0], 100)
    .action(async (flags: Flags) => {
      if (flags.state !== undefined && flags.state !== 'pending' && flags.state !== 'dead') {
        throw argumentError('--state must be pending or dead');
      }
      const state = flags.state as 'pending' | 'dead' | undefined;
      const rows = await withStore(flags, (s) =>
        s.outbox.list({ sink: flags.sink, state, limit: flags.limit ?? 100 }),
      );
      if (isTerminal()) {
        printText(
          formatTable(
            rows.map((r) => ({ ...r })),
            ['id', 'sink', 'incidentId', 'state', 'attempts', 'nextAttemptAt', 'lastStatus', 'lastError'],
          ),
        );
      } else printJson(rows);
    });

  common(outbox.command('replay').description('dead letters back to pending (attempts reset)'))
    .option('--sink <name>', 'only this sink')
    .option('--id <n>', 'only this row (repeatable)', positive('--id'))
    .action(async (flags: Flags) => {
      const replayed = await withStore(flags, (s) =>
        s.outbox.replay({ sink: flags.sink, ids: flags.id }, systemClock.now()),
      );
      printJson({ replayed });
    });

  common(outbox.command('purge').description('delete dead letters (never pending rows)'))
    .option('--sink <name>', 'only this sink')
    .option('--id <n>', 'only this row (repeatable)', positive('--id'))
    .action(async (flags: Flags) => {
      const purged = await withStore(flags, (s) => s.outbox.purge({ sink: flags.sink, ids: flags.id }));
      printJson({ purged });
    });

  for (const action of ['pause', 'resume'] as const) {
    common(outbox.command(action).description(`${action} deliveries to a sink (every dispatcher)`))
      .requiredOption('--sink <name>', 'the sink')
      .action(async (flags: Flags) => {
        await withStore(flags, (s) => s.outbox.setPaused(flags.sink!, action === 'pause', systemClock.now()));
        printJson({ sink: flags.sink, paused: action === 'pause' });
      });
  }
}
