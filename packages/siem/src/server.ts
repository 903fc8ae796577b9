import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Credentials } from '@siemlink/contracts';
import { buildListenerApp, buildSiemApp, type SiemApp } from './app.ts';
import { systemClock, type Clock } from './clock.ts';
import { loadSiemConfig, type SiemConfig } from './config.ts';
import type { SiemContext } from './context.ts';
import { createFaults, type Faults } from './faults.ts';
import { createLogger } from './logger.ts';
import { openSqliteStore } from './store/store.ts';
import { createSqliteRepositories } from './repositories.ts';
import { storeRecorder } from './modules/events/recorder.ts';
import { storeFeedStreamer } from './modules/feed/streamer.ts';
import { withEventFaults } from './modules/admin/fault-events.ts';
import { withFeedFaults } from './modules/admin/fault-feed.ts';
import { bootstrapAccounts } from './bootstrap.ts';
import { RULE_ENGINE_SERVICE, ruleScannerFor, runRuleEngine } from './modules/rules/rule-engine.ts';
import { DEMO_SERVICE, runDemo } from './demo/run.ts';
import { createHealth } from './health/health.ts';
import { supervise } from './health/supervise.ts';

export interface SiemServer {
  ctx: SiemContext;
  api: SiemApp;
  listener: SiemApp;
  credentials: Credentials;
  /** Resolves once demo history is written and the rule engine has installed its rules. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface StartSiemOptions {
  logger?: Logger;
  clock?: Clock;
  faults?: Faults;
}

/** Creates the context (store, clock, logger) for one SIEM instance. */
export function createSiemContext(config: SiemConfig, opts: StartSiemOptions = {}): SiemContext {
  const logger = opts.logger ?? createLogger();
  const store = openSqliteStore({
    path: config.dataDir === ':memory:' ? ':memory:' : join(config.dataDir, 'siem.db'),
  });
  const clock = opts.clock ?? systemClock;
  const repos = createSqliteRepositories(store);
  const faults = opts.faults ?? createFaults();
  const securityEvents = storeRecorder(repos.events);
  // Fault injection wraps the events writer and the feed only when enabled: otherwise no
  // product path reads a fault setting.
  const injecting = config.faultInjection;
  return {
    config,
    store,
    clock,
    faults,
    logger,
    repos,
    accounts: repos.accounts,
    securityEvents: injecting
      ? withEventFaults(securityEvents, { faults, pending: repos.pendingEvents, tx: (fn) => store.tx(fn) })
      : securityEvents,
    feed: injecting ? withFeedFaults(storeFeedStreamer, faults) : storeFeedStreamer,
    health: createHealth(clock),
    urls: { api: '', listener: '' },
  };
}

/** Starts the API and the listener, bootstraps accounts, then runs the background services. */
export async function startSiem(input: unknown, opts: StartSiemOptions = {}): Promise<SiemServer> {
  const config = loadSiemConfig(input);
  const ctx = createSiemContext(config, opts);
  const api = await buildSiemApp(ctx);
  const listener = await buildListenerApp(ctx);
  for (const app of [api, listener]) {
    // Slow or stuck clients must not hold sockets forever.
    app.server.keepAliveTimeout = 65_000;
    app.server.requestTimeout = 5 * 60_000;
    app.server.headersTimeout = 30_000;
  }
  let apiAddr: string;
  let listenerAddr: string;
  try {
    apiAddr = await api.listen({ host: config.host, port: config.port });
    listenerAddr = await listener.listen({ host: config.host, port: config.listenerPort });
  } catch (err) {
    // A port in use must not leave the other server (and the store) open: the process would hang.
    await Promise.allSettled([api.close(), listener.close()]);
    ctx.store.close();
    throw err;
  }
  ctx.urls.api = apiAddr;
  ctx.urls.listener = listenerAddr;
  const credentials = bootstrapAccounts(ctx);

  const stop = new AbortController();
  const services: Promise<void>[] = [];
  // A service that fails is restarted after a capped backoff, never left stopped for good.
  const run = (name: string, fn: (c: SiemContext, s: AbortSignal) => Promise<void>) =>
    services.push(
      supervise({
        name,
        reporter: ctx.health.service(name),
        clock: ctx.clock,
        logger: ctx.logger,
        signal: stop.signal,
        run: (s) => fn(ctx, s),
      }),
    );
  // With demo data the engine starts once the history is written, so its first evaluation
  // (and the demo's replay over that history) sees it.
  const historyWritten = Promise.withResolvers<void>();
  if (config.demo) run(DEMO_SERVICE, (c, s) => runDemo(c, s, {}, historyWritten.resolve));
  else historyWritten.resolve();
  const ready = Promise.withResolvers<void>();
  if (config.rulesEngine) {
    run(RULE_ENGINE_SERVICE, async (c, s) => {
      await Promise.race([
        historyWritten.promise,
        new Promise((r) => s.addEventListener('abort', r, { once: true })),
      ]);
      if (s.aborted) return;
      // Windows are read in worker threads; on shutdown the scans in flight finish and are stored.
      const scanner = ruleScannerFor(c);
      try {
        await runRuleEngine(c, s, ready.resolve, scanner);
      } finally {
        await scanner.close('drain');
      }
    });
  } else {
    void historyWritten.promise.then(ready.resolve);
  }
  stop.signal.addEventListener('abort', () => ready.resolve(), { once: true });

  let closed = false;
  return {
    ctx,
    api,
    listener,
    credentials,
    ready: ready.promise,
    async close() {
      if (closed) return;
      closed = true;
      stop.abort(new Error('SIEM shutting down'));
      await Promise.allSettled(services);
      await Promise.allSettled([api.close(), listener.close()]);
      ctx.store.close();
    },
  };
}
