import { resolve } from 'node:path';
import { loadRulesFile, loadSiemConfig, loadTlsFiles, startSiem } from '@siemlink/siem';
import { argumentError, envPort } from '../options.ts';
import type { ServeOptions } from '../verbs/siem-options.ts';
import { cliLogger } from '../connector-options.ts';
import { boundUrl } from '../addresses/bound-url.ts';
import { lockSiemDataDir } from '../data-dir/locks.ts';

export type { ServeOptions };

/** Both TLS flags or neither; paths resolved. The files themselves are checked by loadTlsFiles. */
function tlsFrom(opts: ServeOptions) {
  if (!opts.tlsCert && !opts.tlsKey) return undefined;
  if (!opts.tlsCert) throw argumentError('--tls-key needs --tls-cert (env SIEMLINK_TLS_CERT) too');
  if (!opts.tlsKey) throw argumentError('--tls-cert needs --tls-key (env SIEMLINK_TLS_KEY) too');
  return { certFile: resolve(opts.tlsCert), keyFile: resolve(opts.tlsKey) };
}

/**
 * Settings for the SIEM from flags, falling back to SIEMLINK_* environment variables. A rules
 * file is checked here so a bad one stops the command with a clear error before anything starts.
 */
export function siemConfigFrom(opts: ServeOptions) {
  const env = process.env;
  const config = {
    dataDir: resolve(opts.dataDir),
    host: opts.host,
    port: opts.port ?? envPort('SIEMLINK_PORT', 8080),
    listenerPort: opts.listenerPort ?? envPort('SIEMLINK_LISTENER_PORT', 8070),
    demo: opts.demo,
    logRequests: env.SIEMLINK_LOG_REQUESTS === '1',
    faultInjection: opts.faultInjection,
    rulesFile: opts.rules ? resolve(opts.rules) : undefined,
    tls: tlsFrom(opts),
    presetTokens: {
      logsApiToken: env.SIEMLINK_LOGS_API_TOKEN || undefined,
      siemApiToken: env.SIEMLINK_SIEM_API_TOKEN || undefined,
      shippingToken: env.SIEMLINK_SHIPPING_TOKEN || undefined,
    },
  };
  try {
    loadSiemConfig(config);
  } catch (err) {
    // Name the variable that set a bad preset token (never its value).
    const key = /^\/presetTokens\/(\w+)$/.exec((err as { field?: string }).field ?? '')?.[1];
    const name = key ? PRESET_TOKEN_ENV[key] : undefined;
    if (name) throw argumentError(`${name}: ${(err as Error).message.replace(/^[^:]*: /, '')}`);
    throw err;
  }
  if (opts.rules) loadRulesFile(resolve(opts.rules), Date.now());
  // A missing, unreadable or mismatched certificate/key stops here, before any port opens.
  if (config.tls) loadTlsFiles(config.tls);
  return config;
}

const PRESET_TOKEN_ENV: Record<string, string> = {
  logsApiToken: 'SIEMLINK_LOGS_API_TOKEN',
  siemApiToken: 'SIEMLINK_SIEM_API_TOKEN',
  shippingToken: 'SIEMLINK_SHIPPING_TOKEN',
};

/** `serve`: the SIEM until SIGINT/SIGTERM. */
export async function runServe(opts: ServeOptions): Promise<void> {
  // Logs go to stderr so stdout holds only the lines below.
  const logger = cliLogger(process.env.SIEMLINK_LOG_LEVEL ?? 'info');
  const config = siemConfigFrom(opts);
  const lock = lockSiemDataDir(config.dataDir, 'siemlink serve');
  let siem: Awaited<ReturnType<typeof startSiem>>;
  try {
    siem = await startSiem(config, { logger });
  } catch (err) {
    lock.release();
    throw err;
  }
  console.log(`SIEM API      ${boundUrl(siem.api.server, siem.ctx.urls.api)}`);
  console.log(`Log listener  ${boundUrl(siem.listener.server, siem.ctx.urls.listener)}`);
  const file = resolve(opts.dataDir, 'credentials.json');
  console.log(
    siem.credentials.accounts.length > 0
      ? `Credentials   ${file}`
      : `Credentials   MISSING: ${file} (the SIEM keeps only token hashes; restore the file)`,
  );
  await waitForSignal();
  await siem.close();
  lock.release();
}

/** Resolves on SIGINT/SIGTERM so servers close cleanly. */
export function waitForSignal(): Promise<void> {
  return new Promise((resolveWait) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolveWait();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
