import type { Logger } from 'pino';
import { buildApiApp } from './api/app.ts';
import { createSiemClient, type SiemlinkClient } from './client/index.ts';
import type { ConnectorConfig } from './config.ts';
import type { Clock } from './context.ts';
import { runFetchLoop } from './fetch/fetcher.ts';
import type { FetchRunResult } from './fetch/types.ts';
import type { FetchOptions } from './fetch/options.ts';
import { connectorDbPath, openIncidentStore } from './store/index.ts';
import { startOutbox, type OutboxService } from './outbox/service.ts';
import type { Delivered } from './outbox/dispatcher.ts';
import type { IncidentStore } from './store/types.ts';

export interface StartConnectorOptions {
  logger: Logger;
  clock: Clock;
  /** Where the incident API listens; `false` for none. Default 127.0.0.1:3000. */
  api?: { host?: string; port?: number } | false;
  /** Called after every fetch run (the CLI prints a line). */
  onRun?: (result: FetchRunResult) => void;
  /** Where sink secrets come from (default process.env). */
  env?: Record<string, string | undefined>;
  /** After each incident delivered to a sink. */
  onDelivered?: (d: Delivered) => void;
}

export interface RunningConnector {
  /** Base URL of the incident API, or null when it is not served. */
  url: string | null;
  options: FetchOptions;
  store: IncidentStore;
  client: SiemlinkClient;
  outbox: OutboxService;
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
  let outbox: OutboxService;
  try {
    outbox = await startOutbox(store, config.sinks ?? [], {
      logger,
      clock: opts.clock,
      env: opts.env ?? process.env,
      run: true,
      onDelivered: opts.onDelivered,
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  const client = createSiemClient(config.connection, { logger, clock: opts.clock });
  let url: string | null = null;
  const api =
    opts.api === false
      ? null
      : await buildApiApp({
          store,
          logger,
          clock: opts.clock,
          fetching: config.fetch.enabled,
          sinks: outbox.sinks,
        });
  try {
    if (api && opts.api !== false) {
      url = await api.listen({ host: opts.api?.host ?? '127.0.0.1', port: opts.api?.port ?? 3000 });
    }
  } catch (err) {
    await Promise.allSettled([api?.close(), client.close(), outbox.close()]);
    await store.close();
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
      onRun: (r) => {
        if (r.count > 0) outbox.dispatcher.wake();
        opts.onRun?.(r);
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
    outbox,
    async close() {
      if (closed) return;
      closed = true;
      stop.abort(new Error('connector shutting down'));
      await loop;
      await Promise.allSettled([api?.close(), client.close(), outbox.close()]);
      await store.close();
    },
  };
}
