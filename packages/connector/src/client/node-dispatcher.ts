import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { Transform } from 'node:stream';
import { http, https } from './builtins.ts';
import type { DispatchRequest, DispatchResponse, HttpDispatcher } from './dispatcher.ts';

/** A headers or body timeout; the transport tells timeouts by this name (as AbortSignal.timeout's). */
function timeoutError(what: string, ms: number): Error {
  return Object.assign(new Error(`no ${what} within ${ms} ms`), { name: 'TimeoutError' });
}

export interface NodeDispatcherOptions {
  /** Agent for http: origins (keep-alive). Each agent is made at its first use. */
  httpAgent: () => HttpAgent;
  /** Agent for https: origins (keep-alive, CA, verification; a CONNECT tunnel behind a proxy). */
  httpsAgent: () => HttpsAgent;
  /** http: targets are sent to this proxy in absolute form, through its own agent. */
  forwardProxy?: { url: URL; authorization?: string; agent: () => HttpAgent | HttpsAgent };
}

/**
 * The client's HTTP/1.1 dispatcher on node:http and node:https: a one-shot CLI run then loads
 * none of undici (its own parser, in WebAssembly, and TLS plumbing: about 12 MB and 100 ms).
 * `headersTimeout` bounds the wait for the response head (connect included); `bodyTimeout` the
 * wait for each body chunk while the reader waits for one (a slow reader is not a timeout).
 */
export function createNodeDispatcher(opts: NodeDispatcherOptions): HttpDispatcher {
  const made: (HttpAgent | HttpsAgent)[] = [];
  const once = <A extends HttpAgent | HttpsAgent>(make: () => A) => {
    let agent: A | undefined;
    return () => {
      if (!agent) made.push((agent = make()));
      return agent;
    };
  };
  const agents: Agents = {
    http: once(opts.httpAgent),
    https: once(opts.httpsAgent),
    ...(opts.forwardProxy ? { forward: { ...opts.forwardProxy, agent: once(opts.forwardProxy.agent) } } : {}),
  };
  return {
    request: (req) => send(agents, req),
    close: async () => {
      for (const agent of made) agent.destroy();
    },
  };
}

interface Agents {
  http: () => HttpAgent;
  https: () => HttpsAgent;
  forward?: { url: URL; authorization?: string; agent: () => HttpAgent | HttpsAgent };
}

function send(agents: Agents, req: DispatchRequest): Promise<DispatchResponse> {
  const target = new URL(req.path, req.origin);
  const secure = target.protocol === 'https:';
  const forward = secure ? undefined : agents.forward;
  const headers = { ...req.headers };
  if (forward?.authorization) headers['proxy-authorization'] = forward.authorization;
  return new Promise<DispatchResponse>((resolve, reject) => {
    const { signal } = req;
    if (signal?.aborted) return reject(signal.reason);
    const viaHttps = forward ? forward.url.protocol === 'https:' : secure;
    const outgoing = (viaHttps ? https().request : http.request)({
      ...(forward
        ? {
            host: hostOf(forward.url),
            port: forward.url.port || (viaHttps ? 443 : 80),
            path: target.href,
            headers: { host: target.host, ...headers },
            agent: forward.agent(),
          }
        : {
            host: hostOf(target),
            port: target.port || (secure ? 443 : 80),
            path: req.path,
            headers,
            agent: secure ? agents.https() : agents.http(),
          }),
      method: req.method,
    });
    let body: Transform | undefined;
    const abort = () => {
      outgoing.destroy(signal!.reason);
      body?.destroy(signal!.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
    const unlisten = () => signal?.removeEventListener('abort', abort);
    const headersTimer = setTimeout(
      () => outgoing.destroy(timeoutError('response headers', req.headersTimeout)),
      req.headersTimeout,
    );
    outgoing.once('error', (err) => {
      clearTimeout(headersTimer);
      unlisten();
      reject(err);
    });
    outgoing.once('response', (res: IncomingMessage) => {
      clearTimeout(headersTimer);
      body = idleLimited(res, req.bodyTimeout);
      body.once('close', unlisten);
      resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body });
    });
    outgoing.end(req.body);
  });
}

/** A URL's host name as node:http takes it (an IPv6 address without its brackets). */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * The response body through a pass-through whose timer restarts at each chunk. When it fires
 * with chunks still unread (the reader is behind, the socket paused), it starts again.
 */
function idleLimited(res: IncomingMessage, ms: number): Transform {
  const body = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      timer.refresh();
      cb(null, chunk);
    },
  });
  const timer = setTimeout(function check() {
    if (body.readableLength > 0 || body.writableLength > 0 || res.readableLength > 0) timer.refresh();
    else body.destroy(timeoutError('response body data', ms));
  }, ms);
  res.on('error', (err) => body.destroy(err));
  // An early destroy (a capped read, an abort) must free the socket too.
  body.once('close', () => {
    clearTimeout(timer);
    if (!res.complete) res.destroy();
  });
  // Once the whole body has arrived, nothing is awaited from the network.
  res.once('end', () => clearTimeout(timer));
  return res.pipe(body);
}
