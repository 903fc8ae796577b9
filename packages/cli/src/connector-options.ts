import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { pino, type DestinationStream, type Logger } from 'pino';
import { createLogger } from '@siemlink/siem/logger.ts';
import { createSiemClient, type SiemlinkClient } from '@siemlink/connector/client/index.ts';
import { loadConnectorConfig, type ConfigInput, type ConnectorConfig } from '@siemlink/connector/config.ts';
import { systemClock, type Clock } from '@siemlink/connector/context.ts';
import type { CommandDeps } from '@siemlink/connector/commands/define.ts';
import { createProgress } from './progress.ts';
import { resolveTarget } from './target/resolve-target.ts';

/** Flags every connector verb takes; none has a default, so env and the config file still apply. */
export interface ConnectionFlags {
  apiUrl?: string;
  region?: string;
  securityToken?: string;
  operationsToken?: string;
  config?: string;
  dataDir?: string;
  proxy?: string;
  caFile?: string;
  insecure?: boolean;
  timeoutMs?: string;
  storeUrl?: string;
  /** `--sink KIND:TARGET`, repeatable (up and fetch-incidents). */
  sink?: string[];
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--api-url <url>', 'API base URL, e.g. http://127.0.0.1:8080 (env SIEMLINK_API_URL)')
    .option('--region <code>', 'Logz.io region: us, au, ca, eu, nl, uk, wa (env SIEMLINK_REGION)')
    .option('--security-token <token>', 'API token of the Security account (env SIEMLINK_SECURITY_TOKEN)')
    .option(
      '--operations-token <token>',
      'API token of the Operations account (env SIEMLINK_OPERATIONS_TOKEN)',
    )
    .option('--config <file>', 'JSON config file (env SIEMLINK_CONFIG)')
    .option(
      '--data-dir <dir>',
      'siemlink data directory; incidents in DIR/connector/connector.db (env SIEMLINK_DATA_DIR, default ./.siemlink)',
    )
    .option('--proxy <url>', 'HTTP(S) proxy (env SIEMLINK_PROXY)')
    .option('--ca-file <file>', 'extra CA certificates, PEM (env SIEMLINK_CA_FILE)')
    .option('--insecure', 'do not verify TLS certificates (env SIEMLINK_INSECURE)')
    .option('--timeout-ms <ms>', 'per-request timeout in milliseconds (env SIEMLINK_TIMEOUT_MS)')
    .option(
      '--store-url <url>',
      'PostgreSQL incident store shared by several connectors, postgres://... (env SIEMLINK_STORE_URL; default SQLite in --data-dir)',
    );
}

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

/** `--sink KIND:TARGET` (repeatable), for the verbs that deliver incidents onward. */
export function addSinkOption(cmd: Command): Command {
  return cmd.option(
    '--sink <kind:target>',
    'deliver new incidents onward: webhook:URL, nats:SUBJECT, slack:URL|ENV, xsoar:URL, thehive:URL, syslog:tcp|udp|tls://HOST:PORT; repeatable (env SIEMLINK_SINKS; docs/sinks.md)',
    (value: string, previous: string[] = []) => [...previous, value],
  );
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
