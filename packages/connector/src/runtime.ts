import type { Logger } from 'pino';
import { buildApiApp } from './api/app.ts';
import { createIncidentEvents } from './api/console/index.ts';
import { createSiemClient, type SiemlinkClient } from './client/index.ts';
import type { ConnectorConfig } from './config.ts';
import type { Clock } from './context.ts';
import { runFetchLoop } from './fetch/fetcher.ts';
import type { FetchRunResult } from './fetch/types.ts';
import type { FetchOptions } from './fetch/options.ts';
import { connectorDbPath, openIncidentStore } from './store/index.ts';
import type { IncidentStore } from './store/types.ts';

export interface StartConnectorOptions {
  logger: Logger;
  clock: Clock;
  /** Where the incident API listens; `false` for none. Default 127.0.0.1:3000. */
  api?: { host?: string; port?: number } | false;
  /** Called after every fetch run (the CLI prints a line). */
  onRun?: (result: FetchRunResult) => void;
}

export interface RunningConnector {
  /** Base URL of the incident API, or null when it is not served. */
  url: string | null;
  options: FetchOptions;
  store: IncidentStore;
  client: SiemlinkClient;
  close(): Promise<void>;
}

export { connectorDbPath };

/**
 * Opens the store, the client, the incident API and the fetch loop (when fetching is enabled).
 * `close()` stops the loop first (no run is cut mid-commit: the commit is synchronous), then the
 * API, the client and the store.
 */
export async function startConnector(
  config: ConnectorConfig,
  opts: StartConnectorOptions,
): Promise<RunningConnector> {
  const logger = opts.logger.child({ component: 'connector' });
  const store = await openIncidentStore(config);
  const client = createSiemClient(config.connection, { logger, clock: opts.clock });
  let url: string | null = null;
  const events = createIncidentEvents();
  const api =
    opts.api === false
      ? null
      : await buildApiApp({
          store,
          logger,
          clock: opts.clock,
          fetching: config.fetch.enabled,
          console: {
            client,
            events,
            // No authentication exists yet on this API: every route is open, as /api/incidents is.
            requireRole: () => async () => {},
            fetchFilters: { searchTerm: config.fetch.searchTerm, severities: config.fetch.severities },
          },
        });
  try {
    if (api && opts.api !== false) {
      url = await api.listen({ host: opts.api?.host ?? '127.0.0.1', port: opts.api?.port ?? 3000 });
    }
  } catch (err) {
    await Promise.allSettled([api?.close(), client.close(), store.close()]);
    throw err;
  }
  const stop = new AbortController();
  const loop = runFetchLoop(
    {
      client,
      store,
      options: config.fetch,
      logger,
      clock: opts.clock,
      onRun: (result) => {
        if (result.incidents.length > 0) {
          events.publish({
            origin: 'fetch',
            ids: result.incidents.map((i) => i.id),
            at: new Date(result.endedAt).toISOString(),
          });
        }
        opts.onRun?.(result);
      },
    },
    stop.signal,
  ).catch((err) => logger.error({ err }, 'fetch loop stopped'));
  let closed = false;
  return {
    url,
    options: config.fetch,
    store,
    client,
    async close() {
      if (closed) return;
      closed = true;
      stop.abort(new Error('connector shutting down'));
      await loop;
      await Promise.allSettled([api?.close(), client.close()]);
      await store.close();
    },
  };
}
