import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';

// SQLite specifics; the IncidentStore contract itself is in contract.test.ts.
test('store: WAL, migrations recorded in user_version, re-open is a no-op', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'c.db');
  await openSqliteIncidentStore({ path }).close();
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

test('store: a new store has 8 KB pages; one made with 4 KB pages opens as it is and keeps its data', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pageSize = (path: string) => {
    const db = new DatabaseSync(path);
    try {
      return (db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size;
    } finally {
      db.close();
    }
  };
  const fresh = join(dir, 'new.db');
  await openSqliteIncidentStore({ path: fresh }).close();
  assert.equal(pageSize(fresh), 8192);

  // As the stores made before 8 KB pages: SQLite's default page, in WAL mode.
  const old = join(dir, 'old.db');
  const made = new DatabaseSync(old);
  made.exec('PRAGMA page_size = 4096');
  made.exec('PRAGMA journal_mode = WAL');
  made.exec('CREATE TABLE before_upgrade (x)');
  made.close();
  const store = openSqliteIncidentStore({ path: old });
  await store.commitRun({ source: 'search', incidents: [], cursorBefore: null, cursorAfter: 'c1', now: 1 });
  await store.close();
  assert.equal(pageSize(old), 4096);
  const again = openSqliteIncidentStore({ path: old });
  assert.equal(await again.getCursor('search'), 'c1');
  await again.close();
});

test('store: no index on incidents is the leading columns of another (every new incident writes each)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'c.db');
  await openSqliteIncidentStore({ path }).close();
  const db = new DatabaseSync(path);
  t.after(() => db.close());
  const indexes = (
    db.prepare("PRAGMA index_list('incidents')").all() as { name: string; unique: number; partial: number }[]
  )
    .filter((i) => !i.unique && !i.partial)
    .map((i) => ({
      name: i.name,
      columns: (db.prepare(`PRAGMA index_info('${i.name}')`).all() as { name: string }[]).map((c) => c.name),
    }));
  assert.ok(indexes.length >= 5, 'the queue and the console filters have their indexes');
  for (const a of indexes) {
    for (const b of indexes) {
      if (a === b) continue;
      const prefix = a.columns.every((c, k) => b.columns[k] === c);
      assert.ok(!prefix, `${a.name} (${a.columns}) is the start of ${b.name} (${b.columns})`);
    }
  }
});
