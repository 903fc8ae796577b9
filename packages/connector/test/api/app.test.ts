import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApiApp } from '../../src/api/app.ts';
import { fetchIncidentsOnce } from '../../src/fetch/fetcher.ts';
import { harness, MIN, silent } from '../helpers.ts';

async function setup(t: Parameters<typeof harness>[0]) {
  const h = harness(t);
  h.siem.add(3, { eventDate: h.clock.now() - 30 * MIN, severity: 'HIGH', step: 1000 });
  h.siem.add(2, { eventDate: h.clock.now() - 20 * MIN, severity: 'LOW', step: 1000 });
  await fetchIncidentsOnce(h.deps());
  const app = await buildApiApp({ store: h.store, logger: silent, clock: h.clock, fetching: true });
  t.after(() => app.close());
  return { h, app };
}

test('GET /api/incidents: filters and paging', async (t) => {
  const { app } = await setup(t);
  const all = await app.inject('/api/incidents');
  assert.equal(all.statusCode, 200);
  assert.equal(all.json().total, 5);
  assert.deepEqual(all.json().pagination, { page: 1, pageSize: 50 });
  assert.equal((await app.inject('/api/incidents?severity=HIGH')).json().total, 3);
  assert.equal((await app.inject('/api/incidents?severity=1,3')).json().total, 5);
  assert.equal((await app.inject('/api/incidents?minSeverity=2')).json().total, 3);
  assert.equal((await app.inject('/api/incidents?status=new')).json().total, 5);
  const page = (await app.inject('/api/incidents?page=2&pageSize=2')).json();
  assert.equal(page.results.length, 2);
  const from = new Date(Date.UTC(2026, 0, 1, 12) - 25 * MIN).toISOString();
  assert.equal((await app.inject(`/api/incidents?from=${from}`)).json().total, 2);
});

test('GET /api/incidents: bad input is a 400 naming the field', async (t) => {
  const { app } = await setup(t);
  for (const [url, field] of [
    ['/api/incidents?status=open', 'query.status'],
    ['/api/incidents?severity=CRITICAL', 'query.severity'],
    ['/api/incidents?pageSize=0', 'querystring.pageSize'],
    ['/api/incidents?page=1e20', 'querystring.page'],
    ['/api/incidents?page=99999999999999999999', 'querystring.page'],
    ['/api/incidents?from=99999999999999999999', 'query.from'],
    ['/api/incidents?from=yesterday', 'query.from'],
    ['/api/incidents?bogus=1', 'querystring.bogus'],
  ] as const) {
    const r = await app.inject(url);
    assert.equal(r.statusCode, 400, url);
    assert.equal(r.json().errorCode, 'VALIDATION_FAILED', url);
    assert.equal(r.json().field, field, url);
  }
});

test('GET/PATCH /api/incidents/:id', async (t) => {
  const { app } = await setup(t);
  const id = (await app.inject('/api/incidents')).json().results[0].id as string;
  const one = await app.inject(`/api/incidents/${encodeURIComponent(id)}`);
  assert.equal(one.statusCode, 200);
  assert.equal(one.json().status, 'new');
  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/incidents/${encodeURIComponent(id)}`,
    payload: { status: 'active', owner: 'ann' },
  });
  assert.equal(patched.statusCode, 200);
  assert.equal(patched.json().status, 'active');
  assert.equal(patched.json().owner, 'ann');
  const missing = await app.inject({
    method: 'PATCH',
    url: '/api/incidents/nope',
    payload: { status: 'closed' },
  });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().errorCode, 'INCIDENT_NOT_FOUND');
  assert.equal((await app.inject('/api/incidents/nope')).statusCode, 404);
  for (const payload of [{ status: 'done' }, {}, { owner: 'a', extra: 1 }]) {
    const bad = await app.inject({
      method: 'PATCH',
      url: `/api/incidents/${encodeURIComponent(id)}`,
      payload,
    });
    assert.equal(bad.statusCode, 400, JSON.stringify(payload));
    assert.equal(bad.json().errorCode, 'VALIDATION_FAILED');
    assert.ok(bad.json().field.startsWith('body'), JSON.stringify(bad.json()));
  }
  const badStatus = await app.inject({
    method: 'PATCH',
    url: `/api/incidents/${encodeURIComponent(id)}`,
    payload: { status: 'done' },
  });
  assert.deepEqual(badStatus.json(), {
    errorCode: 'VALIDATION_FAILED',
    message: 'body.status must be one of new, active, closed',
    field: 'body.status',
  });
  // Nothing was half written.
  assert.equal((await app.inject(`/api/incidents/${encodeURIComponent(id)}`)).json().status, 'active');
});

test('GET /api/health: last run, lag, counts, gaps, fetching', async (t) => {
  const { app } = await setup(t);
  const h = (await app.inject('/api/health')).json();
  assert.equal(h.status, 'ok');
  assert.equal(h.fetching, true);
  assert.equal(h.lastRun.count, 5);
  assert.equal(h.lagSeconds, 180);
  assert.deepEqual(h.counts, { new: 5, active: 0, closed: 0 });
  assert.equal(h.incidentsTotal, 5);
  assert.deepEqual(h.gaps, []);
});
