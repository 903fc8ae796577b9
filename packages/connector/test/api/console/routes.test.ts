import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApiApp } from '../../../src/api/app.ts';
import { createIncidentEvents } from '../../../src/api/console/index.ts';
import { HttpError } from '../../../src/errors.ts';
import type { SiemClient } from '../../../src/client/types.ts';
import { openSqliteIncidentStore } from '../../../src/store/sqlite.ts';
import { createAuth } from '../../../src/auth/service.ts';
import { TestClock, silent } from '../../helpers.ts';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);

async function setup(t: { after(fn: () => unknown): void }, client: Partial<SiemClient> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-console-'));
  mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dir, 'dist', 'assets', 'app-1.js'), 'console.log(1)');
  const store = await openSqliteIncidentStore({ path: join(dir, 'c.db') });
  const clock = new TestClock(NOW);
  const events = createIncidentEvents();
  const auth = createAuth({ store, clock });
  const app = await buildApiApp({
    store,
    logger: silent,
    clock,
    fetching: true,
    auth,
    console: { client: client as SiemClient, events, assetsDir: join(dir, 'dist') },
  });
  t.after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  viewer.authorization = `Bearer ${(await auth.createApiKey('viewer', 'viewer', 'test')).key}`;
  analyst.authorization = `Bearer ${(await auth.createApiKey('analyst', 'analyst', 'test')).key}`;
  return { app, events, store };
}

// Filled by each setup with fresh API keys of these roles.
const viewer = { authorization: '' };
const analyst = { authorization: '' };

test('console assets: the shell at / and client routes, hashed assets cached, /api stays behind auth, JSON 404', async (t) => {
  const { app } = await setup(t);
  for (const url of ['/', '/incidents/logzio:1', '/search']) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, 200, url);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    assert.match(res.headers['content-security-policy'] as string, /script-src 'self'/);
  }
  const js = await app.inject('/assets/app-1.js');
  assert.equal(js.statusCode, 200);
  assert.match(js.headers['cache-control'] as string, /immutable/);
  assert.equal((await app.inject('/assets/..%2F..%2Fc.db')).statusCode, 404);
  assert.equal((await app.inject('/assets/missing.js')).statusCode, 404);
  assert.equal((await app.inject('/api/nothing')).statusCode, 401);
  const api = await app.inject({ url: '/api/nothing', headers: viewer });
  assert.equal(api.statusCode, 404);
  assert.equal(api.json().errorCode, 'NOT_FOUND');
});

test('log search: Lucene + range through /v1/search, newest first, histogram filled; errors name the field', async (t) => {
  const bodies: Record<string, unknown>[] = [];
  const { app } = await setup(t, {
    async searchLogs(body) {
      bodies.push(body);
      const q = JSON.stringify(body);
      if (q.includes('bad:(')) {
        throw new HttpError({
          status: 400,
          message: 'query.bool.must.0.query_string.query: unexpected end of query at 5',
          field: 'query.bool.must.0.query_string.query',
        });
      }
      return {
        hits: {
          total: 2,
          hits: [{ _id: 'a', _source: { '@timestamp': new Date(NOW - 60_000).toISOString(), user: 'x' } }],
        },
        aggregations: { overTime: { buckets: [{ key: NOW - 60_000, doc_count: 2 }] } },
      };
    },
  });
  const ok = await app.inject({
    method: 'POST',
    url: '/api/logs/search',
    headers: viewer,
    payload: { query: 'user:x', from: '1 hour ago', to: 'now' },
  });
  assert.equal(ok.statusCode, 200, ok.body);
  const r = ok.json();
  assert.equal(r.total, 2);
  assert.equal(r.hits[0].id, 'a');
  assert.equal(r.histogram.intervalMs, 60_000);
  assert.equal(r.histogram.buckets.length, 61);
  assert.equal(
    r.histogram.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0),
    2,
  );
  assert.deepEqual((bodies[0]!.sort as unknown[])[0], { '@timestamp': { order: 'desc' } });

  const bad = await app.inject({
    method: 'POST',
    url: '/api/logs/search',
    headers: viewer,
    payload: { query: 'bad:(', from: '1 hour ago' },
  });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json(), {
    errorCode: 'INVALID_QUERY',
    message: 'body.query: unexpected end of query at 5',
    field: 'body.query',
  });
  for (const [payload, field] of [
    [{ query: '*', from: 'someday' }, 'body.from'],
    [{ query: '*', from: 'now', to: '1 hour ago' }, 'body.from'],
    [{ query: '*', from: '30 days ago' }, 'body.from'],
    [{ query: '', from: '1 hour ago' }, 'body.query'],
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/api/logs/search', headers: viewer, payload });
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.equal(res.json().field, field);
  }
  const anon = await app.inject({
    method: 'POST',
    url: '/api/logs/search',
    payload: { query: '*', from: '1h' },
  });
  assert.equal(anon.statusCode, 401);
});

