import type { Command } from 'commander';

export interface ApiFlags {
  url?: string;
  apiKey?: string;
}

/** Flags of the verbs that call the connector's API (incidents). */
export function addApiOptions(cmd: Command): Command {
  return cmd
    .option(
      '--url <url>',
      'connector API base URL (env SIEMLINK_CONNECTOR_URL, default http://127.0.0.1:3000)',
    )
    .option('--api-key <key>', 'API key (env SIEMLINK_API_KEY; create one with siemlink api-keys create)');
}
