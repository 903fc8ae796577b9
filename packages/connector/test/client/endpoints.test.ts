import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSiemClient,
  MissingTokenError,
  ConnectorError,
  resolveApiUrl,
  REGIONS,
  DEFAULT_RETRY_POLICY,
} from '../../src/client/index.ts';
import {
  fakeApi,
  forwardingProxy,
  instantClock,
  json,
  memoryLogger,
  OPERATIONS_TOKEN,
  SECURITY_TOKEN,
  type Recorded,
} from './helpers.ts';

const ACCOUNT = {
  accountId: 9,
  accountName: 'n',
  accountsToScan: [1],
  createdAt: '2026-01-01T00:00:00Z',
  isUsingRepositoryAccount: false,
};

/** Answers every endpoint with a minimal valid body. */
function anyEndpoint(req: Recorded, res: import('node:http').ServerResponse) {
  if (req.url.startsWith('/siem/v1/configs/')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end('{ "total": 0, "offset": "a1" }\n');
  }
  if (req.url === '/v2/whoami') return json(res, 200, { accountName: 'a', accountId: 1 });
  if (req.url === '/v1/search') return json(res, 200, { hits: { total: { value: 0 }, hits: [] } });
  if (req.url === '/v2/account-management/siem')
    return json(res, 200, ACCOUNT, { 'x-siemlink-account-api-token': 'new-tok' });
  return json(res, 200, { total: 0, results: [], pagination: { pageNumber: 1, pageSize: 25 } });
}

function make(url: string, tokens: { securityToken?: string; operationsToken?: string }) {
  const { logger } = memoryLogger();
  return createSiemClient({ apiUrl: url, ...tokens }, { logger, clock: instantClock() });
}

test('each endpoint sends its own token and only that one', async (t) => {
  const api = await fakeApi(t, anyEndpoint);
  const c = make(api.url, { securityToken: SECURITY_TOKEN, operationsToken: OPERATIONS_TOKEN });
  t.after(() => c.close());
  await c.searchSecurityEvents({});
  await c.searchEventLogs({ filter: { alertEventId: 'x' } });
  for await (const _ of c.feed({ configIds: ['1', '2'], offset: 'o' }));
  await c.whoami('security');
  await c.searchLogs({ query: { match_all: {} } });
  const created = await c.createSiemAccount({ accountName: 'n', email: 'a@b.c' });
  await c.whoami('operations');
  assert.equal(created.apiToken, 'new-tok');
  const seen = api.requests.map((r) => [
    r.method,
    r.url.split('?')[0],
    r.headers['x-api-token'] === SECURITY_TOKEN ? 'S' : 'O',
  ]);
  assert.deepEqual(seen, [
    ['POST', '/v2/security/rules/events/search', 'S'],
    ['POST', '/v2/security/rules/events/logs/search', 'S'],
    ['GET', '/siem/v1/configs/1;2', 'S'],
    ['GET', '/v2/whoami', 'S'],
    ['POST', '/v1/search', 'O'],
    ['POST', '/v2/account-management/siem', 'O'],
    ['GET', '/v2/whoami', 'O'],
  ]);
  for (const r of api.requests) {
    assert.equal(r.headers['x-user-token'], undefined);
    if (r.method === 'POST') assert.equal(r.headers['content-type'], 'application/json');
  }
});

test('a missing token is a config error naming the flag; nothing is sent', async (t) => {
  const api = await fakeApi(t, anyEndpoint);
  const c = make(api.url, { operationsToken: OPERATIONS_TOKEN });
  t.after(() => c.close());
  const err = (await c.searchSecurityEvents({}).catch((e: unknown) => e)) as MissingTokenError;
  assert.ok(err instanceof MissingTokenError);
  assert.equal(err.code, 'MISSING_TOKEN');
  assert.equal(err.kind, 'config');
  assert.match(err.message, /--security-token/);
  const c2 = make(api.url, { securityToken: SECURITY_TOKEN });
  t.after(() => c2.close());
  await assert.rejects(c2.searchLogs({}), /--operations-token/);
  assert.equal(api.requests.length, 0);
});

