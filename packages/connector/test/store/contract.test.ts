import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_FACTORIES } from './factories.ts';
import { commit, inc } from './fixtures.ts';

// The IncidentStore contract, run against every implementation.
for (const { name, open } of STORE_FACTORIES) {
  test(`${name} store: commitRun writes incidents, cursor, run record; re-committing the same incidents inserts none`, async (t) => {
    const store = await open(t);
    if (!store) return;
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
    assert.deepEqual([...(await store.knownAlertEventIds(['e1', 'e3', 'e9']))].sort(), ['e1', 'e3']);
  });

  test(`${name} store: a batch commit without a run record moves the cursor; the run's last commit counts every batch`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const { run: _, ...batch } = commit([inc(1), inc(2)], null, 'c1');
    const r1 = await store.commitRun(batch);
    assert.equal(r1.runId, null);
    assert.equal(r1.inserted.length, 2);
    assert.equal(await store.getCursor('search'), 'c1');
    assert.equal((await store.listRuns(10)).length, 0);
    const r2 = await store.commitRun({ ...commit([inc(2), inc(3)], 'c1', 'c2'), insertedBefore: 2 });
    assert.equal(typeof r2.runId, 'number');
    assert.equal((await store.lastRun())!.count, 3);
  });

  test(`${name} store: unique on alertEventId: an incident under another id than its alert id's is refused with its commit`, async (t) => {
    const store = await open(t);
    if (!store) return;
    await store.commitRun(commit([inc(1)], null, 'c1'));
    const r = await store.commitRun(commit([inc(1), inc(2)], 'c1', 'c2'));
    assert.deepEqual(
      r.inserted.map((i) => i.id),
      ['logzio:e2'],
    );
    await assert.rejects(store.commitRun(commit([inc(3), { ...inc(1), id: 'other:e1' }], 'c2', 'c3')), {
      code: 'INCIDENT_ID_MISMATCH',
    });
    assert.equal(await store.getIncident('logzio:e3'), null);
    assert.equal(await store.getCursor('search'), 'c2');
    assert.deepEqual(await store.knownAlertEventIds(['e1', 'e2', 'e3']), new Set(['e1', 'e2']));
  });

  test(`${name} store: commitRuns writes consecutive runs in one transaction, each cursor checked against the one before`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const out = await store.commitRuns([
      commit([inc(1), inc(2)], null, 'c1'),
      commit([inc(2), inc(3)], 'c1', 'c2'),
      commit([inc(4)], 'c2', 'c3'),
    ]);
    assert.deepEqual(
      out.map((o) => o.inserted.map((i) => i.id)),
      [['logzio:e1', 'logzio:e2'], ['logzio:e3'], ['logzio:e4']],
    );
    assert.equal(new Set(out.map((o) => o.runId)).size, 3, 'a run record each');
    assert.equal(await store.getCursor('search'), 'c3');
    assert.deepEqual(
      (await store.listRuns(10)).map((r) => r.count),
      [1, 1, 2],
    );
    // A chain that breaks anywhere (the second does not start where the first ended) writes nothing.
    await assert.rejects(store.commitRuns([commit([inc(5)], 'c3', 'c4'), commit([inc(6)], 'c3', 'c5')]), {
      code: 'CURSOR_CONFLICT',
    });
    assert.equal(await store.getCursor('search'), 'c3');
    assert.deepEqual(await store.knownAlertEventIds(['e5', 'e6']), new Set());
    assert.equal((await store.listRuns(10)).length, 3);
  });

  test(`${name} store: the commit is all or nothing (cursor conflict rolls back the incidents)`, async (t) => {
    const store = await open(t);
    if (!store) return;
    await store.commitRun(commit([inc(1)], null, 'c1'));
    await assert.rejects(store.commitRun(commit([inc(2)], 'stale', 'c2')), { code: 'CURSOR_CONFLICT' });
    assert.equal(await store.getCursor('search'), 'c1');
    assert.equal(await store.getIncident('logzio:e2'), null);
    assert.equal((await store.listRuns(10)).length, 1);
  });

  test(`${name} store: gaps and failed runs are recorded; a backfill marks its gap`, async (t) => {
    const store = await open(t);
    if (!store) return;
    await store.commitRun({
      ...commit([], null, 'c1'),
      gaps: [{ source: 'feed:1', from: 0, to: 1000, reason: 'x' }],
    });
    await store.recordFailedRun({ ...commit([], 'c1', 'c1').run, error: 'boom' });
    const gaps = await store.listGaps();
    assert.deepEqual(
      gaps.map((g) => [g.from, g.to, g.backfilledAt]),
      [['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:01.000Z', null]],
    );
    assert.equal((await store.lastRun())!.error, 'boom');
    assert.deepEqual(await store.insertIncidents([inc(7), inc(7)], 3000), [inc(7)]);
    await store.recordBackfillRun({ ...commit([], null, null).run, source: 'backfill' }, gaps[0]!.id, 4000);
    assert.equal((await store.getGap(gaps[0]!.id))!.backfilledAt, '1970-01-01T00:00:04.000Z');
    assert.equal(await store.getGap(9999), null);
    assert.equal((await store.lastRun({ excludeSource: 'backfill' }))!.error, 'boom');
    assert.equal((await store.lastRun({ source: 'backfill' }))!.source, 'backfill');
    assert.equal(await store.getCursor('search'), 'c1');
  });

  test(`${name} store: list filters (status, exact severities, min severity, time) and paging; update`, async (t) => {
    const store = await open(t);
    if (!store) return;
    await store.commitRun(commit([inc(1, 1), inc(2, 2), inc(3, 3), inc(4, 4), inc(5, 0.5)], null, 'c'));
    await store.updateCase(
      'logzio:e3',
      { status: 'closed', owner: 'ann', closeReason: 'resolved' },
      { kind: 'user', name: 'ann' },
      2000,
    );
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
    assert.equal(closed!.updatedAt, '1970-01-01T00:00:02.000Z');
    assert.deepEqual(await store.countsByStatus(), { new: 4, active: 0, closed: 1 });
    assert.equal(
      await store.updateCase('nope', { status: 'active' }, { kind: 'user', name: 'ann' }, 1),
      null,
    );
    assert.deepEqual(
      (await store.timeline('logzio:e3')).map((e) => e.kind),
      ['created', 'owner_changed', 'closed'],
      'an update is on the timeline',
    );
  });
}
