import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { DestinationStream, Logger } from 'pino';
import { createSiemClient, type SiemlinkClient } from '@siemlink/connector/client/index.ts';
import { loadConnectorConfig, type ConfigInput, type ConnectorConfig } from '@siemlink/connector/config.ts';
import { systemClock, type Clock } from '@siemlink/connector/context.ts';
import type { CommandDeps } from '@siemlink/connector/commands/define.ts';
import { lazyLogger } from './lazy-logger.ts';
import { createProgress } from './progress.ts';
import { resolveTarget } from './target/resolve-target.ts';
import type { ConnectionFlags } from './verbs/connection-options.ts';
import { keepHeapSmall } from './small-heap.ts';

export type { ConnectionFlags };

/** The connection part of the flags as a ConfigInput layer. */
export function flagsToConfig(f: ConnectionFlags, fetch: Record<string, unknown> = {}): ConfigInput {
  return {
    connection: {
      apiUrl: f.apiUrl,
      region: f.region,
      securityToken: f.securityToken,
      operationsToken: f.operationsToken,
      proxyUrl: f.proxy,
      caFile: f.caFile,
      insecure: f.insecure,
      timeoutMs: f.timeoutMs,
    },
    dataDir: f.dataDir,
    fetch,
    store: { url: f.storeUrl },
    sinks: f.sink,
  };
}

/**
 * Structured logs on stderr (stdout carries results), through the SIEM's logger factory so that
 * `up` and `serve` get its token redaction (shipping tokens sit in listener URLs). Loaded with a
 * synchronous require so that lazyCliLogger can build it at its first log line.
 */
export function cliLogger(
  level = process.env.SIEMLINK_LOG_LEVEL ?? 'warn',
  destination?: DestinationStream,
): Logger {
  const require = createRequire(import.meta.url);
  const { createLogger } = require('@siemlink/siem/logger.ts') as typeof import('@siemlink/siem/logger.ts');
  const { pino } = require('pino') as typeof import('pino');
  return createLogger({ level }, destination ?? pino.destination(2));
}

/**
 * cliLogger for the connector's verbs, built on the first line written at its level: pino and the
 * SIEM's logger factory are loaded then (synchronously), not at start (see lazy-logger.ts).
 */
export function lazyCliLogger(level = process.env.SIEMLINK_LOG_LEVEL ?? 'warn'): Logger {
  return lazyLogger(level, () => cliLogger(level));
}

export interface ConnectorRuntime {
  config: ConnectorConfig;
  client: SiemlinkClient;
  logger: Logger;
  clock: Clock;
  deps: CommandDeps;
  /** Erases the progress line; call before printing a result (stdout may be the same terminal). */
  clearProgress(): void;
  /** Aborted on SIGINT/SIGTERM (follow and loop modes stop cleanly). */
  signal: AbortSignal;
  close(): Promise<void>;
}

/** Config from flags > env > file, then the client and the deps a command runs with. */
export function openConnector(flags: ConnectionFlags, fetch: Record<string, unknown> = {}): ConnectorRuntime {
  keepHeapSmall();
  const logger = lazyCliLogger();
  const config = loadConnectorConfig(
    { flags: flagsToConfig(flags, fetch), env: process.env, configFile: flags.config },
    logger,
  );
  config.dataDir = resolve(config.dataDir);
  // Always said, so a verb never talks to real Logz.io (or a local SIEM) without the user seeing it.
  process.stderr.write(`${resolveTarget(config)}\n`);
  const clock = systemClock;
  const client = createSiemClient(config.connection, { logger, clock });
  const ac = new AbortController();
  const onSignal = () => ac.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = createProgress(process.stderr);
  return {
    config,
    client,
    logger,
    clock,
    signal: ac.signal,
    deps: { client, clock, logger, signal: ac.signal, progress: progress.report },
    clearProgress: progress.clear,
    async close() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      progress.clear();
      await client.close();
    },
  };
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
