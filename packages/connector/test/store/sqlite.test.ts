import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import type { CommitRunInput, NewIncident } from '../../src/store/types.ts';

function tempStore(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-store-'));
  const path = join(dir, 'c.db');
  const store = openSqliteIncidentStore({ path });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, path };
}

const inc = (n: number, severity = 3): NewIncident => ({
  id: `logzio:e${n}`,
  alertEventId: `e${n}`,
  name: `rule ${n}`,
  occurred: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
  severity,
  fields: { n },
  raw: { alertEventId: `e${n}` },
});

const commit = (incidents: NewIncident[], before: string | null, after: string | null): CommitRunInput => ({
  source: 'search',
  incidents,
  cursorBefore: before,
  cursorAfter: after,
  now: 1000,
  run: {
    source: 'search',
    startedAt: 1,
    endedAt: 2,
    count: incidents.length,
    cursorBefore: before,
    cursorAfter: after,
    error: null,
    lagMs: 5,
    full: false,
  },
});

test('store: WAL, migrations recorded in user_version, re-open is a no-op', async (t) => {
  const { store, path } = tempStore(t);
  await store.close();
  const db = new DatabaseSync(path);
  assert.equal(
    (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
    MIGRATIONS.length,
  );
  assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
  db.close();
  const again = openSqliteIncidentStore({ path });
  assert.equal(await again.getCursor('search'), null);
  await again.close();
});

test('store: commitRun writes incidents, cursor, run record; re-committing the same incidents inserts none', async (t) => {
  const { store } = tempStore(t);
  const r1 = await store.commitRun(commit([inc(1), inc(2)], null, 'c1'));
  assert.equal(r1.inserted.length, 2);
  assert.equal(await store.getCursor('search'), 'c1');
  const r2 = await store.commitRun(commit([inc(2), inc(3)], 'c1', 'c2'));
  assert.deepEqual(
    r2.inserted.map((i) => i.id),
    ['logzio:e3'],
  );
  assert.equal((await store.lastRun())!.count, 1);
  assert.equal((await store.listIncidents({ page: 1, pageSize: 10 })).total, 3);
});

test('store: unique on alertEventId even under another id', async (t) => {
  const { store } = tempStore(t);
  await store.commitRun(commit([inc(1)], null, 'c1'));
  const r = await store.commitRun(commit([{ ...inc(1), id: 'other:e1' }], 'c1', 'c2'));
  assert.equal(r.inserted.length, 0);
});

test('store: the commit is all or nothing (cursor conflict rolls back the incidents)', async (t) => {
  const { store } = tempStore(t);
  await store.commitRun(commit([inc(1)], null, 'c1'));
  await assert.rejects(store.commitRun(commit([inc(2)], 'stale', 'c2')), { code: 'CURSOR_CONFLICT' });
  assert.equal(await store.getCursor('search'), 'c1');
  assert.equal(await store.getIncident('logzio:e2'), null);
  assert.equal((await store.listRuns(10)).length, 1);
});

test('store: gaps and failed runs are recorded', async (t) => {
  const { store } = tempStore(t);
  await store.commitRun({
    ...commit([], null, 'c1'),
    gaps: [{ source: 'feed:1', from: 0, to: 1000, reason: 'x' }],
  });
  await store.recordFailedRun({ ...commit([], 'c1', 'c1').run, error: 'boom' });
  const gaps = await store.listGaps();
  assert.deepEqual(
    gaps.map((g) => [g.from, g.to]),
    [['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:01.000Z']],
  );
  assert.equal((await store.lastRun())!.error, 'boom');
});

test('store: list filters (status, exact severities, min severity, time) and paging; update', async (t) => {
  const { store } = tempStore(t);
  await store.commitRun(commit([inc(1, 1), inc(2, 2), inc(3, 3), inc(4, 4), inc(5, 0.5)], null, 'c'));
  await store.updateIncident('logzio:e3', { status: 'closed', owner: 'ann' }, 2000);
  const q = (x: object) => store.listIncidents({ page: 1, pageSize: 10, ...x });
  assert.equal((await q({ status: ['closed'] })).total, 1);
  assert.equal((await q({ severities: [1, 4] })).total, 2);
  assert.equal((await q({ minSeverity: 2 })).total, 3);
  assert.equal(
    (await q({ occurredFrom: Date.UTC(2026, 0, 1) + 2000, occurredTo: Date.UTC(2026, 0, 1) + 4000 })).total,
    3,
  );
  const p2 = await store.listIncidents({ page: 2, pageSize: 2 });
  assert.equal(p2.total, 5);
  assert.deepEqual(
    p2.results.map((i) => i.id),
    ['logzio:e3', 'logzio:e2'],
  );
  const closed = await store.getIncident('logzio:e3');
  assert.equal(closed!.owner, 'ann');
  assert.deepEqual(await store.countsByStatus(), { new: 4, active: 0, closed: 1 });
  assert.equal(await store.updateIncident('nope', { status: 'active' }, 1), null);
});
