import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Agent as AgentClass, ProxyAgent as ProxyAgentClass, Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { configError } from '../errors.ts';

// undici's index also loads fetch, WebSocket, the cache and mock APIs (about 110 modules, 14 MB,
// a third of a one-shot CLI run's start-up); the client needs the Agent, the ProxyAgent and the
// request API, which the index adds to Dispatcher.prototype (so does this, idempotently). undici
// has no exports map and its version is pinned; client/test/ covers proxy, CA and timeouts.
const require = createRequire(import.meta.url);
const Agent = require('undici/lib/dispatcher/agent.js') as typeof AgentClass;
const ProxyAgent = require('undici/lib/dispatcher/proxy-agent.js') as typeof ProxyAgentClass;
const DispatcherBase = require('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
Object.assign(DispatcherBase.prototype, require('undici/lib/api/index.js') as object);

export interface DispatcherOptions {
  /** Idle time allowed while waiting for headers and between body chunks. */
  timeoutMs: number;
  /** HTTP(S) proxy; https:// targets are tunnelled with CONNECT, http:// ones forwarded. */
  proxyUrl?: string;
  /** PEM file with extra CA certificates (a private CA or a TLS-inspecting proxy). */
  caFile?: string;
  /** Disables certificate verification: logged as a warning when the dispatcher is built. */
  insecure?: boolean;
}

/**
 * The undici dispatcher for one client: plain Agent, or ProxyAgent when a proxy is set; TLS
 * options apply to the target (and to an https proxy). Built once per client, closed with it.
 */
export function createDispatcher(opts: DispatcherOptions, logger: Logger): Dispatcher {
  let ca: string | undefined;
  if (opts.caFile) {
    try {
      ca = readFileSync(opts.caFile, 'utf8');
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'unreadable';
      throw configError('--ca-file', `cannot read "${opts.caFile}" (${code})`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw configError('--ca-file', `"${opts.caFile}" holds no PEM certificate`);
    }
  }
  if (opts.insecure) {
    logger.warn(
      'TLS certificate verification is DISABLED (insecure: true); use --ca-file instead where possible',
    );
  }
  const tls = { ...(ca ? { ca } : {}), ...(opts.insecure ? { rejectUnauthorized: false } : {}) };
  const timeouts = { headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs };
  if (opts.proxyUrl) {
    let proxy: URL;
    try {
      proxy = new URL(opts.proxyUrl);
    } catch {
      throw configError('--proxy', `"${opts.proxyUrl}" is not a valid URL`);
    }
    if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
      throw configError('--proxy', `must be an http(s) URL, got "${proxy.protocol}"`);
    }
    const token =
      proxy.username || proxy.password
        ? `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`
        : undefined;
    proxy.username = '';
    proxy.password = '';
    return new ProxyAgent({
      uri: proxy.toString(),
      ...(token ? { token } : {}),
      requestTls: tls,
      proxyTls: tls,
      ...timeouts,
    });
  }
  return new Agent({ connect: tls, ...timeouts });
}
