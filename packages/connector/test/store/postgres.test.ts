import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresIncidentStore } from '../../src/store/postgres.ts';
import { PG_MIGRATIONS } from '../../src/store/postgres-migrations.ts';
import type { IncidentStore, NewIncident } from '../../src/store/types.ts';
import { PG_URL, STORE_FACTORIES, pgTestSchema } from './factories.ts';
import { commit, inc } from './fixtures.ts';

// PostgreSQL specifics; the IncidentStore contract itself is in contract.test.ts.
test('postgres store: migrations recorded in schema_migrations; concurrent opens and re-open are no-ops', async (t) => {
  const db = await pgTestSchema(t);
  if (!db) return;
  const open = () => openPostgresIncidentStore({ connectionString: PG_URL, schema: db.schema });
  const [a, b] = await Promise.all([open(), open()]);
  db.track(a);
  db.track(b);
  await a.commitRun(commit([inc(1)], null, 'c1'));
  const again = db.track(await open());
  assert.equal(await again.getCursor('search'), 'c1');
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  t.after(() => c.end());
  const { rows } = await c.query<{ version: number }>(
    `SELECT version FROM "${db.schema}".schema_migrations ORDER BY version`,
  );
  assert.deepEqual(
    rows.map((r) => r.version),
    PG_MIGRATIONS.map((_, i) => i + 1),
  );
});

test('postgres store: two stores racing commitRun on one cursor: one wins, the other gets CursorConflictError, no duplicates', async (t) => {
  const db = await pgTestSchema(t);
  if (!db) return;
  const open = () => openPostgresIncidentStore({ connectionString: PG_URL, schema: db.schema });
  const a = db.track(await open());
  const b = db.track(await open());
  let cursor: string | null = null;
  let expected = 0;
  for (let round = 0; round < 10; round++) {
    const n = round * 10;
    // Overlapping batches: both writers saw the same events from the same cursor.
    const results: PromiseSettledResult<{ inserted: NewIncident[]; runId: number | null }>[] =
      await Promise.allSettled([
        a.commitRun(commit([inc(n + 1), inc(n + 2), inc(n + 3)], cursor, `a${round}`)),
        b.commitRun(commit([inc(n + 2), inc(n + 3), inc(n + 4)], cursor, `b${round}`)),
      ]);
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ i, r: r.value }] : []));
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1, `round ${round}: exactly one commit wins`);
    assert.equal(lost.length, 1);
    assert.equal((lost[0] as PromiseRejectedResult).reason.code, 'CURSOR_CONFLICT');
    assert.equal(won[0]!.r.inserted.length, 3);
    cursor = `${won[0]!.i === 0 ? 'a' : 'b'}${round}`;
    expected += 3;
    assert.equal(await a.getCursor('search'), cursor);
    assert.equal(await b.getCursor('search'), cursor);
  }
  const all = await a.listIncidents({ page: 1, pageSize: 1000 });
  assert.equal(all.total, expected);
  assert.equal(new Set(all.results.map((i) => i.alertEventId)).size, expected);
  assert.equal((await b.listRuns(100)).length, 10, 'the loser leaves no run record');
});

test('postgres store: API output is identical to the SQLite store for the same operations', async (t) => {
  const stores: IncidentStore[] = [];
  for (const f of STORE_FACTORIES) {
    const s = await f.open(t);
    if (!s) return;
    stores.push(s);
  }
  const snapshot = async (s: IncidentStore) => {
    await s.commitRun({
      ...commit([inc(1, 0.5), inc(2, 4), { ...inc(3), fields: { z: 1, a: [1, { b: null }] } }], null, 'c1'),
      gaps: [{ source: 'feed:1', from: 1_700_000_000_123, to: 1_700_000_060_456, reason: '416' }],
      now: 1_767_225_600_789,
    });
    await s.updateCase(
      'logzio:e2',
      { status: 'active', owner: 'bob' },
      { kind: 'user', name: 'bob' },
      1_767_225_700_001,
    );
    await s.recordFailedRun({ ...commit([], 'c1', 'c1').run, error: 'boom', lagMs: 12.6 });
    return JSON.stringify([
      await s.listIncidents({ page: 1, pageSize: 10 }),
      await s.getIncident('logzio:e2'),
      await s.listRuns(10),
      await s.lastRun(),
      await s.listGaps(),
      await s.countsByStatus(),
    ]);
  };
  const [sqlite, postgres] = [await snapshot(stores[0]!), await snapshot(stores[1]!)];
  assert.equal(postgres, sqlite);
});
