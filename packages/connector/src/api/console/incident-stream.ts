import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from './deps.ts';
import type { IncidentsWritten } from './incident-events.ts';

/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 25_000;

/**
 * `GET /api/incidents/stream`: Server-Sent Events, one `incidents` event each time a fetch run or
 * a backfill writes new incidents, so an open queue refreshes itself. Streams end when the
 * client leaves or the server closes (they must not hold the close up).
 */
export function registerIncidentStream(app: FastifyInstance, deps: ConsoleDeps): void {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(
    '/api/incidents/stream',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['console'],
        summary: 'Server-Sent Events: an `incidents` event when fetch runs or backfills write incidents',
      },
    },
    async (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      // `retry` tells EventSource how soon to reconnect after a drop.
      res.write('retry: 3000\n: connected\n\n');
      const send = (e: IncidentsWritten) => {
        res.write(`event: incidents\ndata: ${JSON.stringify(e)}\n\n`);
      };
      const unsubscribe = deps.events.subscribe(send);
      const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
        if (!res.writableEnded) res.end();
      };
      open.add(end);
      req.raw.on('close', end);
    },
  );
}
