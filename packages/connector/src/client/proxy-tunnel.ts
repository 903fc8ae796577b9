import type { IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent, AgentOptions, RequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { http, https, tls } from './builtins.ts';

/** A CONNECT the proxy answered with a status other than 200; networkError reads `proxyStatus`. */
export class ProxyTunnelError extends Error {
  readonly proxyStatus: number;
  constructor(status: number) {
    super(`the proxy answered HTTP ${status} to CONNECT`);
    this.name = 'ProxyTunnelError';
    this.proxyStatus = status;
  }
}

export interface TunnelOptions extends AgentOptions {
  /** The proxy, without credentials (http: or https:). */
  proxy: URL;
  /** `Proxy-Authorization` value, if the proxy URL had credentials. */
  proxyAuthorization?: string;
  /** TLS options of the connection to an https proxy. */
  proxyTls: ConnectionOptions;
}

/**
 * An https Agent whose sockets are TLS over an HTTP CONNECT tunnel through the proxy: pooled and
 * kept alive like any https socket (Node's Agent takes a socket from `createConnection`'s
 * callback as well as from its return value). A factory, as node:https loads only when needed.
 */
export function createTunnelAgent(opts: TunnelOptions): HttpsAgent {
  const { proxy, proxyAuthorization, proxyTls, ...agent } = opts;
  const viaHttps = proxy.protocol === 'https:';

  class TunnelAgent extends https().Agent {
    override createConnection(
      options: RequestOptions,
      callback?: (err: Error | null, stream: Duplex) => void,
    ): undefined {
      const done = (callback ?? (() => {})) as (err: Error | null, stream?: Duplex) => void;
      const host = options.host ?? 'localhost';
      // An IPv6 literal is the only host with a colon; the authority brackets it.
      const authority = `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 443}`;
      const connect = (viaHttps ? https().request : http.request)({
        host: proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: proxy.port || (viaHttps ? 443 : 80),
        method: 'CONNECT',
        path: authority,
        headers: {
          host: authority,
          ...(proxyAuthorization ? { 'proxy-authorization': proxyAuthorization } : {}),
        },
        agent: false,
        ...(viaHttps ? proxyTls : {}),
      });
      connect.once('connect', (res: IncomingMessage, socket: Socket) => {
        if (res.statusCode !== 200) {
          socket.destroy();
          return done(new ProxyTunnelError(res.statusCode ?? 0));
        }
        // The target's TLS runs inside the tunnel, with the agent's options (CA, verification).
        const target = options as ConnectionOptions;
        done(null, tls().connect({ ...target, socket, servername: target.servername ?? host }));
      });
      // A proxy that answers CONNECT without upgrading (no 'connect' event) refuses it too.
      connect.once('response', (res: IncomingMessage) => {
        res.resume();
        done(new ProxyTunnelError(res.statusCode ?? 0));
      });
      connect.once('error', (err) => done(err));
      connect.end();
      return undefined;
    }
  }
  return new TunnelAgent(agent);
}
