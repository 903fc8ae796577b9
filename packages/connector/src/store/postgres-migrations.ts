import type { PoolClient } from 'pg';
import { OUTBOX_PG_MIGRATION } from '../outbox/schema.ts';
import { PLAYBOOKS_PG_MIGRATION } from '../playbooks/journal/schema.ts';

/**
 * Versioned schema steps for PostgreSQL, the same logical schema as the SQLite MIGRATIONS;
 * `schema_migrations` records which ran. Append only. `S` stands for the quoted schema name.
 * cursors.value is nullable: commitRun inserts the row empty before locking it, so a first commit
 * has a row to lock too (a NULL value reads as "no cursor", as an absent row does). "full" is
 * quoted: FULL is a reserved word in PostgreSQL.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE S.incidents (
     id TEXT PRIMARY KEY,
     alert_event_id TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     occurred TEXT NOT NULL,
     occurred_ms BIGINT NOT NULL,
     severity DOUBLE PRECISION NOT NULL,
     status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'active', 'closed')),
     owner TEXT,
     fields TEXT NOT NULL,
     raw TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX incidents_occurred ON S.incidents (occurred_ms);
   CREATE INDEX incidents_status ON S.incidents (status, occurred_ms);
   CREATE TABLE S.cursors (
     source TEXT PRIMARY KEY,
     value TEXT,
     updated_at BIGINT NOT NULL
   );
   CREATE TABLE S.fetch_runs (
     id BIGSERIAL PRIMARY KEY,
     source TEXT NOT NULL,
     started_at BIGINT NOT NULL,
     ended_at BIGINT NOT NULL,
     count INTEGER NOT NULL,
     cursor_before TEXT,
     cursor_after TEXT,
     error TEXT,
     lag_ms BIGINT,
     "full" BOOLEAN NOT NULL DEFAULT FALSE
   );
   CREATE TABLE S.gaps (
     id BIGSERIAL PRIMARY KEY,
     source TEXT NOT NULL,
     from_ms BIGINT NOT NULL,
     to_ms BIGINT NOT NULL,
     reason TEXT NOT NULL,
     recorded_at BIGINT NOT NULL
   );`,
  `ALTER TABLE S.gaps ADD COLUMN backfilled_at BIGINT;`,
  // Case management (see the SQLite migration of the same name); search_tsv is the free-text index.
  `ALTER TABLE S.incidents ADD COLUMN original_severity DOUBLE PRECISION;
   UPDATE S.incidents SET original_severity = severity;
   ALTER TABLE S.incidents ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE S.incidents ADD COLUMN close_reason TEXT;
   ALTER TABLE S.incidents ADD COLUMN close_notes TEXT;
   ALTER TABLE S.incidents ADD COLUMN acknowledged_at BIGINT;
   ALTER TABLE S.incidents ADD COLUMN closed_at BIGINT;
   ALTER TABLE S.incidents ADD COLUMN group_key TEXT;
   ALTER TABLE S.incidents ADD COLUMN search_text TEXT;
   ALTER TABLE S.incidents ADD COLUMN search_tsv TSVECTOR;
   CREATE INDEX incidents_occurred_id ON S.incidents (occurred_ms, id COLLATE "C");
   CREATE INDEX incidents_updated_id ON S.incidents (updated_at, id COLLATE "C");
   CREATE INDEX incidents_severity_occurred ON S.incidents (severity, occurred_ms, id COLLATE "C");
   CREATE INDEX incidents_status_severity ON S.incidents (status, severity);
   CREATE INDEX incidents_owner ON S.incidents (owner, occurred_ms);
   CREATE INDEX incidents_name ON S.incidents (name, occurred_ms);
   CREATE INDEX incidents_group ON S.incidents (group_key, occurred_ms);
   CREATE INDEX incidents_unindexed ON S.incidents (id) WHERE search_text IS NULL;
   CREATE INDEX incidents_search ON S.incidents USING GIN (search_tsv);
   CREATE TABLE S.incident_tags (
     tag TEXT NOT NULL,
     incident_id TEXT NOT NULL,
     PRIMARY KEY (tag, incident_id)
   );
   CREATE TABLE S.incident_timeline (
     id BIGSERIAL PRIMARY KEY,
     incident_id TEXT NOT NULL,
     at BIGINT NOT NULL,
     actor_kind TEXT NOT NULL,
     actor TEXT NOT NULL,
     kind TEXT NOT NULL,
     before TEXT,
     after TEXT
   );
   CREATE INDEX incident_timeline_incident ON S.incident_timeline (incident_id, id);
   INSERT INTO S.incident_timeline (incident_id, at, actor_kind, actor, kind, before, after)
     SELECT id, created_at, 'fetch', 'fetch', 'created', NULL,
            json_build_object('status', 'new', 'severity', severity)::text
     FROM S.incidents ORDER BY created_at, id;
   CREATE TABLE S.incident_notes (
     id BIGSERIAL PRIMARY KEY,
     incident_id TEXT NOT NULL,
     author TEXT NOT NULL,
     body TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX incident_notes_incident ON S.incident_notes (incident_id, id);
   CREATE TABLE S.incident_note_revisions (
     id BIGSERIAL PRIMARY KEY,
     note_id BIGINT NOT NULL,
     author TEXT NOT NULL,
     body TEXT NOT NULL,
     at BIGINT NOT NULL
   );
   CREATE INDEX incident_note_revisions_note ON S.incident_note_revisions (note_id, id);
   CREATE TABLE S.incident_logs (
     incident_id TEXT PRIMARY KEY,
     fetched_at BIGINT,
     cap INTEGER NOT NULL,
     truncated BOOLEAN NOT NULL,
     error TEXT,
     logs TEXT NOT NULL
   );`,
  // Users, sessions and API keys of the connector's API (auth/); secrets only as hashes.
  `CREATE TABLE S.users (
     username TEXT PRIMARY KEY,
     role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
     password_hash TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL
   );
   CREATE TABLE S.sessions (
     id_hash TEXT PRIMARY KEY,
     username TEXT NOT NULL,
     csrf_token TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX sessions_username ON S.sessions (username);
   CREATE TABLE S.api_keys (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
     key_hash TEXT NOT NULL UNIQUE,
     created_by TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     revoked_at BIGINT,
     last_used_at BIGINT
   );`,
  // The transactional outbox, its per-sink control rows and the delivery records (outbox/schema.ts).
  OUTBOX_PG_MIGRATION,
  // Playbook runs, their step rows, the append-only run journal (playbooks/journal/schema.ts).
  PLAYBOOKS_PG_MIGRATION,
  // Counts by status and severity for the queue (see the SQLite migration of the same name). Several
  // processes write here, so statement triggers append deltas (no row every writer updates, no lock
  // order to deadlock on); a reader sums them and folds them into one row per pair now and then.
  `CREATE TABLE S.incident_count_deltas (
     id BIGSERIAL PRIMARY KEY,
     status TEXT NOT NULL,
     severity DOUBLE PRECISION NOT NULL,
     n BIGINT NOT NULL
   );
   INSERT INTO S.incident_count_deltas (status, severity, n)
     SELECT status, severity, COUNT(*) FROM S.incidents GROUP BY status, severity;
   CREATE FUNCTION S.incident_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
   BEGIN
     INSERT INTO S.incident_count_deltas (status, severity, n)
       SELECT status, severity, COUNT(*) FROM new_rows GROUP BY status, severity;
     RETURN NULL;
   END $fn$;
   CREATE FUNCTION S.incident_counts_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
   BEGIN
     INSERT INTO S.incident_count_deltas (status, severity, n)
       SELECT status, severity, SUM(n) FROM (
         SELECT status, severity, -1 AS n FROM old_rows
         UNION ALL SELECT status, severity, 1 FROM new_rows) d
       GROUP BY status, severity HAVING SUM(n) <> 0;
     RETURN NULL;
   END $fn$;
   CREATE FUNCTION S.incident_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
   BEGIN
     INSERT INTO S.incident_count_deltas (status, severity, n)
       SELECT status, severity, -COUNT(*) FROM old_rows GROUP BY status, severity;
     RETURN NULL;
   END $fn$;
   CREATE TRIGGER incidents_counts_insert AFTER INSERT ON S.incidents
     REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION S.incident_counts_insert();
   CREATE TRIGGER incidents_counts_update AFTER UPDATE ON S.incidents
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE FUNCTION S.incident_counts_update();
   CREATE TRIGGER incidents_counts_delete AFTER DELETE ON S.incidents
     REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION S.incident_counts_delete();`,
  // Failed logins (see the SQLite migration of the same name): shared by every connector process.
  `CREATE TABLE S.login_failures (
     key TEXT PRIMARY KEY,
     count INTEGER NOT NULL,
     reset_at BIGINT NOT NULL
   );
   CREATE INDEX login_failures_reset ON S.login_failures (reset_at);`,
  // The outbox claim looks up the deliver messages of the incidents it claims for a sink: by
  // index, not a scan of every deliver step ever run.
  `CREATE INDEX pb_deliveries_incident ON S.pb_deliveries (incident_id, sink);`,
  // The "created" timeline entry is read from the incident row (see the SQLite migration).
  `DELETE FROM S.incident_timeline WHERE kind = 'created' AND actor_kind = 'fetch';`,
  // One unique index on incidents, the id's (see the SQLite migration of the same purpose).
  `ALTER TABLE S.incidents DROP CONSTRAINT IF EXISTS incidents_alert_event_id_key;`,
  // (occurred_ms) alone is the first column of incidents_occurred_id (see the SQLite migration).
  `DROP INDEX IF EXISTS S.incidents_occurred;`,
];

/** `"name"` with embedded quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Brings the schema up to date in one transaction. An advisory lock keyed on the schema name makes
 * several processes starting at once migrate one after the other instead of racing on CREATE.
 */
export async function migratePostgres(client: PoolClient, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`siemlink-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ v: number | null }>(
      `SELECT MAX(version) AS v FROM ${s}.schema_migrations`,
    );
    for (let v = rows[0]?.v ?? 0; v < PG_MIGRATIONS.length; v++) {
      await client.query(PG_MIGRATIONS[v]!.replace(/\bS\./g, `${s}.`));
      await client.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [v + 1]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
