import { resolve } from 'node:path';
import { argumentError } from '../options.ts';
import { loadConnectorConfig } from '@siemlink/connector/config.ts';
import { systemClock } from '@siemlink/connector/context.ts';
import { openIncidentStore } from '@siemlink/connector/store/index.ts';
import type { IncidentStore } from '@siemlink/connector/store/types.ts';
import { cliLogger, flagsToConfig } from '../connector-options.ts';
import { formatTable, isTerminal, printJson, printText } from '../output.ts';

import type { OutboxFlags as Flags } from '../verbs/outbox.ts';

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

/** `outbox list`: pending rows and dead letters, oldest first. */
export async function runOutboxList(flags: Flags): Promise<void> {
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
}

/** `outbox replay`: dead letters back to pending (attempts reset). */
export async function runOutboxReplay(flags: Flags): Promise<void> {
  const replayed = await withStore(flags, (s) =>
    s.outbox.replay({ sink: flags.sink, ids: flags.id }, systemClock.now()),
  );
  printJson({ replayed });
}

/** `outbox purge`: delete dead letters (never pending rows). */
export async function runOutboxPurge(flags: Flags): Promise<void> {
  const purged = await withStore(flags, (s) => s.outbox.purge({ sink: flags.sink, ids: flags.id }));
  printJson({ purged });
}

/** `outbox pause|resume`: deliveries to a sink, for every dispatcher. */
export async function runOutboxPause(action: 'pause' | 'resume', flags: Flags): Promise<void> {
  await withStore(flags, (s) => s.outbox.setPaused(flags.sink!, action === 'pause', systemClock.now()));
  printJson({ sink: flags.sink, paused: action === 'pause' });
}
