import { DatabaseSync } from 'node:sqlite';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { storeFailure } from '../errors.ts';
import { runMigrations } from './migrate.ts';

/**
 * The embedded store: one SQLite database in WAL mode. Repositories take a `Store` and keep
 * their SQL to themselves, so a PostgreSQL `Store` can be added behind the same repository
 * interfaces later. SQLite has one writer at a time, so rowids assigned inside a write
 * transaction are in commit order: the feed's storage sequence relies on that.
 */
export interface Store {
  readonly kind: 'sqlite';
  readonly db: DatabaseSync;
  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE); nested calls join the outer one. */
  tx<T>(fn: () => T): T;
  close(): void;
}

/**
 * Memory bounds, set on purpose rather than left to build defaults (issue 10, item 5): each
 * connection caches at most this many KiB of pages; everything else is read through the OS
 * page cache. No memory-mapped I/O: mapped pages count in the process's RSS and would grow
 * with the database (hundreds of MB at 1M logs), where the OS cache is shared and evictable.
 */
export const SQLITE_CACHE_KIB = 32 * 1024;
export const SQLITE_MMAP_BYTES = 0;

export interface OpenStoreOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
}

/**
 * The database holds logs, security events, token hashes and the feed's HMAC key: owner-only.
 * Modes are set explicitly, not left to the umask, and files of older data dirs are tightened.
 */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const SIDE_FILES = ['', '-wal', '-shm', '-journal'];

function restrictFiles(path: string): void {
  for (const suffix of SIDE_FILES) {
    if (existsSync(path + suffix)) chmodSync(path + suffix, FILE_MODE);
  }
}

/**
 * A read-only connection to an existing database file, for a reader in another thread (a rule
 * scan worker): WAL lets it read while the store's connection writes.
 */
export function openSqliteReader(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { readOnly: true });
  db.exec('PRAGMA busy_timeout = 5000');
  return db;
}

export function openSqliteStore(opts: OpenStoreOptions): Store {
  const onDisk = opts.path !== ':memory:';
  if (onDisk) {
    const dir = dirname(opts.path);
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    try {
      chmodSync(dir, DIR_MODE);
    } catch (err) {
      // A directory someone else owns (a shared mount): the files themselves stay 0600.
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
    restrictFiles(opts.path);
  }
  // Created here 0600 before SQLite opens it: SQLite gives the WAL and SHM files the database
  // file's mode, so they are owner-only from their first byte.
  if (onDisk) closeSync(openSync(opts.path, 'a', FILE_MODE));
  const db = new DatabaseSync(opts.path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec(`PRAGMA cache_size = -${SQLITE_CACHE_KIB}`);
  db.exec(`PRAGMA mmap_size = ${SQLITE_MMAP_BYTES}`);
  let depth = 0;
  const store: Store = {
    kind: 'sqlite',
    db,
    tx<T>(fn: () => T): T {
      if (depth > 0) return fn();
      try {
        db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        throw storeFailure(err) ?? err;
      }
      depth++;
      try {
        const result = fn();
        db.exec('COMMIT');
        return result;
      } catch (err) {
        // A failed COMMIT (disk full, I/O error) may already have rolled back: a second
        // ROLLBACK would fail with "no transaction is active" and hide the real cause.
        if (db.isTransaction) {
          try {
            db.exec('ROLLBACK');
          } catch {
            // The original error is the one worth reporting.
          }
        }
        throw storeFailure(err) ?? err;
      } finally {
        depth--;
      }
    },
    close() {
      if (db.isOpen) db.close();
    },
  };
  runMigrations(store);
  return store;
}
