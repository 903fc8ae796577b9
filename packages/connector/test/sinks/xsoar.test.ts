import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSinks, resolveSinks } from '../../src/sinks/index.ts';
import { TestClock, silent } from '../helpers.ts';
import { XSOAR_KEY, XsoarServer } from './xsoar-server.ts';
import { T0, recordingLogger, richIncident, sinkHarness } from './harness.ts';

const KEY = XSOAR_KEY;

async function setup(
  t: Parameters<typeof sinkHarness>[0],
  o: { v8?: boolean; key?: string; logger?: typeof silent; batch?: boolean } = {},
) {
  const xsoar = new XsoarServer(o.v8 ?? false);
  await xsoar.start();
  t.after(() => xsoar.stop());
  const h = await sinkHarness(
    t,
    {
      kind: 'xsoar',
      name: 'soar',
      url: xsoar.origin,
      apiKeyEnv: 'XSOAR_KEY',
      consoleUrl: 'https://console.example',
      ...(o.v8 ? { xsoar8: true, authId: '17' } : {}),
      ...(o.batch ? { batch: true } : {}),
    },
    { XSOAR_KEY: o.key ?? KEY },
    o.logger ?? silent,
  );
  return { xsoar, ...h };
}

function withRaw(n: number) {
  const i = richIncident(n);
  i.raw = {
    alertEventId: i.alertEventId,
    name: i.name,
    severity: 'HIGH',
    eventDate: 1767225601.5,
    groupBy: { src_ip: '10.0.0.5', user: 'alice' },
    hits: 12,
  };
  return i;
}

test('xsoar: searches by the alert event id, then creates the incident as the Logz.io integration maps it', async (t) => {
  const { xsoar, store, dispatcher } = await setup(t);
  const i = withRaw(1);
  await store.insertIncidents([i], T0);
  await dispatcher.drain();
  assert.deepEqual(xsoar.violations, []);
  assert.deepEqual(
    xsoar.requests.map((r) => r.path),
    ['/incidents/search', '/incident'],
  );
  assert.deepEqual(xsoar.requests[0]!.json, {
    filter: { query: 'logzioalerteventid:"e-000001"', page: 0, size: 1 },
  });
  const b = xsoar.requests[1]!.json as Record<string, unknown>;
  assert.equal(b.name, 'Brute force SSH');
  assert.equal(b.type, 'Logz.io Alert');
  assert.equal(b.severity, 3);
  assert.equal(b.occurred, '2026-01-01T00:00:01Z');
  assert.equal(b.createInvestigation, true);
  // As the Logz.io pack's incoming mapper fills them (no alertSummary on this incident: left out).
  assert.deepEqual(b.CustomFields, {
    logzioalertid: 'rule-17',
    logzioalerteventid: 'e-000001',
    logziotags: ['ssh'],
  });
  assert.deepEqual(b.labels, [
    { type: 'alertEventId', value: 'e-000001' },
    { type: 'siemlinkIncidentId', value: 'logzio:e-000001' },
    { type: 'tag', value: 'ssh' },
    { type: 'src_ip', value: '10.0.0.5' },
    { type: 'user', value: 'alice' },
    { type: 'hostname', value: 'web-1' },
  ]);
  assert.match(String(b.details), /Many failed SSH logins/);
  assert.match(String(b.details), /https:\/\/console\.example\/incidents\/logzio%3Ae-000001/);
  // rawJSON as the integration builds it: group-by lifted, hits dropped, datasource set.
  assert.deepEqual(JSON.parse(String(b.rawJSON)), {
    alertEventId: 'e-000001',
    name: 'Brute force SSH',
    severity: 'HIGH',
    eventDate: 1767225601.5,
    src_ip: '10.0.0.5',
    user: 'alice',
    datasource: 'Logz.Io',
  });
  assert.equal((await store.outbox.deliveries(i.id))[0]?.remoteId, '100');
});

test('xsoar: an incident already in XSOAR (created before a lost answer) is not created again', async (t) => {
  const { xsoar, store, dispatcher, clock } = await setup(t);
  xsoar.failAfterCreate = 1;
  await store.insertIncidents([withRaw(1), withRaw(2)], T0);
  for (let k = 0; k < 3; k++) {
    await dispatcher.drain();
    clock.advance(10 * 60_000);
  }
  assert.deepEqual(
    xsoar.incidents.map((i) => (i.CustomFields as { logzioalerteventid: string }).logzioalerteventid),
    ['e-000001', 'e-000002'],
  );
  assert.equal((await store.outbox.deliveries('logzio:e-000001'))[0]?.remoteId, '100');
  assert.equal((await store.outbox.deliveries('logzio:e-000001'))[0]?.attempts, 2);
  assert.equal((await store.outbox.deliveries('logzio:e-000002'))[0]?.remoteId, '101');
});

