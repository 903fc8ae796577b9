import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { pino, type Logger } from 'pino';
import type { Clock } from '../../src/context.ts';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: Recorded, res: ServerResponse, n: number) => unknown;

/** A real HTTP server on port 0 standing in for the Logz.io API; records every request. */
export async function fakeApi(t: TestContext, handler: Handler) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(rec);
      Promise.resolve(handler(rec, res, requests.length)).catch((err) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A clock whose sleeps return at once (recording the delay) and advance its time. */
export function instantClock(startMs = Date.UTC(2026, 10, 22, 12, 0, 0)) {
  const sleeps: number[] = [];
  let now = startMs;
  const clock: Clock & { sleeps: number[] } = {
    sleeps,
    now: () => now,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
    },
  };
  return clock;
}

/** A pino logger that keeps its records for assertions. */
export function memoryLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) records.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), records };
}

export const SECURITY_TOKEN = 'sec-token-0123456789abcdef';
export const OPERATIONS_TOKEN = 'ops-token-0123456789abcdef';

/**
 * A forwarding HTTP proxy (plain http targets, absolute-form request URLs): it lists each request
 * it forwards, so a request that reached its target without passing here is not listed.
 */
export async function forwardingProxy(
  t: TestContext,
): Promise<{ url: string; seen: { method: string; url: string }[] }> {
  const seen: { method: string; url: string }[] = [];
  const proxy = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url! });
    const target = new URL(req.url!);
    const up = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode!, upRes.headers);
        upRes.pipe(res);
      },
    );
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        proxy.closeAllConnections();
        proxy.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, seen };
}
