import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { startSiem, type SiemServer } from '@siemlink/siem';
import { loadConnectorConfig, type ConnectionConfig } from '@siemlink/connector/config.ts';
import { createSiemClient } from '@siemlink/connector/client/index.ts';
import { systemClock } from '@siemlink/connector/context.ts';
import { startConnector, type RunningConnector } from '@siemlink/connector/runtime.ts';
import type { FetchRunResult } from '@siemlink/connector/fetch/types.ts';
import { argumentError, envPort } from '../options.ts';
import { cliLogger } from '../connector-options.ts';
import { boundUrl } from '../addresses/bound-url.ts';
import { lockConnectorStore, lockSiemDataDir } from '../data-dir/locks.ts';
import type { DataDirLock } from '../data-dir/lock.ts';
import type { ServeOptions } from '../verbs/siem-options.ts';
import { siemConfigFrom, waitForSignal } from './serve.ts';

export interface UpOptions extends ServeOptions {
  /** Unset: SIEMLINK_CONNECTOR_PORT, else 3000. */
  connectorPort?: number;
  firstFetch?: string;
  maxFetch?: string;
  source?: string;
  intervalSeconds?: string;
  bufferMinutes?: string;
  configIds?: string;
  /** `--sink KIND:TARGET`, repeatable. */
  sink?: string[];
  /** `--playbooks DIR`: the operator's playbook folder (default DIR/playbooks). */
  playbooks?: string;
}

/** Ids of the SIEM account's security configurations, through the API like any client. */
async function configurationIds(connection: ConnectionConfig, logger: Logger): Promise<string[]> {
  const client = createSiemClient(connection, { logger, clock: systemClock });
  try {
    return (await client.listSecurityConfigurations()).map((c) => String(c.id));
  } catch {
    return [];
  } finally {
    await client.close();
  }
}

export interface Up {
  siem: SiemServer;
  connector: RunningConnector;
  close(): Promise<void>;
}

/** One concise line per fetch run: time, new incidents, cursor, lag. */
export function formatRun(r: FetchRunResult): string {
  const time = new Date(r.endedAt).toISOString().slice(11, 19);
  if (r.error) return `${time}  fetch failed: ${r.error} (cursor unchanged; retrying)`;
  let cursor = '-';
  if (r.cursorAfter) {
    const c = JSON.parse(r.cursorAfter) as { eventDate?: number; idsAtDate?: string[]; offset?: string };
    cursor =
      c.eventDate !== undefined
        ? `${new Date(c.eventDate).toISOString()} (+${c.idsAtDate?.length ?? 0} id)`
        : `offset ${c.offset}`;
  }
  const lag = r.lagMs === null ? '-' : `${Math.round(r.lagMs / 1000)} s`;
  const gaps = r.gaps.length ? `  GAP RECORDED x${r.gaps.length}` : '';
  return `${time}  ${String(r.count).padStart(3)} new incident(s)${r.full ? ' (more pending)' : ''}  cursor ${cursor}  lag ${lag}${gaps}`;
}

/**
 * The SIEM with demo data plus the connector configured against it with the panel's defaults
 * (SIEM data in DIR, connector data in DIR/connector). The demo's rule pack is evaluated over
 * the last 30 minutes of demo history when installed, so the first run (at start) already finds
 * security events older than the 3-minute buffer: incidents appear within seconds. Tokens come from the credentials the SIEM
 * bootstrapped, never printed.
 */
