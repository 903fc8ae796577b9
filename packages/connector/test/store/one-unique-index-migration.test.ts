import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { groupKey, searchText } from '../../src/cases/text.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import { incidentValues } from '../../src/store/rows.ts';
import type { NewIncident } from '../../src/store/types.ts';
import { commit } from './fixtures.ts';

// The table rebuild that drops the alert id's UNIQUE index, found by what it does.
const isRebuild = (m: string) => m.includes('CREATE TABLE incidents_rebuilt');
const T0 = Date.UTC(2026, 0, 1);

const incident = (n: number, user: string, severity: number): NewIncident => ({
  id: `logzio:e${n}`,
  alertEventId: `e${n}`,
  name: 'Brute force login',
  occurred: new Date(T0 + n * 1000).toISOString(),
  severity,
  fields: { alertId: 7, description: `Failed logins for ${user}`, 'groupBy.user': user },
  raw: { alertEventId: `e${n}` },
});
// Rowids with gaps: a rebuild that renumbered them would point the full-text index elsewhere.
const OLD: [number, NewIncident][] = [
  [1, incident(1, 'alice', 3)],
  [5, incident(2, 'bob', 4)],
  [9, incident(3, 'carol', 3)],
];

/** What the table's indexes and triggers are, by name and SQL (autoindexes by name only). */
const schemaOf = (path: string) => {
  const db = new DatabaseSync(path);
  try {
    return db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'incidents' ORDER BY type, name")
      .all();
  } finally {
    db.close();
  }
};

test('sqlite: the rebuild that leaves one unique index keeps rows, rowids, search, counts, indexes and triggers', async (t) => {
  const v = MIGRATIONS.findIndex(isRebuild);
  assert.ok(v > 0, 'the migration exists');
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-rebuild-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  // A store with the schema before the rebuild, holding what the store of then wrote.
  const path = join(dir, 'old.db');
  const db = new DatabaseSync(path);
  for (const m of MIGRATIONS.slice(0, v)) db.exec(m);
  db.exec(`PRAGMA user_version = ${v}`);
  const ins = db.prepare(
    `INSERT INTO incidents (rowid, id, alert_event_id, name, occurred, occurred_ms, severity, status, owner,
       fields, raw, created_at, updated_at, original_severity, group_key, search_text)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'new', NULL, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const [rowid, i] of OLD) {
    const text = searchText(i);
    ins.run(rowid, ...incidentValues(i), T0, T0, i.severity, groupKey(i), text);
    db.prepare('INSERT INTO incidents_text (rowid, search_text) VALUES (?, ?)').run(rowid, text);
    db.prepare(
      `INSERT INTO incident_counts (status, severity, n) VALUES ('new', ?, 1)
       ON CONFLICT (status, severity) DO UPDATE SET n = n + 1`,
    ).run(i.severity);
  }
  db.prepare("UPDATE incidents SET status = 'active', owner = 'ann' WHERE id = 'logzio:e2'").run();
  db.close();

  const store = openSqliteIncidentStore({ path });
  try {
    // Rows and their rowids as they were.
    const raw = new DatabaseSync(path);
    assert.deepEqual(
      raw
        .prepare('SELECT rowid, id, status, owner FROM incidents ORDER BY rowid')
        .all()
        .map((r) => ({ ...r })),
      [
        { rowid: 1, id: 'logzio:e1', status: 'new', owner: null },
        { rowid: 5, id: 'logzio:e2', status: 'active', owner: 'ann' },
        { rowid: 9, id: 'logzio:e3', status: 'new', owner: null },
      ],
    );
    assert.deepEqual({ ...raw.prepare('PRAGMA integrity_check').get() }, { integrity_check: 'ok' });
    raw.exec("INSERT INTO incidents_text (incidents_text) VALUES ('integrity-check')");
    raw.close();

    // Free text finds each old incident by its own words (the FTS rowids still match).
    const q = { sort: 'occurred', order: 'desc', limit: 10 } as const;
    for (const [user, id] of [
      ['alice', 'logzio:e1'],
      ['bob', 'logzio:e2'],
      ['carol', 'logzio:e3'],
    ]) {
      assert.deepEqual(
        (await store.queryIncidents({ ...q, text: user })).map((i) => i.id),
        [id],
      );
    }
    assert.deepEqual((await store.caseCounts({})).byStatus, { new: 2, active: 1, closed: 0 });

    // Dedupe by alert id, new incidents searchable at once, the counts triggers at work.
    const r = await store.commitRun(commit([incident(1, 'alice', 3), incident(4, 'dave', 2)], null, 'c1'));
    assert.deepEqual(
      r.inserted.map((i) => i.id),
      ['logzio:e4'],
    );
    assert.deepEqual(
      (await store.queryIncidents({ ...q, text: 'dave' })).map((i) => i.id),
      ['logzio:e4'],
    );
    await store.updateCase(
      'logzio:e1',
      { status: 'closed', closeReason: 'duplicate' },
      { kind: 'user', name: 'ann' },
      T0 + 1,
    );
    assert.deepEqual((await store.caseCounts({})).byStatus, { new: 2, active: 1, closed: 1 });
    assert.deepEqual(await store.knownAlertEventIds(['e1', 'e4', 'e5']), new Set(['e1', 'e4']));
  } finally {
    await store.close();
  }

  // The same indexes and triggers as a store created new, and the alert id's UNIQUE index gone.
  const fresh = join(dir, 'fresh.db');
  await openSqliteIncidentStore({ path: fresh }).close();
  assert.deepEqual(schemaOf(path), schemaOf(fresh));
  assert.equal(
    schemaOf(path).filter((o) => String(o.name).startsWith('sqlite_autoindex_incidents')).length,
    1,
  );
});
