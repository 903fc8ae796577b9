import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CursorConflictError, type IncidentStore } from '../../src/store/types.ts';
import { hostname } from 'node:os';
import { createDispatcher } from '../../src/outbox/dispatcher.ts';
import { releaseDeadOwners } from '../../src/outbox/service.ts';
import { TestClock, silent } from '../helpers.ts';
import { ROUTED_STORES, ScriptedSink, dispatched, incident } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 2);
const run = (n: number) => ({
  source: 'search',
  startedAt: T0,
  endedAt: T0,
  count: n,
  cursorBefore: null,
  cursorAfter: null,
  error: null,
  lagMs: null,
  full: false,
});

async function commit(
  store: IncidentStore,
  incidents: ReturnType<typeof incident>[],
  before: string | null,
  after: string,
) {
  return store.commitRun({
    source: 'search',
    incidents,
    cursorBefore: before,
    cursorAfter: after,
    run: run(incidents.length),
    now: T0,
  });
}

for (const factory of ROUTED_STORES) {
  describe(`outbox on ${factory.name}`, () => {
    test('rows are written with their incidents, per sink filter; a failed commit writes none', async (t) => {
      const db = await factory.open(t, [
        { sink: 'all' },
        { sink: 'severe', filter: { minSeverity: 4 } },
        { sink: 'rule', filter: { rules: ['Port scan'] } },
        { sink: 'tagged', filter: { tags: ['cloud', 'aws'] } },
      ]);
      if (!db) return;
      const { store } = db;
      await commit(
        store,
        [incident(1), incident(2, { severity: 4 }), incident(3, { name: 'Port scan', tags: ['aws'] })],
        null,
        'c1',
      );
      // The same incidents again (refetch) and a new one, from a stale cursor: refused, nothing written.
      await assert.rejects(commit(store, [incident(4, { severity: 4 })], null, 'c2'), CursorConflictError);
      // Backfill path: only newly inserted incidents get rows.
      await store.insertIncidents([incident(1), incident(5, { tags: ['cloud'] })], T0);
      const rows = await store.outbox.list({ limit: 100 });
      const by = (sink: string) => rows.filter((r) => r.sink === sink).map((r) => r.incidentId.slice(-1));
      assert.deepEqual(by('all'), ['1', '2', '3', '5']);
      assert.deepEqual(by('severe'), ['2']);
      assert.deepEqual(by('rule'), ['3']);
      assert.deepEqual(by('tagged'), ['3', '5']);
      assert.ok(rows.every((r) => r.state === 'pending' && r.attempts === 0));
    });

    test('delivers in incident-time order, records the remote id, and reports health', async (t) => {
      const db = await factory.open(t, [{ sink: 'a' }]);
      if (!db) return;
      const { store } = db;
      const clock = new TestClock(T0);
      // Committed newest first: the outbox still delivers oldest first.
      await store.insertIncidents(
        [5, 3, 4, 1, 2].map((n) => incident(n)),
        T0,
      );
      const sink = new ScriptedSink();
      const delivered: string[] = [];
      const d = createDispatcher({
        outbox: store.outbox,
        sinks: [dispatched('a', sink, { batchSize: 2 })],
        owner: 'd1',
        clock,
        logger: silent,
        onDelivered: (x) => delivered.push(x.incidentId),
      });
      clock.advance(5000);
      assert.equal(await d.drain(), 5);
      assert.deepEqual(
        sink.delivered,
        [1, 2, 3, 4, 5].map((n) => incident(n).id),
      );
      assert.deepEqual(delivered, sink.delivered);
      const [rec] = await store.outbox.deliveries(incident(3).id);
      assert.equal(rec?.remoteId, `r-${incident(3).id}`);
      assert.equal(rec?.attempts, 1);
      const [h] = await store.outbox.health(clock.now(), ['a']);
      assert.equal(h?.backlog, 0);
      assert.equal(h?.delivered, 5);
      assert.equal(h?.lastError, null);
      assert.equal(h?.lastDeliveredAt, new Date(T0 + 5000).toISOString());
    });

    test('the "delivered" timeline entry commits with the settlement, once per delivery', async (t) => {
      const db = await factory.open(t, [{ sink: 'a' }, { sink: 'b' }]);
      if (!db) return;
      const { store } = db;
      await store.insertIncidents([incident(1), incident(2)], T0);
      const claim = (sink: string, owner: string, now: number) =>
        store.outbox.claim({ sink, owner, limit: 5, leaseMs: 1000, now, ordered: false });
      const [a1, a2] = await claim('a', 'x', T0);
      const [b1] = await claim('b', 'x', T0);
      // x's lease on a1 runs out and y delivers it first; x's late settlement must not add a second entry.
      const [late] = await claim('a', 'y', T0 + 1000);
      assert.equal(late?.id, a1!.id);
      const done = (row: typeof a1, remoteId: string | null) => ({
        kind: 'delivered' as const,
        id: row!.id,
        sink: row!.sink,
        incidentId: row!.incident.id,
        attempt: row!.attempt,
        remoteId,
      });
      await store.outbox.settle('y', [done(late, 'R-1y')], T0 + 1500);
      await store.outbox.settle('x', [done(a1, 'R-1x'), done(a2, null), done(b1, 'B-1')], T0 + 2000);
      const delivered = async (id: string) =>
        (await store.timeline(id))
          .filter((e) => e.kind === 'delivered')
          .map((e) => ({ at: e.at, actor: e.actor, after: e.after }));
      assert.deepEqual(await delivered(incident(1).id), [
        {
          at: new Date(T0 + 1500).toISOString(),
          actor: { kind: 'system', name: 'sink:a' },
          after: { sink: 'a', remoteId: 'R-1y', attempt: 2 },
        },
        {
          at: new Date(T0 + 2000).toISOString(),
          actor: { kind: 'system', name: 'sink:b' },
          after: { sink: 'b', remoteId: 'B-1', attempt: 1 },
        },
      ]);
      assert.deepEqual(await delivered(incident(2).id), [
        {
          at: new Date(T0 + 2000).toISOString(),
          actor: { kind: 'system', name: 'sink:a' },
          after: { sink: 'a', remoteId: null, attempt: 1 },
        },
      ]);
      assert.equal((await store.outbox.deliveries(incident(1).id)).length, 2);
    });

    test('a transient failure holds the sink in order and retries after a capped exponential backoff', async (t) => {
      const db = await factory.open(t, [{ sink: 'a' }]);
      if (!db) return;
      const { store } = db;
      const clock = new TestClock(T0);
      await store.insertIncidents(
        [1, 2, 3].map((n) => incident(n)),
        T0,
      );
      const sink = new ScriptedSink();
      let down = 2;
      sink.script = (item) =>
        item.incident.id === incident(2).id && down-- > 0
          ? { ok: false, error: 'HTTP 503', status: 503 }
          : { ok: true };
      const d = createDispatcher({
        outbox: store.outbox,
        sinks: [
          dispatched('a', sink, {
            retry: { ...dispatched('a', sink).retry, baseDelayMs: 1000, maxDelayMs: 1500 },
          }),
        ],
        owner: 'd1',
        clock,
        logger: silent,
      });
      await d.drain();
      assert.deepEqual(sink.delivered, [incident(1).id]);
      let [h] = await store.outbox.health(clock.now(), ['a']);
      assert.equal(h?.backlog, 2);
      assert.equal(h?.lastError, 'HTTP 503');
      assert.equal(await store.outbox.nextDueAt('a', true), T0 + 1000);
      clock.advance(999);
      assert.equal(await d.drain(), 0, 'not due yet; incident 3 waits behind 2');
      clock.advance(1);
      await d.drain();
      // Second failure: 2000 capped at 1500.
      assert.equal(await store.outbox.nextDueAt('a', true), T0 + 1000 + 1500);
      clock.advance(1500);
      await d.drain();
      assert.deepEqual(
        sink.delivered,
        [1, 2, 3].map((n) => incident(n).id),
      );
      const [rec] = await store.outbox.deliveries(incident(2).id);
      assert.equal(rec?.attempts, 3);
      [h] = await store.outbox.health(clock.now(), ['a']);
      assert.equal(h?.backlog, 0);
    });

    test('Retry-After is honoured and holds the whole sink', async (t) => {
      const db = await factory.open(t, [{ sink: 'a' }]);
      if (!db) return;
      const { store } = db;
      const clock = new TestClock(T0);
      await store.insertIncidents(
        [1, 2].map((n) => incident(n)),
        T0,
      );
      const sink = new ScriptedSink();
      let once = true;
      sink.script = () =>
        once
          ? ((once = false), { ok: false, error: 'HTTP 429', status: 429, retryAfterMs: 7000 })
          : { ok: true };
      const d = createDispatcher({
        outbox: store.outbox,
        sinks: [dispatched('a', sink, { ordered: false, concurrency: 1 })],
        owner: 'd1',
        clock,
        logger: silent,
      });
      await d.drain();
      assert.equal(sink.attempts.length, 1, 'the 429 stops the batch and holds the sink');
      assert.equal(await store.outbox.nextDueAt('a', false), T0, 'incident 2 is due, but the sink is held');
      clock.advance(6999);
      assert.equal(await d.drain(), 0);
      clock.advance(1);
      await d.drain();
      assert.deepEqual(
        sink.delivered.sort(),
        [1, 2].map((n) => incident(n).id),
      );
    });

    test('a refusal is a dead letter at once with its body; replay and purge', async (t) => {
      const db = await factory.open(t, [{ sink: 'a' }]);
      if (!db) return;
      const { store } = db;
      const clock = new TestClock(T0);
      await store.insertIncidents(
        [1, 2, 3].map((n) => incident(n)),
        T0,
      );
      const sink = new ScriptedSink();
      sink.script = (i) =>
        i.incident.id !== incident(3).id
          ? { ok: false, error: 'HTTP 422', status: 422, body: '{"error":"bad field"}' }
          : { ok: true };
      const d = createDispatcher({
        outbox: store.outbox,
        sinks: [dispatched('a', sink)],
        owner: 'd1',
        clock,
        logger: silent,
      });
      await d.drain();
      assert.deepEqual(sink.delivered, [incident(3).id], 'dead letters do not hold the queue');
      const dead = await store.outbox.list({ state: 'dead', limit: 10 });
      assert.equal(dead.length, 2);
      assert.equal(dead[0]!.lastStatus, 422);
      assert.equal(dead[0]!.lastBody, '{"error":"bad field"}');
      assert.equal(dead[0]!.attempts, 1);
      const [h] = await store.outbox.health(clock.now(), ['a']);
      assert.equal(h?.dead, 2);
      assert.equal(h?.backlog, 0);

      sink.script = undefined;
      assert.equal(await store.outbox.replay({ sink: 'a', ids: [dead[0]!.id] }, clock.now()), 1);
      await d.drain();
      assert.deepEqual(
        sink.delivered,
        [3, 1].map((n) => incident(n).id),
      );
      assert.equal(await store.outbox.purge({ sink: 'a' }), 1);
      assert.deepEqual(await store.outbox.list({ limit: 10 }), []);
    });

    test('dead letter after maxAttempts, or after maxAgeHours', async (t) => {
      const db = await factory.open(t, [{ sink: 'a' }, { sink: 'b' }]);
      if (!db) return;
      const { store } = db;
      const clock = new TestClock(T0);
      await store.insertIncidents([incident(1)], T0);
      const down = new ScriptedSink();
      down.script = () => ({ ok: false, error: 'connect ECONNREFUSED' });
      const base = dispatched('a', down).retry;
      const d = createDispatcher({
        outbox: store.outbox,
        sinks: [
          dispatched('a', down, { retry: { ...base, maxAttempts: 3, baseDelayMs: 10 } }),
          dispatched('b', down, {
            retry: {
              ...base,
              maxAttempts: 1000,
              baseDelayMs: 3_600_000,
              maxDelayMs: 3_600_000,
              maxAgeHours: 2,
            },
          }),
        ],
        owner: 'd1',
        clock,
        logger: silent,
      });
      for (let i = 0; i < 4; i++) {
        await d.drain();
        clock.advance(3_600_000);
      }
      const dead = await store.outbox.list({ state: 'dead', limit: 10 });
      assert.deepEqual(
        dead.map((r) => [r.sink, r.attempts]),
        [
          ['a', 3],
          ['b', 3],
        ],
      );
    });

    test('a paused sink is not dispatched; resume delivers', async (t) => {
      const db = await factory.open(t, [{ sink: 'a' }]);
      if (!db) return;
      const { store } = db;
      const clock = new TestClock(T0);
      await store.insertIncidents([incident(1)], T0);
      const sink = new ScriptedSink();
      const d = createDispatcher({
        outbox: store.outbox,
        sinks: [dispatched('a', sink)],
        owner: 'd1',
        clock,
        logger: silent,
      });
      await store.outbox.setPaused('a', true, clock.now());
      assert.equal(await d.drain(), 0);
      assert.equal((await store.outbox.health(clock.now(), ['a']))[0]?.paused, true);
      await store.outbox.setPaused('a', false, clock.now());
      assert.equal(await d.drain(), 1);
    });

    test('a lease keeps a row from a second dispatcher until it ends or its owner restarts', async (t) => {
      const db = await factory.open(t, [{ sink: 'a' }]);
      if (!db) return;
      const { store } = db;
      await store.insertIncidents([incident(1)], T0);
      const claim = (owner: string, now: number) =>
        store.outbox.claim({ sink: 'a', owner, limit: 5, leaseMs: 1000, now, ordered: false });
      assert.equal((await claim('x', T0)).length, 1);
      assert.equal((await claim('y', T0 + 999)).length, 0);
      const again = await claim('y', T0 + 1000);
      assert.equal(again[0]?.attempt, 2, 'the lost attempt counts');
      assert.equal(await store.outbox.releaseLeases('y'), 1);
      assert.equal((await claim('z', T0 + 1000)).length, 1);
    });

    test("at start, leases of this machine's dispatchers that are gone are released; others are kept", async (t) => {
      const db = await factory.open(t, [{ sink: 'a' }]);
      if (!db) return;
      const { store } = db;
      await store.insertIncidents(
        [1, 2, 3, 4].map((n) => incident(n)),
        T0,
      );
      const host = hostname();
      const owners = [
        `${host}:4241:0a0b0c`,
        `${host}:4242:0a0b0c`,
        `${host}:${process.pid}:0a0b0c`,
        'elsewhere:4241:0a0b0c',
      ];
      for (const owner of owners) {
        await store.outbox.claim({ sink: 'a', owner, limit: 1, leaseMs: 60_000, now: T0, ordered: false });
      }
      assert.deepEqual((await store.outbox.leaseOwners()).sort(), [...owners].sort());
      // 4241 is dead here, 4242 alive; our own pid and another machine's owners are never touched.
      assert.equal(await releaseDeadOwners(store, silent, (pid) => pid === 4242), 1);
      assert.deepEqual((await store.outbox.leaseOwners()).sort(), owners.slice(1).sort());
      const free = await store.outbox.claim({
        sink: 'a',
        owner: 'x',
        limit: 5,
        leaseMs: 1000,
        now: T0 + 1,
        ordered: false,
      });
      assert.deepEqual(
        free.map((r) => r.incident.id),
        [incident(1).id],
      );
    });

    test('several dispatchers share one backlog: every row delivered once, never two in flight', async (t) => {
      const db = await factory.open(t, [{ sink: 'a' }]);
      if (!db) return;
      const N = 300;
      await db.store.insertIncidents(
        Array.from({ length: N }, (_, i) => incident(i)),
        T0,
      );
      const clock = new TestClock(T0);
      const sink = new ScriptedSink();
      const stores = [db.store, await db.again(), await db.again()];
      const ds = stores.map((s, i) =>
        createDispatcher({
          outbox: s.outbox,
          sinks: [dispatched('a', sink, { ordered: false, concurrency: 4, batchSize: 7 })],
          owner: `d${i}`,
          clock,
          logger: silent,
        }),
      );
      await Promise.all(ds.map((d) => d.drain()));
      await Promise.all(ds.map((d) => d.drain()));
      assert.equal(sink.delivered.length, N);
      assert.equal(new Set(sink.delivered).size, N);
      assert.equal(sink.attempts.length, N, 'no row was handed to two dispatchers');
    });

    test('ordered: one batch in flight per sink across dispatchers', async (t) => {
      const db = await factory.open(t, [{ sink: 'a' }]);
      if (!db) return;
      await db.store.insertIncidents(
        Array.from({ length: 40 }, (_, i) => incident(i)),
        T0,
      );
      const clock = new TestClock(T0);
      const sink = new ScriptedSink();
      const stores = [db.store, await db.again()];
      const ds = stores.map((s, i) =>
        createDispatcher({
          outbox: s.outbox,
          sinks: [dispatched('a', sink, { batchSize: 5 })],
          owner: `d${i}`,
          clock,
          logger: silent,
        }),
      );
      await Promise.all(ds.map((d) => d.drain()));
      for (const d of ds) await d.drain();
      assert.equal(sink.maxInFlight, 1);
      assert.deepEqual(
        sink.delivered,
        Array.from({ length: 40 }, (_, i) => incident(i).id),
      );
    });
  });
}
