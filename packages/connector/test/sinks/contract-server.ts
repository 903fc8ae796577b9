import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ContractRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface ContractAnswer {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as text/plain. */
  body?: unknown;
  /** Drop the connection instead of answering (the request was processed). */
  drop?: boolean;
}

/**
 * A stand-in for a real service on 127.0.0.1:0: every request is recorded and answered by
 * `handle`, which checks it against the documented contract and answers as the service does.
 * A request `handle` rejects (throws) is answered 599 and its message kept in `violations`.
 */
export class ContractServer {
  requests: ContractRequest[] = [];
  violations: string[] = [];
  private server: Server | undefined;
  port = 0;
  handle: (req: ContractRequest) => ContractAnswer;
  constructor(handle: (req: ContractRequest) => ContractAnswer) {
    this.handle = handle;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const r: ContractRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          json,
        };
        this.requests.push(r);
        let a: ContractAnswer;
        try {
          a = this.handle(r);
        } catch (err) {
          this.violations.push((err as Error).message);
          a = { status: 599, body: `contract violation: ${(err as Error).message}` };
        }
        if (a.drop) {
          req.socket.destroy();
          return;
        }
        const isText = typeof a.body === 'string' || a.body === undefined;
        res
          .writeHead(a.status, {
            'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
            ...a.headers,
          })
          .end(isText ? ((a.body as string | undefined) ?? '') : JSON.stringify(a.body));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
