import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiemError } from '../../src/errors.ts';
import { openSqliteStore, SQLITE_CACHE_KIB, SQLITE_MMAP_BYTES, type Store } from '../../src/store/store.ts';

function tempStore(t: import('node:test').TestContext, prepare?: (dir: string, path: string) => void) {
  const root = mkdtempSync(join(tmpdir(), 'siemlink-store-'));
  const dir = join(root, 'data');
  const path = join(dir, 'siem.db');
  prepare?.(dir, path);
  const store = openSqliteStore({ path });
  t.after(() => {
    store.close();
    rmSync(root, { recursive: true, force: true });
  });
  return { store, dir, path };
}

const mode = (p: string) => statSync(p).mode & 0o777;

/** Makes the next page allocation fail with SQLITE_FULL, as a full disk does. */
function fillDisk(store: Store): void {
  const { page_count } = store.db.prepare('PRAGMA page_count').get() as { page_count: number };
  store.db.exec(`PRAGMA max_page_count = ${page_count}`);
}

test('the database, its WAL and SHM are 0600 in a 0700 directory', async (t) => {
  const { store, dir, path } = tempStore(t);
  store.tx(() => store.db.exec("INSERT INTO schema_migrations (name, applied_at) VALUES ('x', 1)"));
  assert.equal(mode(dir), 0o700);
  for (const f of [path, `${path}-wal`, `${path}-shm`]) assert.equal(mode(f), 0o600, f);
});

test('files of an older, world-readable data dir are tightened on open', async (t) => {
  const { dir, path } = tempStore(t, (d, p) => {
    openSqliteStore({ path: p }).close();
    chmodSync(d, 0o755);
    chmodSync(p, 0o644);
    writeFileSync(`${p}-wal`, '');
    chmodSync(`${p}-wal`, 0o644);
  });
  assert.equal(mode(dir), 0o700);
  assert.equal(mode(path), 0o600);
  assert.equal(mode(`${path}-wal`), 0o600);
});

test('a full disk inside a transaction surfaces as STORAGE_FULL (507), not as a failed rollback', async (t) => {
  const { store } = tempStore(t);
  store.db.exec('CREATE TABLE blobs (b BLOB)');
  fillDisk(store);
  let caught: unknown;
  try {
    store.tx(() => {
      for (let i = 0; i < 50; i++) store.db.prepare('INSERT INTO blobs VALUES (?)').run(new Uint8Array(8192));
    });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SiemError, String(caught));
  assert.equal(caught.code, 'STORAGE_FULL');
  assert.equal(caught.status, 507);
  assert.equal(caught.headers?.['retry-after'], '60');
  assert.match(caught.message, /full/);
  assert.doesNotMatch(caught.message, /rollback/);
  assert.equal(store.db.isTransaction, false);
  // Space again: the same store writes, nothing of the failed transaction is there.
  store.db.exec('PRAGMA max_page_count = 1073741823');
  store.tx(() => store.db.prepare('INSERT INTO blobs VALUES (?)').run(new Uint8Array(1)));
  assert.equal((store.db.prepare('SELECT count(*) AS n FROM blobs').get() as { n: number }).n, 1);
});

test('other errors in a transaction are rethrown unchanged and rolled back', async (t) => {
  const { store } = tempStore(t);
  store.db.exec('CREATE TABLE u (k TEXT UNIQUE)');
  assert.throws(
    () =>
      store.tx(() => {
        store.db.exec("INSERT INTO u VALUES ('a')");
        store.db.exec("INSERT INTO u VALUES ('a')");
      }),
    /UNIQUE constraint failed/,
  );
  assert.equal((store.db.prepare('SELECT count(*) AS n FROM u').get() as { n: number }).n, 0);
  assert.equal(store.db.isTransaction, false);
});

test('memory bounds are set on purpose: a bounded page cache, no memory-mapped I/O', (t) => {
  const { store } = tempStore(t);
  const cache = store.db.prepare('PRAGMA cache_size').get() as { cache_size: number };
  assert.equal(cache.cache_size, -SQLITE_CACHE_KIB);
  const mmap = store.db.prepare('PRAGMA mmap_size').get() as { mmap_size: number };
  assert.equal(mmap.mmap_size, SQLITE_MMAP_BYTES);
  assert.equal(SQLITE_MMAP_BYTES, 0);
});
