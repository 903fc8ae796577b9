import type { AddressInfo } from 'node:net';

/** What a listening server reports: `server.address()`. */
export interface Bound {
  address(): AddressInfo | string | null;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '::0']);

/**
 * The address a server really listens on, for the banner. Fastify's `listen()` answers
 * `http://127.0.0.1:P` for `--host 0.0.0.0`, which hides that every interface is open; this
 * says so and still gives the local URL to click.
 */
export function boundUrl(server: Bound, localUrl: string): string {
  const a = server.address();
  if (!a || typeof a === 'string') return localUrl;
  const scheme = new URL(localUrl).protocol;
  const host = a.family === 'IPv6' || a.address.includes(':') ? `[${a.address}]` : a.address;
  const url = `${scheme}//${host}:${a.port}`;
  if (!WILDCARDS.has(a.address)) return url;
  return `${url} (all interfaces; on this machine ${localUrl})`;
}