export async function startUp(
  opts: UpOptions,
  io: { logger: Logger; print: (line: string) => void },
): Promise<Up> {
  const connectorPort = opts.connectorPort ?? envPort('SIEMLINK_CONNECTOR_PORT', 3000);
  const siemConfig = siemConfigFrom(opts);
  const locks: DataDirLock[] = [lockSiemDataDir(siemConfig.dataDir, 'siemlink up')];
  const releaseLocks = () => {
    for (const l of locks.splice(0)) l.release();
  };
  let siem: SiemServer;
  try {
    siem = await startSiem(siemConfig, { logger: io.logger });
  } catch (err) {
    releaseLocks();
    throw err;
  }
  try {
    // The connector's first run should see the demo's first security events.
    await siem.ready;
    const creds = siem.credentials;
    const security = creds.accounts.find((a) => a.type === 'SIEM');
    const operations = creds.accounts.find((a) => a.type === 'LOGS');
    const caFile = siemConfig.tls ? process.env.SIEMLINK_CA_FILE || siemConfig.tls.certFile : undefined;
    const load = (configIds: string | undefined) =>
      loadConnectorConfig(
        {
          flags: {
            connection: {
              apiUrl: siem.ctx.urls.api,
              securityToken: security?.apiToken,
              operationsToken: operations?.apiToken,
              // Over TLS the connector trusts the SIEM's own certificate (self-signed or not),
              // unless a CA file is configured.
              caFile,
            },
            dataDir: resolve(opts.dataDir),
            ...(opts.playbooks === undefined ? {} : { playbooksDir: resolve(opts.playbooks) }),
            sinks: opts.sink,
            fetch: {
              firstFetch: opts.firstFetch,
              maxFetch: opts.maxFetch,
              source: opts.source,
              intervalSeconds: opts.intervalSeconds,
              bufferMinutes: opts.bufferMinutes,
              configIds,
            },
          },
          env: process.env,
        },
        io.logger,
      );
    let config: ReturnType<typeof load>;
    try {
      config = load(opts.configIds);
    } catch (err) {
      // Feed mode needs configuration ids, which a new SIEM assigns only at its first start:
      // when none is given anywhere, read the feed of every configuration of the SIEM account.
      const field = (err as { field?: string }).field ?? '';
      if (!field.startsWith('fetch.configIds') || !security) throw err;
      const ids = await configurationIds(
        {
          apiUrl: siem.ctx.urls.api,
          securityToken: security.apiToken,
          caFile,
          timeoutMs: 30_000,
          insecure: false,
        },
        io.logger,
      );
      if (ids.length === 0) throw err;
      config = load(ids.join(';'));
    }
    if (!config.connection.securityToken) {
      // Accounts exist but their tokens were only ever shown in credentials.json (the SIEM keeps
      // hashes): fetching could only fail every minute, so stop here and say why.
      throw argumentError(
        `${join(resolve(opts.dataDir), 'credentials.json')} is missing, and the SIEM stores only token hashes: restore that file, set SIEMLINK_SECURITY_TOKEN, or start with an empty --data-dir`,
      );
    }
    const connectorLock = lockConnectorStore(config.dataDir, config.store, 'siemlink up');
    if (connectorLock) locks.push(connectorLock);
    const connector = await startConnector(config, {
      logger: io.logger,
      clock: systemClock,
      api: { host: opts.host, port: connectorPort },
      logRequests: siemConfig.logRequests,
      onRun: (r) => io.print(formatRun(r)),
    });
    return {
      siem,
      connector,
      async close() {
        await connector.close();
        await siem.close();
        releaseLocks();
      },
    };
  } catch (err) {
    await siem.close();
    releaseLocks();
    throw err;
  }
}

/** What `up` prints once started: the URLs, where the tokens are, and what the fetcher does. */
export function upBanner(up: Up, dataDir: string): string[] {
  const api = up.connector.url ?? '-';
  const f = up.connector.options;
  return [
    `SIEM API       ${boundUrl(up.siem.api.server, up.siem.ctx.urls.api)}`,
    `Log listener   ${boundUrl(up.siem.listener.server, up.siem.ctx.urls.listener)}`,
    `Credentials    ${resolve(dataDir, 'credentials.json')}`,
    `Incidents      ${api}/api/incidents`,
    `Health         ${api}/api/health`,
    `Connector API  ${up.connector.url ? boundUrl(up.connector, up.connector.url) : '-'}`,
    up.connector.initialAdmin
      ? `Console login  ${up.connector.initialAdmin.username} / ${up.connector.initialAdmin.password}  (shown once; also in ${up.connector.initialAdmin.file}, "console")`
      : `Console login  see "console" in ${resolve(dataDir, 'credentials.json')} (or: siemlink users reset admin)`,
    ...(up.connector.outbox.sinks.length
      ? [`Sinks          ${up.connector.outbox.sinks.join(', ')} (backlog in /api/health; ${api}/api/outbox)`]
      : []),
    f.enabled
      ? `Fetching security events every ${f.intervalSeconds} s (the newest ${f.bufferMinutes * 60} s wait for indexing), ${f.source} mode. Ctrl-C stops.`
      : 'Incident fetching is disabled (SIEMLINK_FETCH_ENABLED). Ctrl-C stops.',
  ];
}

/** `siemlink up` (what `npm start` runs): both halves until SIGINT/SIGTERM. */
export async function runUp(opts: UpOptions): Promise<void> {
  const up = await startUp(opts, { logger: cliLogger(), print: (l) => console.log(l) });
  for (const line of upBanner(up, opts.dataDir)) console.log(line);
  await waitForSignal();
  await up.close();
}
