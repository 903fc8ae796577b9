import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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

export interface OpenStoreOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
}

export function openSqliteStore(opts: OpenStoreOptions): Store {
  if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
  const db = new DatabaseSync(opts.path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA foreign_keys = ON');
  let depth = 0;
  const store: Store = {
    kind: 'sqlite',
    db,
    tx<T>(fn: () => T): T {
      if (depth > 0) return fn();
      db.exec('BEGIN IMMEDIATE');
      depth++;
      try {
        const result = fn();
        db.exec('COMMIT');
        return result;
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
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
