import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { PG_MIGRATIONS, quoteIdent } from '../../src/store/postgres-migrations.ts';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import { openPostgresIncidentStore } from '../../src/store/postgres.ts';
import type { IncidentStore } from '../../src/store/types.ts';
import { PG_URL, pgTestSchema } from './factories.ts';
import { commit, inc } from './fixtures.ts';

// Stores written before the "created" entry was read from the incident row hold it as a timeline
// row; the migration that removes those rows is found by what it does, not by its position.
const isDerivedCreated = (m: string) => m.includes('DELETE FROM') && m.includes("kind = 'created'");
const T0 = Date.UTC(2026, 0, 1);

/** The rows the old code wrote for one incident: its "created" entry, then an analyst's change. */
const OLD_ROWS = [
  ['created', 'fetch', 'fetch', null, JSON.stringify({ status: 'new', severity: 3 })],
  ['owner_changed', 'user', 'ann', null, JSON.stringify('ann')],
] as const;

async function assertShownOnce(store: IncidentStore, createdAt: number) {
  const tl = await store.timeline('logzio:e1');
  assert.deepEqual(
    tl.map((e) => [e.kind, e.actor.kind, e.actor.name, e.at, e.after]),
    [
      ['created', 'fetch', 'fetch', new Date(createdAt).toISOString(), { status: 'new', severity: 3 }],
      ['owner_changed', 'user', 'ann', new Date(T0 + 5000).toISOString(), 'ann'],
    ],
  );
  assert.equal(tl[0]!.id, 0, 'the derived entry comes first');
  assert.ok(tl[1]!.id > 0);
  assert.deepEqual(await store.timeline('logzio:none'), []);
}

test('sqlite: the stored "created" timeline rows go; the entry is read from the row, once, first', async (t) => {
  const v = MIGRATIONS.findIndex(isDerivedCreated);
  assert.ok(v > 0, 'the migration exists');
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-created-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'connector.db');
  const store = openSqliteIncidentStore({ path });
  await store.commitRun({ ...commit([inc(1, 3)], null, 'c1'), now: T0 });
  await store.close();
  // Back to the schema before the migration, with the rows the old code wrote.
  const db = new DatabaseSync(path);
  for (const [kind, actorKind, actor, before, after] of OLD_ROWS) {
    db.prepare(
      'INSERT INTO incident_timeline (incident_id, at, actor_kind, actor, kind, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run('logzio:e1', kind === 'created' ? T0 : T0 + 5000, actorKind, actor, kind, before, after);
  }
  db.exec(`PRAGMA user_version = ${v}`);
  db.close();
  const reopened = openSqliteIncidentStore({ path });
  try {
    await assertShownOnce(reopened, T0);
  } finally {
    await reopened.close();
  }
});

test('postgres: the stored "created" timeline rows go; the entry is read from the row, once, first', async (t) => {
  const db = await pgTestSchema(t);
  if (!db) return;
  const v = PG_MIGRATIONS.findIndex(isDerivedCreated);
  assert.ok(v > 0, 'the migration exists');
  const store = await openPostgresIncidentStore({ connectionString: PG_URL, schema: db.schema });
  await store.commitRun({ ...commit([inc(1, 3)], null, 'c1'), now: T0 });
  await store.close();
  const s = quoteIdent(db.schema);
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    for (const [kind, actorKind, actor, before, after] of OLD_ROWS) {
      await c.query(
        `INSERT INTO ${s}.incident_timeline (incident_id, at, actor_kind, actor, kind, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        ['logzio:e1', kind === 'created' ? T0 : T0 + 5000, actorKind, actor, kind, before, after],
      );
    }
    await c.query(`DELETE FROM ${s}.schema_migrations WHERE version > $1`, [v]);
  } finally {
    await c.end();
  }
  const reopened = db.track(await openPostgresIncidentStore({ connectionString: PG_URL, schema: db.schema }));
  await assertShownOnce(reopened, T0);
});
