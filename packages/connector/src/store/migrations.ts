import type { DatabaseSync } from 'node:sqlite';
import { OUTBOX_SQLITE_MIGRATION } from '../outbox/schema.ts';

/** Versioned schema steps; `PRAGMA user_version` records how many have run. Append only. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE incidents (
     id TEXT PRIMARY KEY,
     alert_event_id TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     occurred TEXT NOT NULL,
     occurred_ms INTEGER NOT NULL,
     severity REAL NOT NULL,
     status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'active', 'closed')),
     owner TEXT,
     fields TEXT NOT NULL,
     raw TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX incidents_occurred ON incidents (occurred_ms);
   CREATE INDEX incidents_status ON incidents (status, occurred_ms);
   CREATE TABLE cursors (
     source TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE fetch_runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     source TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     ended_at INTEGER NOT NULL,
     count INTEGER NOT NULL,
     cursor_before TEXT,
     cursor_after TEXT,
     error TEXT,
     lag_ms INTEGER,
     full INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE gaps (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     source TEXT NOT NULL,
     from_ms INTEGER NOT NULL,
     to_ms INTEGER NOT NULL,
     reason TEXT NOT NULL,
     recorded_at INTEGER NOT NULL
   );`,
  // When a backfill covered the gap (epoch ms); NULL while it is still open.
  `ALTER TABLE gaps ADD COLUMN backfilled_at INTEGER;`,
  // The transactional outbox, its per-sink control rows and the delivery records (outbox/schema.ts).
  OUTBOX_SQLITE_MIGRATION,
];

export function migrate(db: DatabaseSync): void {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  for (let v = row.user_version; v < MIGRATIONS.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
}
