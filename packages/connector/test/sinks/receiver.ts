import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookSignature } from '../../src/sinks/webhook.ts';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers one request: a status, or drop the connection after storing it. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'drop-after-store';

/**
 * A webhook receiver as the docs tell one to be written: checks the signature, keeps the first
 * body per Idempotency-Key (a repeat is answered 200 and not stored again), and records every
 * request. `answer` scripts faults per request.
 */
export class WebhookReceiver {
  requests: ReceivedRequest[] = [];
  /** Idempotency-Key -> body, in first-seen order. */
  stored = new Map<string, string>();
  duplicates = 0;
  badSignatures = 0;
  answer: ((req: ReceivedRequest, n: number) => Answer | undefined) | undefined;
  private server: Server | undefined;
  port = 0;
  readonly secret: string | undefined;
  constructor(secret: string | undefined) {
    this.secret = secret;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/incidents`;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(r);
        const a = this.answer?.(r, this.requests.length);
        if (a && a !== 'drop-after-store') {
          res.writeHead(a.status, a.headers ?? {}).end(a.body ?? '');
          return;
        }
        if (this.secret) {
          const ts = String(req.headers['x-siemlink-timestamp']);
          if (req.headers['x-siemlink-signature'] !== webhookSignature(this.secret, ts, r.body)) {
            this.badSignatures++;
            res.writeHead(401).end('bad signature');
            return;
          }
        }
        const key = String(req.headers['idempotency-key']);
        if (this.stored.has(key)) this.duplicates++;
        else this.stored.set(key, r.body);
        if (a === 'drop-after-store') {
          req.socket.destroy();
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ id: `rcv-${this.stored.size}` }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Down: listener closed and open connections cut. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  storedIncidentIds(): string[] {
    return [...this.stored.values()].map((b) => (JSON.parse(b) as { incident: { id: string } }).incident.id);
  }
}