test('xsoar: created then the connection dropped: the redelivery finds it, one incident', async (t) => {
  const { xsoar, store, dispatcher, clock } = await setup(t);
  xsoar.dropAfterCreate = 1;
  await store.insertIncidents([withRaw(1)], T0);
  await dispatcher.drain();
  clock.advance(10 * 60_000);
  await dispatcher.drain();
  assert.equal(xsoar.incidents.length, 1);
  assert.deepEqual(
    xsoar.requests.map((r) => r.path),
    ['/incidents/search', '/incident', '/incidents/search'],
  );
  const [d] = await store.outbox.deliveries('logzio:e-000001');
  assert.deepEqual([d?.attempts, d?.remoteId], [2, '100']);
});

test('xsoar batch: POST /incident/batch with an UpdateDataBatch ({data, CustomFields}); the id from {total, data}', async (t) => {
  const { xsoar, store, dispatcher, clock } = await setup(t, { batch: true });
  xsoar.failAfterCreate = 1;
  const i = withRaw(1);
  i.fields.alertSummary = 'Failed logins followed by a success';
  await store.insertIncidents([i, withRaw(2)], T0);
  await dispatcher.drain();
  clock.advance(10 * 60_000);
  await dispatcher.drain();
  assert.deepEqual(xsoar.violations, []);
  assert.deepEqual(xsoar.created, ['/incident/batch', '/incident/batch']);
  const b = xsoar.requests.find((r) => r.path === '/incident/batch')!.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(b).sort(), ['CustomFields', 'data']);
  const data = b.data as Record<string, unknown>;
  assert.equal(data.name, 'Brute force SSH');
  assert.equal(data.createInvestigation, true);
  assert.deepEqual(b.CustomFields, {
    logzioalertid: 'rule-17',
    logzioalerteventid: 'e-000001',
    logzioalertsummary: 'Failed logins followed by a success',
    logziotags: ['ssh'],
  });
  // The lost answer of the first create: found by the search, not created again.
  assert.equal(xsoar.incidents.length, 2);
  assert.equal((await store.outbox.deliveries(i.id))[0]?.remoteId, '100');
  assert.equal((await store.outbox.deliveries('logzio:e-000002'))[0]?.remoteId, '101');
});

test('xsoar 8: /xsoar/public/v1 prefix and x-xdr-auth-id', async (t) => {
  const { xsoar, store, dispatcher } = await setup(t, { v8: true });
  await store.insertIncidents([withRaw(1)], T0);
  await dispatcher.drain();
  assert.deepEqual(xsoar.violations, []);
  assert.deepEqual(
    xsoar.requests.map((r) => r.path),
    ['/xsoar/public/v1/incidents/search', '/xsoar/public/v1/incident'],
  );
  assert.equal((await store.outbox.deliveries('logzio:e-000001'))[0]?.remoteId, '100');
});

test('xsoar: 401 on a bad key is a dead letter at once saying so; the key is never logged', async (t) => {
  const rec = recordingLogger();
  const { xsoar, store, dispatcher } = await setup(t, { key: 'bad-xsoar-key-999', logger: rec.logger });
  await store.insertIncidents([withRaw(1)], T0);
  await dispatcher.drain();
  assert.equal(xsoar.requests.length, 1);
  const [dead] = await store.outbox.list({ state: 'dead', limit: 1 });
  assert.equal(dead?.attempts, 1);
  assert.equal(dead?.lastStatus, 401);
  assert.match(dead?.lastError ?? '', /XSOAR refused the API key from XSOAR_KEY \(HTTP 401\) on search/);
  assert.ok(rec.lines.length > 0);
  assert.ok(!rec.lines.join('\n').includes('bad-xsoar-key-999'));
});

test('xsoar: config errors name the setting (unset key variable, XSOAR 8 without authId)', async () => {
  const open = (entry: Record<string, unknown>, env: Record<string, string>) =>
    openSinks(resolveSinks([entry]), { logger: silent, clock: new TestClock(T0), env });
  await assert.rejects(open({ kind: 'xsoar', name: 'x', url: 'http://127.0.0.1:1' }, {}), {
    field: 'sinks.x.apiKeyEnv',
  });
  await assert.rejects(
    open(
      { kind: 'xsoar', name: 'x', url: 'http://127.0.0.1:1', xsoar8: true },
      { SIEMLINK_XSOAR_API_KEY: 'k' },
    ),
    { field: 'sinks.x.authId' },
  );
});
