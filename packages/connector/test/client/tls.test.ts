import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSiemClient, type ConnectorError } from '../../src/client/index.ts';
import { instantClock, memoryLogger, SECURITY_TOKEN } from './helpers.ts';

/** A self-signed certificate for 127.0.0.1, made with the system openssl (skipped without it). */
function selfSigned(dir: string): { key: string; cert: string; certFile: string } | undefined {
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  return {
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    certFile: join(dir, 'cert.pem'),
  };
}

test('TLS: an unknown CA is refused, --ca-file trusts it, insecure skips verification', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pems = selfSigned(dir);
  if (!pems) return t.skip('openssl not available');
  const server = createServer({ key: pems.key, cert: pems.cert }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accountName: 'tls', accountId: 1 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const apiUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { logger } = memoryLogger();
  const make = (extra: Record<string, unknown>) => {
    const c = createSiemClient(
      { apiUrl, securityToken: SECURITY_TOKEN, retry: { maxAttempts: 1 }, ...extra },
      { logger, clock: instantClock() },
    );
    t.after(() => c.close());
    return c;
  };
  const err = (await make({})
    .whoami('security')
    .catch((e: unknown) => e)) as ConnectorError;
  assert.equal(err.code, 'TLS_ERROR');
  assert.equal(err.kind, 'config');
  assert.match(err.message, /--ca-file/);
  assert.deepEqual(await make({ caFile: pems.certFile }).whoami('security'), {
    accountName: 'tls',
    accountId: 1,
  });
  assert.deepEqual(await make({ insecure: true }).whoami('security'), { accountName: 'tls', accountId: 1 });
});

test('TLS through a CONNECT proxy: the tunnel reaches the target, whose CA comes from --ca-file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pems = selfSigned(dir);
  if (!pems) return t.skip('openssl not available');
  const server = createServer({ key: pems.key, cert: pems.cert }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accountName: req.headers['x-api-token'], accountId: 1 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const connects: { authority: string; auth: string | undefined }[] = [];
  // Tunnels are upgraded sockets, which closeAllConnections does not see: kept to end them.
  const tunnels: Socket[] = [];
  const proxy = createHttpServer();
  proxy.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    connects.push({ authority: req.url!, auth: req.headers['proxy-authorization'] });
    tunnels.push(socket);
    const up = connect(port, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket).pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        for (const s of tunnels) s.destroy();
        proxy.closeAllConnections();
        server.closeAllConnections();
        proxy.close(() => server.close(() => r()));
      }),
  );
  const { logger } = memoryLogger();
  const c = createSiemClient(
    {
      apiUrl: `https://127.0.0.1:${port}`,
      securityToken: SECURITY_TOKEN,
      caFile: pems.certFile,
      proxyUrl: `http://user:pw@127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      retry: { maxAttempts: 1 },
    },
    { logger, clock: instantClock() },
  );
  t.after(() => c.close());
  assert.deepEqual(await c.whoami('security'), { accountName: SECURITY_TOKEN, accountId: 1 });
  assert.deepEqual(connects[0], {
    authority: `127.0.0.1:${port}`,
    auth: `Basic ${Buffer.from('user:pw').toString('base64')}`,
  });
});
