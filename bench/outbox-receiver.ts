/**
 * The bench's webhook receiver, in its own process (so it does not share the connector's event
 * loop): stores the first body per Idempotency-Key (in memory), answers 200, and on
 * `GET /count` says how many it has and how many requests were repeats. Prints its URL.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const seen = new Set<string>();
let requests = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ unique: seen.size, requests }));
    return;
  }
  req.resume();
  req.on('end', () => {
    requests++;
    seen.add(String(req.headers['idempotency-key']));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