test('rules: list for viewers, enable/disable for analysts only', async (t) => {
  const switched: [number, boolean][] = [];
  const { app } = await setup(t, {
    async searchRules(req) {
      return {
        total: 1,
        results: [{ id: 7, title: String(req.filter?.search ?? 'all') }],
        pagination: {},
      } as never;
    },
    async setRuleEnabled(id, enabled) {
      switched.push([id, enabled]);
      return { id, enabled } as never;
    },
  });
  const list = await app.inject({ url: '/api/rules?search=ssh', headers: viewer });
  assert.equal(list.json().results[0].title, 'ssh');
  assert.equal(
    (await app.inject({ method: 'POST', url: '/api/rules/7/disable', headers: viewer })).statusCode,
    403,
  );
  const off = await app.inject({ method: 'POST', url: '/api/rules/7/disable', headers: analyst });
  assert.equal(off.statusCode, 200);
  assert.deepEqual(switched, [[7, false]]);
  assert.equal(
    (await app.inject({ method: 'POST', url: '/api/rules/x/enable', headers: analyst })).statusCode,
    400,
  );
});

test('security events: search by name and range, newest first; a bad severity names the field', async (t) => {
  const seen: unknown[] = [];
  const { app } = await setup(t, {
    async searchSecurityEvents(req) {
      seen.push(req);
      return { total: 0, results: [], pagination: { pageNumber: 1, pageSize: 50 } } as never;
    },
  });
  const res = await app.inject({
    method: 'POST',
    url: '/api/security-events/search',
    headers: viewer,
    payload: { search: 'ssh', from: '2 hours ago' },
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(seen[0], {
    filter: { timeRange: { fromDate: (NOW - 7_200_000) / 1000, toDate: NOW / 1000 }, searchTerm: 'ssh' },
    sort: [{ field: 'DATE', descending: true }],
    pagination: { pageNumber: 1, pageSize: 50 },
  });
  const bad = await app.inject({
    method: 'POST',
    url: '/api/security-events/search',
    headers: viewer,
    payload: { severities: ['CRITICAL'] },
  });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().field, /^body\.severities/);
});

test('fetch runs and gaps for viewers; an unknown gap is a 404 naming params.id; analysts only', async (t) => {
  const { app } = await setup(t);
  assert.deepEqual((await app.inject({ url: '/api/fetch-runs', headers: viewer })).json(), { results: [] });
  assert.deepEqual((await app.inject({ url: '/api/gaps', headers: viewer })).json(), { results: [] });
  assert.equal(
    (await app.inject({ method: 'POST', url: '/api/gaps/3/backfill', headers: viewer })).statusCode,
    403,
  );
  const res = await app.inject({ method: 'POST', url: '/api/gaps/3/backfill', headers: analyst });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().field, 'params.id');
});

test('incident stream: Server-Sent Events announce new incidents; closing the server ends the stream', async (t) => {
  const { app, events } = await setup(t);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  assert.equal((await fetch(`${url}/api/incidents/stream`)).status, 401);
  const res = await fetch(`${url}/api/incidents/stream`, { headers: viewer });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const readUntil = async (needle: string) => {
    while (!text.includes(needle)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before ${needle}`);
      text += decoder.decode(value);
    }
  };
  await readUntil(': connected');
  assert.equal(events.listenerCount, 1);
  events.publish({ origin: 'fetch', ids: ['logzio:1'], at: new Date(NOW).toISOString() });
  await readUntil('event: incidents');
  await readUntil('\n\n');
  assert.match(text, /data: \{"origin":"fetch","ids":\["logzio:1"\]/);
  await app.close();
  assert.equal((await reader.read()).done, true);
  assert.equal(events.listenerCount, 0);
});

test('OpenAPI: the console routes are documented, the page shell is not', async (t) => {
  const { app } = await setup(t);
  const res = await app.inject({ url: '/api/openapi.json', headers: viewer });
  assert.equal(res.statusCode, 200, res.body);
  const paths = Object.keys(res.json().paths);
  for (const p of [
    '/api/logs/search',
    '/api/rules',
    '/api/security-events/search',
    '/api/gaps/{id}/backfill',
  ])
    assert.ok(paths.includes(p), `${p} missing from ${paths.join(', ')}`);
  assert.ok(!paths.some((p) => p === '/' || p.startsWith('/assets')));
});
