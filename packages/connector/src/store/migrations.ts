import type { DatabaseSync } from 'node:sqlite';
import { OUTBOX_SQLITE_MIGRATION } from '../outbox/schema.ts';
import { PLAYBOOKS_SQLITE_MIGRATION } from '../playbooks/journal/schema.ts';

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
  // Case management: overrides, close reason, tags, SLA times, related-incident key, free text,
  // notes with revisions, the append-only timeline (seeded with a "created" entry per incident),
  // captured triggering logs. group_key and search_text are filled from each row on open (cases-sqlite.ts).
  `ALTER TABLE incidents ADD COLUMN original_severity REAL;
   UPDATE incidents SET original_severity = severity;
   ALTER TABLE incidents ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE incidents ADD COLUMN close_reason TEXT;
   ALTER TABLE incidents ADD COLUMN close_notes TEXT;
   ALTER TABLE incidents ADD COLUMN acknowledged_at INTEGER;
   ALTER TABLE incidents ADD COLUMN closed_at INTEGER;
   ALTER TABLE incidents ADD COLUMN group_key TEXT;
   ALTER TABLE incidents ADD COLUMN search_text TEXT;
   CREATE INDEX incidents_occurred_id ON incidents (occurred_ms, id);
   CREATE INDEX incidents_updated_id ON incidents (updated_at, id);
   CREATE INDEX incidents_severity_occurred ON incidents (severity, occurred_ms, id);
   CREATE INDEX incidents_status_severity ON incidents (status, severity);
   CREATE INDEX incidents_owner ON incidents (owner, occurred_ms);
   CREATE INDEX incidents_name ON incidents (name, occurred_ms);
   CREATE INDEX incidents_group ON incidents (group_key, occurred_ms);
   CREATE INDEX incidents_unindexed ON incidents (id) WHERE search_text IS NULL;
   CREATE TABLE incident_tags (
     tag TEXT NOT NULL,
     incident_id TEXT NOT NULL,
     PRIMARY KEY (tag, incident_id)
   ) WITHOUT ROWID;
   CREATE VIRTUAL TABLE incidents_fts USING fts5(id UNINDEXED, words);
   CREATE TABLE incident_timeline (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     incident_id TEXT NOT NULL,
     at INTEGER NOT NULL,
     actor_kind TEXT NOT NULL,
     actor TEXT NOT NULL,
     kind TEXT NOT NULL,
     before TEXT,
     after TEXT
   );
   CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, id);
   INSERT INTO incident_timeline (incident_id, at, actor_kind, actor, kind, before, after)
     SELECT id, created_at, 'fetch', 'fetch', 'created', NULL, json_object('status', 'new', 'severity', severity)
     FROM incidents ORDER BY created_at, id;
   CREATE TABLE incident_notes (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     incident_id TEXT NOT NULL,
     author TEXT NOT NULL,
     body TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX incident_notes_incident ON incident_notes (incident_id, id);
   CREATE TABLE incident_note_revisions (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     note_id INTEGER NOT NULL,
     author TEXT NOT NULL,
     body TEXT NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX incident_note_revisions_note ON incident_note_revisions (note_id, id);
   CREATE TABLE incident_logs (
     incident_id TEXT PRIMARY KEY,
     fetched_at INTEGER,
     cap INTEGER NOT NULL,
     truncated INTEGER NOT NULL,
     error TEXT,
     logs TEXT NOT NULL
   );`,
  // Users, sessions and API keys of the connector's API (auth/); secrets only as hashes.
  `CREATE TABLE users (
     username TEXT PRIMARY KEY,
     role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
     password_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY,
     username TEXT NOT NULL,
     csrf_token TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX sessions_username ON sessions (username);
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
     key_hash TEXT NOT NULL UNIQUE,
     created_by TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER,
     last_used_at INTEGER
   );`,
  // The transactional outbox, its per-sink control rows and the delivery records (outbox/schema.ts).
  OUTBOX_SQLITE_MIGRATION,
  // Playbook runs, their step rows, the append-only run journal (playbooks/journal/schema.ts).
  PLAYBOOKS_SQLITE_MIGRATION,
  // The queue at 100,000 incidents (bench/incidents.ts). Free text: an FTS5 index over
  // incidents.search_text keyed by the incident's rowid (a match joins by rowid, not by text id),
  // with prefix indexes for short last words. Counts by status and severity: a table the triggers
  // keep exact, so the queue's facet counts are 15 rows read, not a scan per page. Inserts count
  // themselves (sqlite.ts, one upsert a batch): a row trigger on INSERT opens a savepoint per
  // statement, which makes FTS5 flush its pending terms every row (5x slower inserts).
  `DROP TABLE incidents_fts;
   CREATE VIRTUAL TABLE incidents_text USING fts5(search_text, content='incidents', prefix='2 3');
   INSERT INTO incidents_text (incidents_text) VALUES ('rebuild');
   CREATE TABLE incident_counts (
     status TEXT NOT NULL,
     severity REAL NOT NULL,
     n INTEGER NOT NULL,
     PRIMARY KEY (status, severity)
   ) WITHOUT ROWID;
   INSERT INTO incident_counts (status, severity, n)
     SELECT status, severity, COUNT(*) FROM incidents GROUP BY status, severity;
   -- Bumped with every change of the counts: cached counts of a text, rule or time filter are
   -- valid while it stays (those filters select on columns that never change).
   CREATE TABLE incident_counts_version (v INTEGER NOT NULL);
   INSERT INTO incident_counts_version (v) VALUES (0);
   CREATE TRIGGER incidents_counts_update AFTER UPDATE OF status, severity ON incidents
     WHEN old.status IS NOT new.status OR old.severity IS NOT new.severity BEGIN
     UPDATE incident_counts SET n = n - 1 WHERE status = old.status AND severity = old.severity;
     INSERT INTO incident_counts (status, severity, n) VALUES (new.status, new.severity, 1)
       ON CONFLICT (status, severity) DO UPDATE SET n = n + 1;
     UPDATE incident_counts_version SET v = v + 1;
   END;
   CREATE TRIGGER incidents_counts_delete AFTER DELETE ON incidents BEGIN
     UPDATE incident_counts SET n = n - 1 WHERE status = old.status AND severity = old.severity;
     UPDATE incident_counts_version SET v = v + 1;
   END;`,
  // Failed logins per key (user:<name>, addr:<ip>) in a fixed window: kept in the store so a
  // restart does not reset the limit (auth/login-limiter.ts).
  `CREATE TABLE login_failures (
     key TEXT PRIMARY KEY,
     count INTEGER NOT NULL,
     reset_at INTEGER NOT NULL
   );
   CREATE INDEX login_failures_reset ON login_failures (reset_at);`,
  // The outbox claim looks up the deliver messages of the incidents it claims for a sink: by
  // index, not a scan of every deliver step ever run.
  `CREATE INDEX pb_deliveries_incident ON pb_deliveries (incident_id, sink);`,
  // An incident's "created" timeline entry is read from its row (created_at, original severity;
  // case-rows.ts createdEntry), no longer stored: a row and a random-keyed index entry per
  // incident were a third of a fetch commit's writes. The stored ones go, or they would show twice.
  `DELETE FROM incident_timeline WHERE kind = 'created' AND actor_kind = 'fetch';`,
  // One unique index on incidents, not two: the id is the alert event id's (fetch/mapping.ts
  // incidentId, checked on insert), so the id's primary key also keeps alert ids unique, and the
  // alert id's own UNIQUE index was a second random-keyed B-tree written by every new incident.
  // SQLite drops a UNIQUE constraint only by rebuilding the table: same columns in the same order,
  // same rowids (incidents_text is an external-content FTS5 index on them), then every index and
  // trigger of the table again.
  `CREATE TABLE incidents_rebuilt (
     id TEXT PRIMARY KEY,
     alert_event_id TEXT NOT NULL,
     name TEXT NOT NULL,
     occurred TEXT NOT NULL,
     occurred_ms INTEGER NOT NULL,
     severity REAL NOT NULL,
     status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'active', 'closed')),
     owner TEXT,
     fields TEXT NOT NULL,
     raw TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     original_severity REAL,
     tags TEXT NOT NULL DEFAULT '[]',
     close_reason TEXT,
     close_notes TEXT,
     acknowledged_at INTEGER,
     closed_at INTEGER,
     group_key TEXT,
     search_text TEXT
   );
   INSERT INTO incidents_rebuilt (rowid, id, alert_event_id, name, occurred, occurred_ms, severity, status,
       owner, fields, raw, created_at, updated_at, original_severity, tags, close_reason, close_notes,
       acknowledged_at, closed_at, group_key, search_text)
     SELECT rowid, id, alert_event_id, name, occurred, occurred_ms, severity, status,
       owner, fields, raw, created_at, updated_at, original_severity, tags, close_reason, close_notes,
       acknowledged_at, closed_at, group_key, search_text
     FROM incidents ORDER BY rowid;
   DROP TABLE incidents;
   ALTER TABLE incidents_rebuilt RENAME TO incidents;
   CREATE INDEX incidents_occurred ON incidents (occurred_ms);
   CREATE INDEX incidents_status ON incidents (status, occurred_ms);
   CREATE INDEX incidents_occurred_id ON incidents (occurred_ms, id);
   CREATE INDEX incidents_updated_id ON incidents (updated_at, id);
   CREATE INDEX incidents_severity_occurred ON incidents (severity, occurred_ms, id);
   CREATE INDEX incidents_status_severity ON incidents (status, severity);
   CREATE INDEX incidents_owner ON incidents (owner, occurred_ms);
   CREATE INDEX incidents_name ON incidents (name, occurred_ms);
   CREATE INDEX incidents_group ON incidents (group_key, occurred_ms);
   CREATE INDEX incidents_unindexed ON incidents (id) WHERE search_text IS NULL;
   CREATE TRIGGER incidents_counts_update AFTER UPDATE OF status, severity ON incidents
     WHEN old.status IS NOT new.status OR old.severity IS NOT new.severity BEGIN
     UPDATE incident_counts SET n = n - 1 WHERE status = old.status AND severity = old.severity;
     INSERT INTO incident_counts (status, severity, n) VALUES (new.status, new.severity, 1)
       ON CONFLICT (status, severity) DO UPDATE SET n = n + 1;
     UPDATE incident_counts_version SET v = v + 1;
   END;
   CREATE TRIGGER incidents_counts_delete AFTER DELETE ON incidents BEGIN
     UPDATE incident_counts SET n = n - 1 WHERE status = old.status AND severity = old.severity;
     UPDATE incident_counts_version SET v = v + 1;
   END;`,
  // Incidents stored but not yet in incidents_text (cases-sqlite.ts indexInserted): a backlog's
  // fetch commits index their text in batches; a free-text query indexes what is pending first.
  `CREATE TABLE IF NOT EXISTS incidents_text_pending (incident_rowid INTEGER PRIMARY KEY);`,
  // A B-tree every new incident wrote and no query needs: (occurred_ms) is the first column of
  // incidents_occurred_id, which serves whatever it did (bench/incidents.ts unchanged).
  // (status, severity) stays: a filtered queue's counts, recomputed after a write, group by it
  // (without it 'q=brute&status=new' after a write took 67 ms, not 24).
  `DROP INDEX IF EXISTS incidents_occurred;`,
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
