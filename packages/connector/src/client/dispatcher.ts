import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { configError } from '../errors.ts';
import { http, https } from './builtins.ts';
import { createNodeDispatcher } from './node-dispatcher.ts';
import { createTunnelAgent } from './proxy-tunnel.ts';

/** One request as the transport makes it (the shape of undici's `Dispatcher.request`). */
export interface DispatchRequest {
  /** `http(s)://host[:port]`. */
  origin: string;
  /** Path and query, already encoded. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Limit of the wait for the response head; a timeout is an error named `TimeoutError`. */
  headersTimeout: number;
  /** Limit of the wait for each chunk of the body. */
  bodyTimeout: number;
}

export interface DispatchResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/**
 * What the transport sends through: this package's (node:http) or an undici Agent, which has the
 * same `request` (tests and callers may pass one).
 */
export interface HttpDispatcher {
  request(req: DispatchRequest): Promise<DispatchResponse>;
  close(): Promise<void>;
}

export interface DispatcherOptions {
  /** HTTP(S) proxy; https:// targets are tunnelled with CONNECT, http:// ones forwarded. */
  proxyUrl?: string;
  /** PEM file with extra CA certificates (a private CA or a TLS-inspecting proxy). */
  caFile?: string;
  /** Disables certificate verification: logged as a warning when the dispatcher is built. */
  insecure?: boolean;
}

/**
 * The dispatcher for one client: keep-alive agents, through the proxy when one is set (https
 * targets by a CONNECT tunnel, http ones forwarded); TLS options apply to the target (and to an
 * https proxy). Built once per client, closed with it.
 */
export function createDispatcher(opts: DispatcherOptions, logger: Logger): HttpDispatcher {
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
    const auth = token ? { authorization: token } : {};
    return createNodeDispatcher({
      httpAgent: () => new http.Agent({ keepAlive: true }),
      httpsAgent: () =>
        createTunnelAgent({
          keepAlive: true,
          ...tls,
          proxy,
          proxyTls: tls,
          ...(token ? { proxyAuthorization: token } : {}),
        }),
      forwardProxy: {
        url: proxy,
        ...auth,
        agent: () =>
          proxy.protocol === 'https:'
            ? new (https().Agent)({ keepAlive: true, ...tls })
            : new http.Agent({ keepAlive: true }),
      },
    });
  }
  return createNodeDispatcher({
    httpAgent: () => new http.Agent({ keepAlive: true }),
    httpsAgent: () => new (https().Agent)({ keepAlive: true, ...tls }),
  });
}