test('iterateSecurityEvents stops at a short page and never loops past total', async (t) => {
  const events = Array.from({ length: 2500 }, (_, i) => ({ alertEventId: String(i) }));
  const api = await fakeApi(t, (req, res) => {
    const { pageNumber, pageSize } = JSON.parse(req.body).pagination;
    const results = events.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    json(res, 200, { total: events.length, results, pagination: { pageNumber, pageSize } });
  });
  const c = make(api.url, { securityToken: SECURITY_TOKEN });
  t.after(() => c.close());
  let n = 0;
  for await (const _ of c.iterateSecurityEvents({ filter: { searchTerm: 'x' } })) n++;
  assert.equal(n, 2500);
  assert.equal(api.requests.length, 3);
  assert.deepEqual(JSON.parse(api.requests[0]!.body).filter, { searchTerm: 'x' });

  // A server that ignores paging (always a full page) must not hang the client.
  const stuck = await fakeApi(t, (_req, res) =>
    json(res, 200, {
      total: 20,
      results: Array(10).fill({ alertEventId: 'same' }),
      pagination: { pageNumber: 1, pageSize: 10 },
    }),
  );
  const c2 = make(stuck.url, { securityToken: SECURITY_TOKEN });
  t.after(() => c2.close());
  n = 0;
  for await (const _ of c2.iterateSecurityEvents({ pagination: { pageSize: 10 } })) n++;
  assert.equal(n, 20);
  assert.equal(stuck.requests.length, 2);
});

test('a security event without a string alertEventId is BAD_RESPONSE, never collapsed into one incident', async (t) => {
  const api = await fakeApi(t, (_req, res) =>
    json(res, 200, {
      total: 3,
      results: [{ alertEventId: 'a', eventDate: 1 }, { eventDate: 2 }, { eventDate: 3 }],
      pagination: { pageNumber: 1, pageSize: 25 },
    }),
  );
  const c = make(api.url, { securityToken: SECURITY_TOKEN });
  t.after(() => c.close());
  await assert.rejects(
    c.searchSecurityEvents({}),
    (e: ConnectorError) => e.code === 'BAD_RESPONSE' && /results\[1\].*alertEventId/.test(e.message),
  );
});

test('iterateEventLogs returns exactly size logs and never asks for more than size per page', async (t) => {
  const logs = Array.from({ length: 50 }, (_, i) => ({ i }));
  const api = await fakeApi(t, (req, res) => {
    const { pageNumber, pageSize } = JSON.parse(req.body).pagination;
    json(res, 200, {
      total: logs.length,
      results: logs.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
      pagination: { pageNumber, pageSize },
    });
  });
  const c = make(api.url, { securityToken: SECURITY_TOKEN });
  t.after(() => c.close());
  const got: unknown[] = [];
  for await (const l of c.iterateEventLogs('e1', 7, 5)) got.push(l);
  assert.equal(got.length, 7);
  assert.deepEqual(
    api.requests.map((r) => JSON.parse(r.body).pagination),
    [
      { pageNumber: 1, pageSize: 5 },
      { pageNumber: 2, pageSize: 5 },
    ],
  );
  api.requests.length = 0;
  got.length = 0;
  for await (const l of c.iterateEventLogs('e1', 3, 1000)) got.push(l);
  assert.equal(got.length, 3);
  assert.deepEqual(JSON.parse(api.requests[0]!.body), {
    filter: { alertEventId: 'e1' },
    pagination: { pageNumber: 1, pageSize: 3 },
  });
  assert.equal(api.requests.length, 1);
});

