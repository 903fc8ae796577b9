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

// The schema as it was before case management: every migration before the case-management one
// (found by what it does, not by its position, which the merge may change).
const isCaseMigration = (m: string) => m.includes('ADD COLUMN original_severity');
const before = (list: readonly string[]) => list.slice(0, list.findIndex(isCaseMigration));

const T0 = Date.UTC(2026, 0, 1);
const OLD = [
  // id, name, occurred_ms, severity, status, owner, groupBy user
  ['logzio:a1', 'Brute force login', T0, 3, 'new', null, 'alice'],
  ['logzio:a2', 'Brute force login', T0 + 60_000, 3, 'active', 'ann', 'alice'],
  ['logzio:a3', 'Malware beacon', T0 + 120_000, 4, 'closed', 'bob', 'srv-9'],
] as const;

/** Rows the old code wrote: incidents, a cursor, fetch runs, a backfilled gap. */
const seedStatements = (S: string): [string, unknown[]][] => [
  ...OLD.map(
    ([id, name, at, sev, status, owner, user]) =>
      [
        `INSERT INTO ${S}incidents (id, alert_event_id, name, occurred, occurred_ms, severity, status, owner, fields, raw, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          id,
          id.slice(7),
          name,
          new Date(at).toISOString(),
          at,
          sev,
          status,
          owner,
          JSON.stringify({ alertId: name.length, description: `${name} for ${user}`, 'groupBy.user': user }),
          JSON.stringify({ alertEventId: id.slice(7), name }),
          at + 1000,
          at + 2000,
        ],
      ] as [string, unknown[]],
  ),
  [
    `INSERT INTO ${S}cursors (source, value, updated_at) VALUES ($1, $2, $3)`,
    ['search:x', '{"v":1,"eventDate":1}', T0],
  ],
  [
    `INSERT INTO ${S}fetch_runs (source, started_at, ended_at, count, cursor_before, cursor_after, error, lag_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    ['search:x', T0, T0 + 5, 3, null, '{"v":1,"eventDate":1}', null, 180_000],
  ],
  [
    `INSERT INTO ${S}gaps (source, from_ms, to_ms, reason, recorded_at, backfilled_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    ['feed:1', T0 - 1000, T0, 'offset expired', T0, T0 + 10],
  ],
];

async function assertNothingLost(store: IncidentStore) {
  const list = await store.listIncidents({ page: 1, pageSize: 10 });
  assert.equal(list.total, 3);
  const a2 = (await store.getIncident('logzio:a2'))!;
  assert.equal(a2.status, 'active');
  assert.equal(a2.owner, 'ann');
  assert.equal(a2.severity, 3);
  assert.equal(a2.originalSeverity, 3);
  assert.equal(a2.fields['groupBy.user'], 'alice');
  assert.equal(a2.createdAt, new Date(T0 + 61_000).toISOString());
  assert.equal(a2.updatedAt, new Date(T0 + 62_000).toISOString());
  assert.deepEqual(a2.tags, []);
  assert.equal((await store.getIncident('logzio:a3'))!.status, 'closed');
  assert.equal(await store.getCursor('search:x'), '{"v":1,"eventDate":1}');
  const runs = await store.listRuns(10);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.lagMs, 180_000);
  const gaps = await store.listGaps();
  assert.equal(gaps[0]!.reason, 'offset expired');
  assert.equal(gaps[0]!.backfilledAt, new Date(T0 + 10).toISOString());
  // The old incidents join case management: timeline, free text, related, updates.
  const tl = await store.timeline('logzio:a1');
  assert.deepEqual(
    tl.map((e) => [e.kind, e.actor.kind, e.at]),
    [['created', 'fetch', new Date(T0 + 1000).toISOString()]],
  );
  const q = { sort: 'occurred', order: 'desc', limit: 10 } as const;
  assert.deepEqual(
    (await store.queryIncidents({ ...q, text: 'brute alice' })).map((i) => i.id),
    ['logzio:a2', 'logzio:a1'],
  );
  assert.deepEqual(
    (await store.relatedIncidents('logzio:a1', 3600_000, 10)).map((i) => i.id),
    ['logzio:a2'],
  );
  const closed = await store.updateCase(
    'logzio:a1',
    { status: 'closed', closeReason: 'duplicate' },
    { kind: 'user', name: 'ann' },
    T0 + 600_000,
  );
  assert.equal(closed!.closeReason, 'duplicate');
}

test('sqlite: migrating a store from before case management keeps every row and indexes the old incidents', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-migrate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'connector.db');
  const old = before(MIGRATIONS);
  assert.ok(old.length >= 2, 'the pre-case-management schema');
  const db = new DatabaseSync(path);
  for (const m of old) db.exec(m);
  db.exec(`PRAGMA user_version = ${old.length}`);
  for (const [sql, args] of seedStatements('')) {
    db.prepare(sql.replace(/\$\d+/g, '?')).run(...(args as (string | number | null)[]));
  }
  db.close();
  const store = openSqliteIncidentStore({ path });
  try {
    await assertNothingLost(store);
  } finally {
    await store.close();
  }
  // A second open changes nothing.
  const again = openSqliteIncidentStore({ path });
  assert.equal((await again.timeline('logzio:a2')).length, 1);
  await again.close();
});

test('postgres: migrating a store from before case management keeps every row and indexes the old incidents', async (t) => {
  const db = await pgTestSchema(t);
  if (!db) return;
  const s = quoteIdent(db.schema);
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA ${s}`);
    await c.query(
      `CREATE TABLE ${s}.schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const old = before(PG_MIGRATIONS);
    for (const [i, m] of old.entries()) {
      await c.query(m.replace(/\bS\./g, `${s}.`));
      await c.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [i + 1]);
    }
    for (const [sql, args] of seedStatements(`${s}.`)) await c.query(sql, args);
  } finally {
    await c.end();
  }
  const store = db.track(await openPostgresIncidentStore({ connectionString: PG_URL, schema: db.schema }));
  await assertNothingLost(store);
  const again = db.track(await openPostgresIncidentStore({ connectionString: PG_URL, schema: db.schema }));
  assert.equal((await again.timeline('logzio:a2')).length, 1);
});
