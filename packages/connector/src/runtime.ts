import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { buildApiApp } from './api/app.ts';
import { createIncidentEvents, type IncidentEvents } from './api/console/index.ts';
import { createSiemClient, type SiemlinkClient } from './client/index.ts';
import type { ConnectorConfig } from './config.ts';
import type { Clock } from './context.ts';
import { runFetchLoop } from './fetch/fetcher.ts';
import type { FetchRunResult } from './fetch/types.ts';
import type { FetchOptions } from './fetch/options.ts';
import { connectorDbPath, openIncidentStore } from './store/index.ts';
import { startOutbox, type OutboxService } from './outbox/service.ts';
import type { Delivered } from './outbox/dispatcher.ts';
import type { IncidentStore, NewIncident } from './store/types.ts';
import { createAuth } from './auth/service.ts';
import { writeConsoleCredentials } from './auth/console-credentials.ts';
import { captureIncidentLogs, DEFAULT_LOGS_CAP } from './cases/capture-logs.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createPlaybookService } from './playbooks/service.ts';
import { loadPlaybooks } from './playbooks/definition/load.ts';
import { createExpressions } from './playbooks/expressions/expressions.ts';
import { createExecutors } from './playbooks/steps/index.ts';
import { releaseDeadWorkers } from './playbooks/dead-owners.ts';
import type { PlaybookService } from './playbooks/types.ts';

export interface StartConnectorOptions {
  logger: Logger;
  clock: Clock;
  /** Where the incident API listens; `false` for none. Default 127.0.0.1:3000. */
  api?: { host?: string; port?: number } | false;
  /** Per-request log lines of the incident API (the CLI's SIEMLINK_LOG_REQUESTS=1); default off. */
  logRequests?: boolean;
  /** Called after every fetch run (the CLI prints a line). */
  onRun?: (result: FetchRunResult) => void;
  /** Triggering logs kept per new incident (0: none). Default 100. */
  logsCap?: number;
  /** Where sink secrets come from (default process.env). */
  env?: Record<string, string | undefined>;
  /** After each incident delivered to a sink. */
  onDelivered?: (d: Delivered) => void;
  /** false: no playbooks (no trigger, no worker). Default: the built-ins and the playbooks folder. */
  playbooks?: false;
}

/** The first start's console login, created when the store had no user. */
export interface InitialAdmin {
  username: string;
  password: string;
  /** Where it was written (DIR/credentials.json, mode 0600). */
  file: string;
}

export interface RunningConnector {
  /** Base URL of the incident API, or null when it is not served. */
  url: string | null;
  /** The socket address the incident API is bound to (`0.0.0.0` for all interfaces), or null. */
  address(): AddressInfo | string | null;
  options: FetchOptions;
  store: IncidentStore;
  client: SiemlinkClient;
  /** Set only on the start that created the `admin` user: print it once. */
  initialAdmin: InitialAdmin | null;
  outbox: OutboxService;
  /** The playbook engine (trigger, one in-process worker), or null when disabled. */
  playbooks: PlaybookService | null;
  /** What open consoles' live stream (SSE) hears: fetch runs and backfills publish their new incidents. */
  events: IncidentEvents;
  close(): Promise<void>;
}