test('regions map to their API hosts; unknown codes list the valid ones', () => {
  assert.equal(resolveApiUrl({ region: 'us' }), 'https://api.logz.io');
  assert.equal(resolveApiUrl({}), 'https://api.logz.io');
  for (const r of REGIONS.filter((x) => x !== 'us'))
    assert.equal(resolveApiUrl({ region: r }), `https://api-${r}.logz.io`);
  assert.equal(resolveApiUrl({ region: 'EU' }), 'https://api-eu.logz.io');
  assert.throws(
    () => resolveApiUrl({ region: 'mars' }),
    (e: ConnectorError) => e.code === 'UNKNOWN_REGION' && /us, au, ca, eu, nl, uk, wa/.test(e.message),
  );
  assert.equal(resolveApiUrl({ apiUrl: 'http://127.0.0.1:8080/', region: 'eu' }), 'http://127.0.0.1:8080');
  assert.equal(resolveApiUrl({ apiUrl: 'https://gw.example/logzio/' }), 'https://gw.example/logzio');
  assert.throws(() => resolveApiUrl({ apiUrl: 'ftp://x' }), /--api-url/);
  assert.throws(() => resolveApiUrl({ apiUrl: 'not a url' }), /--api-url/);
});

test('requests go through proxyUrl (plain http target forwarded by the proxy)', async (t) => {
  const api = await fakeApi(t, anyEndpoint);
  const proxy = await forwardingProxy(t);
  const { logger } = memoryLogger();
  const c = createSiemClient(
    {
      apiUrl: api.url,
      securityToken: SECURITY_TOKEN,
      proxyUrl: proxy.url,
    },
    { logger, clock: instantClock() },
  );
  t.after(() => c.close());
  await c.whoami('security');
  assert.deepEqual(
    proxy.seen.map((r) => r.url),
    [`${api.url}/v2/whoami`],
  );
  assert.equal(api.requests.length, 1);
});

test('a proxy refusing the CONNECT tunnel (407) is a config error, not retried; its 502 is retried', async (t) => {
  let status = 407;
  let connects = 0;
  const proxy = createServer();
  proxy.on('connect', (_req, socket) => {
    connects++;
    socket.end(`HTTP/1.1 ${status} Proxy Says No\r\n\r\n`);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        proxy.closeAllConnections();
        proxy.close(() => r());
      }),
  );
  const { logger } = memoryLogger();
  const c = createSiemClient(
    {
      apiUrl: 'https://api-eu.logz.io',
      securityToken: SECURITY_TOKEN,
      proxyUrl: `http://user:s3cret-proxy-pw@127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    },
    { logger, clock: instantClock() },
  );
  t.after(() => c.close());
  const err = (await c.whoami('security').catch((e: unknown) => e)) as ConnectorError;
  assert.equal(err.code, 'PROXY_ERROR', err.message);
  assert.equal(err.kind, 'config');
  assert.equal(err.field, '--proxy');
  assert.doesNotMatch(err.message, /s3cret-proxy-pw/);
  assert.equal(connects, 1);
  status = 502;
  const again = (await c.whoami('security').catch((e: unknown) => e)) as ConnectorError;
  assert.equal(again.kind, 'transient', again.message);
  assert.equal(connects, 1 + DEFAULT_RETRY_POLICY.maxAttempts);
});

test('caFile must be a readable PEM; insecure warns once per client', () => {
  const { logger, records } = memoryLogger();
  const clock = instantClock();
  assert.throws(
    () => createSiemClient({ caFile: '/nonexistent/ca.pem' }, { logger, clock }),
    (e: ConnectorError) => e.kind === 'config' && /--ca-file/.test(e.message),
  );
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-ca-'));
  writeFileSync(join(dir, 'x.pem'), 'not a cert');
  assert.throws(() => createSiemClient({ caFile: join(dir, 'x.pem') }, { logger, clock }), /no PEM/);
  const c = createSiemClient({ insecure: true }, { logger, clock });
  void c.close();
  assert.equal(records.filter((r) => /verification is DISABLED/.test(String(r.msg))).length, 1);
  assert.throws(() => createSiemClient({ proxyUrl: 'socks5://x' }, { logger, clock }), /--proxy/);
});
