import type { Command } from 'commander';

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
