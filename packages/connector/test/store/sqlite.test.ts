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
