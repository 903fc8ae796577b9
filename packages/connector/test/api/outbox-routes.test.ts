import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { buildApiApp } from '../../src/api/app.ts';
import { createAuth } from '../../src/auth/service.ts';
import { createDispatcher } from '../../src/outbox/dispatcher.ts';
import { TestClock, silent } from '../helpers.ts';
import { ROUTED_STORES, ScriptedSink, dispatched, incident } from '../outbox/helpers.ts';

const T0 = Date.UTC(2026, 0, 2, 8);

async function setup(t: Parameters<(typeof ROUTED_STORES)[0]['open']>[0]) {
  const db = (await ROUTED_STORES[0]!.open(t, [{ sink: 'hook' }]))!;
  const clock = new TestClock(T0);
  await db.store.insertIncidents(
    [1, 2, 3].map((n) => incident(n)),
    T0,
  );
  const sink = new ScriptedSink();
  sink.script = (i) =>
    i.incident.id === incident(2).id
      ? { ok: false, error: 'HTTP 400', status: 400, body: 'nope' }
      : { ok: true, remoteId: 'R' };
  const d = createDispatcher({
    outbox: db.store.outbox,
    sinks: [dispatched('hook', sink)],
    owner: 't',
    clock,
    logger: silent,
  });
  const auth = createAuth({ store: db.store, clock });
  const api = await buildApiApp({
    store: db.store,
    logger: silent,
    clock,
    fetching: true,
    auth,
    sinks: ['hook'],
  });
  t.after(() => api.close());
  // Every /api route needs credentials: the requests below carry an admin's API key.
  const headers = {
    authorization: `Bearer ${(await auth.createApiKey('outbox-test', 'admin', 'test')).key}`,
  };
  const app = {
    inject: (o: string | InjectOptions) =>
      api.inject(
        typeof o === 'string' ? { url: o, headers } : { ...o, headers: { ...o.headers, ...headers } },
      ),
  };
  const analyst = {
    authorization: `Bearer ${(await auth.createApiKey('outbox-analyst', 'analyst', 'test')).key}`,
  };
  const asAnalyst = (o: InjectOptions) => api.inject({ ...o, headers: { ...o.headers, ...analyst } });
  return { store: db.store, clock, d, app, sink, asAnalyst };
}

test('outbox API: health per sink, list, replay, purge, pause/resume, deliveries', async (t) => {
  const { clock, d, app, sink } = await setup(t);
  clock.advance(90_000);
  let health = (await app.inject('/api/health')).json();
  assert.deepEqual(health.sinks[0], {
    sink: 'hook',
    configured: true,
    paused: false,
    backlog: 3,
    dead: 0,
    delivered: 0,
    oldestPendingAgeSeconds: 90,
    pendingAttempts: 0,
    maxAttempts: 0,
    lastError: null,
    lastErrorAt: null,
    lastDeliveredAt: null,
  });
  await d.drain();
  health = (await app.inject('/api/health')).json();
  assert.equal(health.sinks[0].backlog, 0);
  assert.equal(health.sinks[0].dead, 1);
  assert.equal(health.sinks[0].delivered, 2);
  assert.equal(health.sinks[0].lastError, 'HTTP 400');

  const dead = (await app.inject('/api/outbox?state=dead')).json().results;
  assert.equal(dead.length, 1);
  assert.equal(dead[0].lastBody, 'nope');
  const deliveries = (
    await app.inject(`/api/incidents/${encodeURIComponent(incident(1).id)}/deliveries`)
  ).json();
  assert.equal(deliveries.results[0].remoteId, 'R');
  assert.equal(deliveries.results[0].sink, 'hook');

  const paused = await app.inject({ method: 'POST', url: '/api/sinks/hook/pause' });
  assert.deepEqual(paused.json(), { sink: 'hook', paused: true });
  sink.script = undefined;
  const replay = await app.inject({ method: 'POST', url: '/api/outbox/replay', payload: { sink: 'hook' } });
  assert.deepEqual(replay.json(), { replayed: 1 });
  assert.equal(await d.drain(), 0, 'paused');
  assert.equal((await app.inject('/api/sinks')).json().results[0].paused, true);
  await app.inject({ method: 'POST', url: '/api/sinks/hook/resume' });
  assert.equal(await d.drain(), 1);

  const none = await app.inject({ method: 'POST', url: '/api/outbox/purge', payload: {} });
  assert.deepEqual(none.json(), { purged: 0 });
});

test('outbox API: bad input is a 400 naming the field; an unknown sink is a 404', async (t) => {
  const { app } = await setup(t);
  const bad = await app.inject('/api/outbox?state=gone');
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().field, 'querystring.state');
  const ids = await app.inject({ method: 'POST', url: '/api/outbox/replay', payload: { ids: ['x'] } });
  assert.equal(ids.statusCode, 400);
  assert.match(ids.json().field, /^body\.ids/);
  const unknown = await app.inject({ method: 'POST', url: '/api/sinks/nope/pause' });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().errorCode, 'SINK_NOT_FOUND');
  const inc = await app.inject('/api/incidents/nope/deliveries');
  assert.equal(inc.statusCode, 404);
});

test('outbox API roles: an analyst may replay, pause and resume; purging dead letters takes an admin', async (t) => {
  const { clock, d, asAnalyst, store } = await setup(t);
  clock.advance(90_000);
  await d.drain();
  assert.equal((await store.outbox.list({ state: 'dead', limit: 10 })).length, 1);
  const purge = await asAnalyst({ method: 'POST', url: '/api/outbox/purge', payload: {} });
  assert.equal(purge.statusCode, 403);
  assert.equal((await store.outbox.list({ state: 'dead', limit: 10 })).length, 1, 'nothing purged');
  const replay = await asAnalyst({ method: 'POST', url: '/api/outbox/replay', payload: { sink: 'hook' } });
  assert.equal(replay.statusCode, 200);
  assert.equal(replay.json().replayed, 1);
  for (const action of ['pause', 'resume']) {
    const r = await asAnalyst({ method: 'POST', url: `/api/sinks/hook/${action}` });
    assert.equal(r.statusCode, 200, action);
  }
});
