import { join } from 'node:path';
import type { StoreConfig } from '../config.ts';
import { openSqliteIncidentStore } from './sqlite.ts';
import type { IncidentStore } from './types.ts';
import { sinkRoutes, type SinkConfig } from '../sinks/config.ts';

export * from './types.ts';
export { openSqliteIncidentStore } from './sqlite.ts';

/**
 * The connector's SQLite file: `DIR/connector/connector.db` under the siemlink data dir, the same
 * `--data-dir` (default ./.siemlink) that `up` and `serve` take, so every verb finds the store
 * `npm start` fills.
 */
export function connectorDbPath(dataDir: string): string {
  return join(dataDir, 'connector', 'connector.db');
}

/** The configured store: SQLite under the data dir (default), or PostgreSQL at `store.url`. */
export async function openIncidentStore(config: {
  dataDir: string;
  store?: StoreConfig;
  /** Configured sinks: each new incident gets an outbox row per sink whose filter it matches. */
  sinks?: readonly Pick<SinkConfig, 'name' | 'filter'>[];
}): Promise<IncidentStore> {
  const store = config.store ?? { kind: 'sqlite' };
  const routes = sinkRoutes(config.sinks ?? []);
  if (store.kind === 'postgres') {
    // Imported only when configured: `pg` is not loaded by a CLI run on the default SQLite store.
    const { openPostgresIncidentStore } = await import('./postgres.ts');
    return openPostgresIncidentStore({ connectionString: store.url, routes });
  }
  return openSqliteIncidentStore({ path: connectorDbPath(config.dataDir), routes });
}
