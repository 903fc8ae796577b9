import type { Command } from 'commander';
import { loadConnectorConfig } from '@siemlink/connector/config.ts';
import { openIncidentStore } from '@siemlink/connector/store/index.ts';
import type { IncidentStore } from '@siemlink/connector/store/types.ts';
import { cliLogger } from './connector-options.ts';

export interface StoreFlags {
  dataDir?: string;
  storeUrl?: string;
  config?: string;
}

/** Flags of the verbs that work on the connector's store directly (users, api-keys). */
export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'siemlink data directory (env SIEMLINK_DATA_DIR, default ./.siemlink)')
    .option(
      '--store-url <url>',
      'PostgreSQL store, postgres://... (env SIEMLINK_STORE_URL; default SQLite in --data-dir)',
    )
    .option('--config <file>', 'JSON config file (env SIEMLINK_CONFIG)');
}

/** Runs `fn` with the configured store (flags > env > config file), closing it after. */
export async function withStore<T>(flags: StoreFlags, fn: (store: IncidentStore) => Promise<T>): Promise<T> {
  const config = loadConnectorConfig(
    {
      flags: { dataDir: flags.dataDir, store: { url: flags.storeUrl } },
      env: process.env,
      configFile: flags.config,
    },
    cliLogger(),
  );
  const store = await openIncidentStore(config);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
