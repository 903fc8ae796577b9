import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { createDispatcher, type DispatchedSink } from '../../src/outbox/dispatcher.ts';
import { openSinks, closeSinks, resolveSinks, sinkRoutes, IncidentBodyV1 } from '../../src/sinks/index.ts';
import { TestClock, silent } from '../helpers.ts';
import { ROUTED_STORES, incident } from '../outbox/helpers.ts';
import { WebhookReceiver } from './receiver.ts';

const T0 = Date.UTC(2026, 0, 2, 8);
const SECRET = 'test-secret-0123456789';
const sqlite = ROUTED_STORES[0]!;

async function setup(
  t: { after(fn: () => unknown): void; skip(): void },
  over: Record<string, unknown> = {},
) {
  const receiver = new WebhookReceiver(SECRET);
  await receiver.start();
  t.after(() => receiver.stop());
  const [config] = resolveSinks([
    { kind: 'webhook', name: 'hook', url: receiver.url, secretEnv: 'HOOK_SECRET', concurrency: 1, ...over },
  ]);
  const clock = new TestClock(T0);
  const sinks = await openSinks([config!], { logger: silent, clock, env: { HOOK_SECRET: SECRET } });
  t.after(() => closeSinks(sinks));
  const db = (await sqlite.open(t, sinkRoutes([config!])))!;
  const dispatcher = createDispatcher({
    outbox: db.store.outbox,
    sinks: sinks as DispatchedSink[],
    owner: 'test',
    clock,
    logger: silent,
    random: () => 0.5,
  });
  return { receiver, clock, store: db.store, dispatcher };
}

test('webhook: the exact documented request, signed and keyed; the remote id is kept', async (t) => {
  const { receiver, clock, store, dispatcher } = await setup(t);
  const i = incident(1, { severity: 4 });
  await store.insertIncidents([i], T0);
  clock.advance(2500);
  await dispatcher.drain();
  assert.equal(receiver.requests.length, 1);
  const r = receiver.requests[0]!;
  assert.equal(r.method, 'POST');
  assert.equal(r.path, '/hooks/incidents');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers['idempotency-key'], 'logzio:e-000001/v1');
  assert.equal(r.headers['x-siemlink-schema'], 'siemlink.incident.v1');
  assert.equal(r.headers['x-siemlink-attempt'], '1');
  const ts = r.headers['x-siemlink-timestamp'];
  assert.equal(ts, String(Math.floor((T0 + 2500) / 1000)));
  // The recipe of docs/sinks.md, written out: HMAC-SHA256 over "<timestamp>.<raw body>".
  const { createHmac } = await import('node:crypto');
  const expected = 'sha256=' + createHmac('sha256', SECRET).update(`${ts}.${r.body}`).digest('hex');
  assert.equal(r.headers['x-siemlink-signature'], expected);
  const body = JSON.parse(r.body) as unknown;
  // Checked by the same JSON Schema validator the API uses (the Incident schema has plain JSON
  // Schema parts that TypeBox's own Value.Check does not evaluate).
  const validator = Fastify();
  validator.post('/', { schema: { body: IncidentBodyV1 } }, async () => 'ok');
  const checked = await validator.inject({ method: 'POST', url: '/', payload: body as object });
  await validator.close();
  assert.equal(checked.statusCode, 200, `body matches the versioned schema: ${checked.body}`);
  const b = body as IncidentBodyV1;
  assert.equal(b.schema, 'siemlink.incident.v1');
  assert.equal(b.event, 'incident.created');
  assert.equal(b.version, 1);
  assert.equal(b.sink, 'hook');
  assert.equal(b.incident.id, i.id);
  assert.equal(b.incident.severity, 4);
  assert.equal(b.incident.occurred, i.occurred);
  assert.equal(receiver.badSignatures, 0);
  const [d] = await store.outbox.deliveries(i.id);
  assert.equal(d?.remoteId, 'rcv-1');
});

