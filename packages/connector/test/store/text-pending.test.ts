import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteIncidentStore, TEXT_DEFER_UP_TO } from '../../src/store/sqlite.ts';
import type { NewIncident } from '../../src/store/types.ts';
import { commit } from './fixtures.ts';

const incident = (n: number, word: string): NewIncident => ({
  id: `logzio:t${n}`,
  alertEventId: `t${n}`,
  name: 'Brute force login',
  occurred: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
  severity: 3,
  fields: { description: `seen from ${word}`, 'groupBy.host': `host${n}` },
  raw: { alertEventId: `t${n}` },
});

/** A backlog's commit: a full run, so its text may stay pending. */
const backlogCommit = (incidents: NewIncident[], before: string | null, after: string) => {
  const c = commit(incidents, before, after);
  return { ...c, run: { ...c.run, full: true } };
};

function setup(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-text-pending-'));
  const path = join(dir, 'connector.db');
  const raw = new DatabaseSync(path);
  t.after(() => {
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const pending = () =>
    (raw.prepare('SELECT COUNT(*) AS n FROM incidents_text_pending').get() as { n: number }).n;
  return { path, pending };
}

const byText = { sort: 'occurred', order: 'desc', limit: 100 } as const;

test('text pending: a backlog commit leaves its text for later; a free-text query indexes it first', async (t) => {
  const { path, pending } = setup(t);
  const store = openSqliteIncidentStore({ path });
  t.after(() => store.close());
  await store.commitRun(backlogCommit([incident(1, 'zanzibar'), incident(2, 'quokka')], null, 'c1'));
  assert.equal(pending(), 2, 'deferred');
  const found = await store.queryIncidents({ ...byText, text: 'zanzib' });
  assert.deepEqual(
    found.map((i) => i.id),
    ['logzio:t1'],
  );
  assert.equal(pending(), 0);

  await store.commitRun(backlogCommit([incident(3, 'zanzibar')], 'c1', 'c2'));
  assert.equal(pending(), 1);
  const counts = await store.caseCounts({ text: 'zanzibar' });
  assert.equal(counts.total, 2, 'counts see it too');
  assert.equal(pending(), 0);
});

test('text pending: a run that caught up indexes everything pending, in its own commit', async (t) => {
  const { path, pending } = setup(t);
  const store = openSqliteIncidentStore({ path });
  t.after(() => store.close());
  await store.commitRun(backlogCommit([incident(1, 'alpha')], null, 'c1'));
  assert.equal(pending(), 1);
  await store.commitRun(commit([incident(2, 'beta')], 'c1', 'c2')); // full: false
  assert.equal(pending(), 0);
});

test('text pending: never more than the bound; what a crash left is indexed on open', async (t) => {
  const { path, pending } = setup(t);
  let store = openSqliteIncidentStore({ path });
  const many = Array.from({ length: TEXT_DEFER_UP_TO + 1 }, (_, i) => incident(10 + i, `w${i}`));
  await store.commitRun(backlogCommit(many, null, 'c1'));
  assert.equal(pending(), 0, 'over the bound: indexed in that commit');
  await store.commitRun(backlogCommit([incident(1, 'gamma')], 'c1', 'c2'));
  assert.equal(pending(), 1);
  await store.close(); // as a SIGKILL would leave it: the pending row is committed
  store = openSqliteIncidentStore({ path });
  t.after(() => store.close());
  assert.equal(pending(), 0);
  assert.equal((await store.queryIncidents({ ...byText, text: 'gamma' })).length, 1);
});