/** The operator's playbook folder (`--playbooks`, default DATA_DIR/playbooks); the built-ins come too. */
export function playbooksDir(config: Pick<ConnectorConfig, 'dataDir' | 'playbooksDir'>): string {
  return config.playbooksDir ?? join(config.dataDir, 'playbooks');
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
  let playbooks: (PlaybookService & { worker: { wake(): void } | null }) | null = null;
  if (opts.playbooks !== false) {
    const expressions = createExpressions();
    // The default folder may not exist (nothing of the operator's to load); a configured one must.
    const dir = playbooksDir(config);
    const loaded = await loadPlaybooks(
      config.playbooksDir !== undefined || existsSync(dir) ? dir : undefined,
      {
        expressions,
      },
    );
    for (const e of loaded.errors)
      logger.warn({ file: e.file, code: e.code }, `playbook not loaded: ${e.message}`);
    await releaseDeadWorkers(store, opts.clock, logger);
    playbooks = createPlaybookService({
      store,
      playbooks: loaded.playbooks,
      errors: loaded.errors,
      expressions,
      clock: opts.clock,
      logger,
      client,
      executors: createExecutors(client.outbound),
      env: opts.env ?? process.env,
      sinks: outbox.sinks,
    });
    logger.info(
      { playbooks: loaded.playbooks.map((p) => `${p.definition.name}@${p.definition.version}`) },
      'playbooks loaded',
    );
  }
  let url: string | null = null;
  const stop = new AbortController();
  const capture = {
    client,
    store,
    clock: opts.clock,
    logger,
    cap: opts.logsCap ?? DEFAULT_LOGS_CAP,
    signal: stop.signal,
  };
  const auth = createAuth({ store, clock: opts.clock });
  const events = createIncidentEvents();
  let initialAdmin: InitialAdmin | null = null;
  let api: Awaited<ReturnType<typeof buildApiApp>> | null = null;
  try {
    if (opts.api !== false) {
      api = await buildApiApp({
        store,
        logger,
        clock: opts.clock,
        fetching: config.fetch.enabled,
        logRequests: opts.logRequests,
        auth,
        sinks: outbox.sinks,
        ...(playbooks ? { playbooks } : {}),
        refetchLogs: (incident, actor) => captureIncidentLogs(capture, incident, actor),
        console: {
          client,
          events,
          fetchFilters: { searchTerm: config.fetch.searchTerm, severities: config.fetch.severities },
        },
      });
      url = await api.listen({ host: opts.api?.host ?? '127.0.0.1', port: opts.api?.port ?? 3000 });
      const admin = await auth.bootstrapAdmin();
      if (admin) {
        const file = writeConsoleCredentials(config.dataDir, { url, ...admin });
        initialAdmin = { ...admin, file };
      }
    }
  } catch (err) {
    await Promise.allSettled([api?.close(), client.close(), outbox.close(), playbooks?.close()]);
    await store.close();
    throw err;
  }
  // New incidents' triggering logs are captured after their run commits, one at a time, so a
  // slow SIEM delays only the capture, never the fetch loop.
  let captures: Promise<void> = Promise.resolve();
  // Per commit, not per run: a feed run commits in batches as its response streams.
  const onCommit = (inserted: NewIncident[], at: number) => {
    outbox.dispatcher.wake();
    playbooks?.worker?.wake();
    // Open consoles refresh their queue (Server-Sent Events).
    events.publish({ origin: 'fetch', ids: inserted.map((i) => i.id), at: new Date(at).toISOString() });
    if (capture.cap <= 0) return;
    for (const i of inserted) {
      captures = captures
        .then(() => captureIncidentLogs(capture, i, { kind: 'fetch', name: 'fetch' }))
        .then(
          () => {},
          (err: unknown) => {
            if (!stop.signal.aborted) logger.warn({ err, incidentId: i.id }, 'log capture failed');
          },
        );
    }
  };
  const loop = runFetchLoop(
    {
      client,
      store,
      options: config.fetch,
      logger,
      clock: opts.clock,
      onRun: opts.onRun,
      onCommit,
    },
    stop.signal,
  ).catch((err) => logger.error({ err }, 'fetch loop stopped'));
  let closed = false;
  return {
    url,
    address: () => api?.server.address() ?? null,
    options: config.fetch,
    store,
    client,
    initialAdmin,
    outbox,
    playbooks,
    events,
    async close() {
      if (closed) return;
      closed = true;
      stop.abort(new Error('connector shutting down'));
      await loop;
      await captures;
      await Promise.allSettled([api?.close(), playbooks?.close()]);
      await Promise.allSettled([client.close(), outbox.close()]);
      await store.close();
    },
  };
}
