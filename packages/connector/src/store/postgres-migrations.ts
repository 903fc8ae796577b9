import type { PoolClient } from 'pg';
import { OUTBOX_PG_MIGRATION } from '../outbox/schema.ts';

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
  // The transactional outbox, its per-sink control rows and the delivery records (outbox/schema.ts).
  OUTBOX_PG_MIGRATION,
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
