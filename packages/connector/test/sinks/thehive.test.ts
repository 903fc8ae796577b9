import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSinks, resolveSinks } from '../../src/sinks/index.ts';
import { TestClock, silent } from '../helpers.ts';
import { THEHIVE_KEY, TheHiveServer } from './thehive-server.ts';
import { T0, recordingLogger, richIncident, sinkHarness } from './harness.ts';

const KEY = THEHIVE_KEY;

async function setup(
  t: Parameters<typeof sinkHarness>[0],
  key = KEY,
  logger = silent,
  extra: Record<string, unknown> = {},
) {
  const hive = new TheHiveServer();
  await hive.start();
  t.after(() => hive.stop());
  const h = await sinkHarness(
    t,
    {
      kind: 'thehive',
      name: 'hive',
      url: hive.origin,
      apiKeyEnv: 'HIVE_KEY',
      organisation: 'soc',
      consoleUrl: 'https://console.example',
      ...extra,
    },
    { HIVE_KEY: key },
    logger,
  );
  return { hive, ...h };
}

test('thehive: the documented alert, observables from group-by values, remote id = _id', async (t) => {
  const { hive, store, dispatcher } = await setup(t);
  const i = richIncident(1, { severity: 4 });
  i.fields['groupBy.dst_ip'] = '10.0.0.5';
  i.fields['groupBy.account'] = 'bob@example.com';
  await store.insertIncidents([i], T0);
  await dispatcher.drain();
  assert.deepEqual(hive.violations, []);
  assert.equal(hive.requests.length, 1);
  const b = hive.requests[0]!.json as Record<string, unknown>;
  assert.equal(b.type, 'logzio');
  assert.equal(b.source, 'siemlink');
  assert.equal(b.sourceRef, 'logzio:e-000001');
  assert.equal(b.title, 'Brute force SSH');
  assert.equal(b.severity, 4);
  assert.equal(b.date, Date.parse(i.occurred));
  assert.deepEqual(b.tags, ['ssh']);
  assert.equal(b.tlp, 2);
  assert.equal(b.pap, 2);
  assert.match(String(b.description), /Many failed SSH logins/);
  assert.match(String(b.description), /https:\/\/console\.example\/incidents\/logzio%3Ae-000001/);
  assert.deepEqual(b.observables, [
    { dataType: 'ip', data: '10.0.0.5', tags: ['groupBy:src_ip', 'groupBy:dst_ip'] },
    { dataType: 'other', data: 'alice', tags: ['user', 'groupBy:user'] },
    { dataType: 'hostname', data: 'web-1', tags: ['groupBy:hostname'] },
    { dataType: 'mail', data: 'bob@example.com', tags: ['user', 'groupBy:account'] },
  ]);
  const [d] = await store.outbox.deliveries(i.id);
  assert.equal(d?.remoteId, '~4096');
  assert.equal(d?.sink, 'hive');
  assert.equal(b.customFields, undefined, 'no custom fields unless configured (they must exist in TheHive)');
});

test('thehive: configured customFields as [{name, value, order}], facts the incident lacks left out', async (t) => {
  const { hive, store, dispatcher } = await setup(t, KEY, silent, {
    customFields: {
      'logzio-alert-event-id': 'alertEventId',
      'siemlink-rule': 'ruleId',
      summary: 'alertSummary',
    },
  });
  await store.insertIncidents([richIncident(1)], T0);
  await dispatcher.drain();
  assert.deepEqual(hive.violations, []);
  assert.deepEqual((hive.requests[0]!.json as Record<string, unknown>).customFields, [
    { name: 'logzio-alert-event-id', value: 'e-000001', order: 0 },
    { name: 'siemlink-rule', value: 'rule-17', order: 1 },
  ]);
  await assert.rejects(
    setup(t, KEY, silent, { customFields: { x: 'password' } }),
    (err: Error & { field?: string }) => (err.field ?? '').startsWith('sinks[0].customFields'),
  );
});

test('thehive: severities map onto 1..4', async (t) => {
  const { hive, store, dispatcher } = await setup(t);
  await store.insertIncidents(
    [0, 0.5, 1, 2, 3, 4].map((s, n) => ({ ...richIncident(n + 1), severity: s })),
    T0,
  );
  await dispatcher.drain();
  // Four in flight at once: order by sourceRef.
  const sent = hive.requests.map((r) => r.json as { severity: number; sourceRef: string });
  sent.sort((a, b) => a.sourceRef.localeCompare(b.sourceRef));
  assert.deepEqual(
    sent.map((r) => r.severity),
    [1, 1, 1, 2, 3, 4],
  );
});

test('thehive: a 400 "already exists" is delivered, not failed, with the existing _id', async (t) => {
  const { hive, store, dispatcher } = await setup(t);
  // The alert exists already: created before a crash between send and settle.
  hive.alerts.set('logzio|siemlink|logzio:e-000002', { sourceRef: 'logzio:e-000002', _id: '~77' });
  await store.insertIncidents([richIncident(1), richIncident(2)], T0);
  await dispatcher.drain();
  assert.equal(hive.duplicates, 1);
  assert.equal((await store.outbox.health(T0, ['hive']))[0]?.backlog, 0);
  assert.equal((await store.outbox.list({ state: 'dead', limit: 5 })).length, 0);
  assert.equal((await store.outbox.deliveries('logzio:e-000002'))[0]?.remoteId, '~77');
});

test('thehive: created then the connection dropped: redelivered, TheHive dedups, one alert with its _id', async (t) => {
  const { hive, store, dispatcher, clock } = await setup(t);
  hive.dropAfterCreate = 1;
  await store.insertIncidents([richIncident(1)], T0);
  await dispatcher.drain();
  assert.equal((await store.outbox.health(clock.now(), ['hive']))[0]?.backlog, 1);
  clock.advance(10 * 60_000);
  await dispatcher.drain();
  assert.equal(hive.alerts.size, 1);
  assert.equal(hive.duplicates, 1);
  const [d] = await store.outbox.deliveries('logzio:e-000001');
  assert.deepEqual([d?.attempts, d?.remoteId], [2, '~4096']);
});

test('thehive: a bad key is a dead letter at once with a clear message; the key is never logged', async (t) => {
  const rec = recordingLogger();
  const { store, dispatcher } = await setup(t, 'wrong-key-secret-42', rec.logger);
  await store.insertIncidents([richIncident(1)], T0);
  await dispatcher.drain();
  const [dead] = await store.outbox.list({ state: 'dead', limit: 1 });
  assert.equal(dead?.attempts, 1);
  assert.equal(dead?.lastStatus, 401);
  assert.match(dead?.lastError ?? '', /TheHive refused the API key from HIVE_KEY/);
  assert.ok(rec.lines.length > 0);
  assert.ok(!rec.lines.join('\n').includes('wrong-key-secret-42'));
  assert.ok(!JSON.stringify(dead).includes('wrong-key-secret-42'));
});

test('thehive: an unset key variable is a config error naming it', async () => {
  const [config] = resolveSinks([{ kind: 'thehive', name: 'h', url: 'http://127.0.0.1:1' }]);
  await assert.rejects(
    openSinks([config!], { logger: silent, clock: new TestClock(T0), env: {} }),
    (err: Error & { field?: string }) => {
      assert.equal(err.field, 'sinks.h.apiKeyEnv');
      assert.match(err.message, /SIEMLINK_THEHIVE_API_KEY is not set/);
      return true;
    },
  );
});
