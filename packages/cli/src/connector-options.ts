import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import { createLogger } from '@siemlink/siem/logger.ts';
import { createSiemClient, type SiemlinkClient } from '@siemlink/connector/client/index.ts';
import { loadConnectorConfig, type ConfigInput, type ConnectorConfig } from '@siemlink/connector/config.ts';
import { systemClock, type Clock } from '@siemlink/connector/context.ts';
import type { CommandDeps } from '@siemlink/connector/commands/define.ts';
import { createProgress } from './progress.ts';
import { resolveTarget } from './target/resolve-target.ts';
import type { ConnectionFlags } from './verbs/connection-options.ts';

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
 * `up` and `serve` get its token redaction (shipping tokens sit in listener URLs).
 */
export function cliLogger(
  level = process.env.SIEMLINK_LOG_LEVEL ?? 'warn',
  destination: DestinationStream = pino.destination(2),
): Logger {
  return createLogger({ level }, destination);
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
  const logger = cliLogger();
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
