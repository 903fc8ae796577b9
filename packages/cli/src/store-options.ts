import { loadConnectorConfig } from '@siemlink/connector/config.ts';
import { openIncidentStore } from '@siemlink/connector/store/index.ts';
import type { IncidentStore } from '@siemlink/connector/store/types.ts';
import { cliLogger } from './connector-options.ts';
import type { StoreFlags } from './verbs/store-options.ts';

export type { StoreFlags };

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