test('webhook: a 4xx other than 408/429 is a dead letter at once, its body kept; 408 is retried', async (t) => {
  const { receiver, clock, store, dispatcher } = await setup(t);
  await store.insertIncidents([incident(1), incident(2)], T0);
  receiver.answer = (r, n) =>
    r.body.includes('e-000001')
      ? { status: 400, body: '{"error":"missing field title"}' }
      : n === 2
        ? { status: 408 }
        : undefined;
  await dispatcher.drain();
  clock.advance(60_000);
  await dispatcher.drain();
  const [dead] = await store.outbox.list({ state: 'dead', limit: 5 });
  assert.equal(dead?.incidentId, incident(1).id);
  assert.equal(dead?.lastStatus, 400);
  assert.equal(dead?.attempts, 1);
  assert.equal(dead?.lastBody, '{"error":"missing field title"}');
  assert.deepEqual(receiver.storedIncidentIds(), [incident(2).id]);
  assert.equal((await store.outbox.deliveries(incident(2).id))[0]?.attempts, 2);
});

test('webhook: 429 with Retry-After waits exactly that long', async (t) => {
  const { receiver, clock, store, dispatcher } = await setup(t);
  await store.insertIncidents([incident(1), incident(2)], T0);
  receiver.answer = (_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '30' } } : undefined);
  await dispatcher.drain();
  assert.equal(receiver.requests.length, 1);
  assert.equal(await store.outbox.nextDueAt('hook', true), T0 + 30_000);
  clock.advance(29_999);
  await dispatcher.drain();
  assert.equal(receiver.requests.length, 1);
  clock.advance(1);
  await dispatcher.drain();
  assert.deepEqual(receiver.storedIncidentIds(), [incident(1).id, incident(2).id]);
  const [h] = await store.outbox.health(clock.now(), ['hook']);
  assert.match(h?.lastError ?? '', /HTTP 429/);
});

test('webhook: a receiver that stores then drops the connection gets it again and dedups it', async (t) => {
  const { receiver, clock, store, dispatcher } = await setup(t);
  await store.insertIncidents(
    [1, 2, 3].map((n) => incident(n)),
    T0,
  );
  receiver.answer = (_r, n) => (n === 2 ? 'drop-after-store' : undefined);
  for (let i = 0; i < 5; i++) {
    await dispatcher.drain();
    clock.advance(60_000);
  }
  assert.equal(receiver.requests.length, 4);
  assert.equal(receiver.duplicates, 1);
  assert.deepEqual(
    receiver.storedIncidentIds(),
    [1, 2, 3].map((n) => incident(n).id),
  );
  assert.equal((await store.outbox.health(clock.now(), ['hook']))[0]?.backlog, 0);
});

test('webhook: sink down for a while, then back: everything delivered, in order, each once', async (t) => {
  const { receiver, clock, store, dispatcher } = await setup(t);
  const port = receiver.port;
  const N = 30;
  await store.insertIncidents(
    Array.from({ length: 10 }, (_, i) => incident(i)),
    T0,
  );
  await dispatcher.drain();
  await receiver.stop();
  // While down: more incidents arrive, attempts fail and back off.
  await store.insertIncidents(
    Array.from({ length: 20 }, (_, i) => incident(i + 10)),
    T0,
  );
  for (let i = 0; i < 6; i++) {
    await dispatcher.drain();
    clock.advance(10 * 60_000);
  }
  const [h] = await store.outbox.health(clock.now(), ['hook']);
  assert.equal(h?.backlog, 20);
  assert.ok((h?.maxAttempts ?? 0) >= 3);
  assert.match(h?.lastError ?? '', /ECONNREFUSED/);
  await receiver.start(port);
  for (let i = 0; i < 3; i++) {
    await dispatcher.drain();
    clock.advance(10 * 60_000);
  }
  assert.deepEqual(
    receiver.storedIncidentIds(),
    Array.from({ length: N }, (_, i) => incident(i).id),
  );
  assert.equal(receiver.duplicates, 0);
  assert.equal((await store.outbox.health(clock.now(), ['hook']))[0]?.backlog, 0);
});

test('webhook: a secretEnv naming an unset variable is a config error naming it', async () => {
  const [config] = resolveSinks([
    { kind: 'webhook', name: 'h', url: 'http://127.0.0.1:1/x', secretEnv: 'NOPE_SECRET' },
  ]);
  await assert.rejects(
    openSinks([config!], { logger: silent, clock: new TestClock(T0), env: {} }),
    (err: Error & { field?: string }) => {
      assert.equal(err.field, 'sinks.h.secretEnv');
      assert.match(err.message, /NOPE_SECRET is not set/);
      return true;
    },
  );
});
