/**
 * The outbox tables, appended to the store migrations (store/migrations.ts, postgres-migrations.ts).
 * - outbox: one row per (sink, incident) still to deliver or dead; a delivered row moves to
 *   `deliveries`, so the hot table holds only the backlog.
 * - outbox_sinks: per-sink control and figures (paused, last error, delivered count).
 * - deliveries: where and when each incident went, with the target's id (status back).
 * Times are epoch ms. `S.` is the PostgreSQL schema placeholder.
 */
const ddl = (int: string, serial: string, prefix: string) => `CREATE TABLE ${prefix}outbox (
     id ${serial},
     sink TEXT NOT NULL,
     incident_id TEXT NOT NULL,
     occurred_ms ${int} NOT NULL,
     state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
     attempts INTEGER NOT NULL DEFAULT 0,
     enqueued_at ${int} NOT NULL,
     next_at ${int} NOT NULL,
     lease_owner TEXT,
     lease_until ${int},
     last_error TEXT,
     last_status INTEGER,
     last_body TEXT,
     dead_at ${int},
     UNIQUE (sink, incident_id)
   );
   CREATE INDEX outbox_queue ON ${prefix}outbox (sink, state, occurred_ms, id);
   CREATE TABLE ${prefix}outbox_sinks (
     sink TEXT PRIMARY KEY,
     paused INTEGER NOT NULL DEFAULT 0,
     delivered ${int} NOT NULL DEFAULT 0,
     last_error TEXT,
     last_error_at ${int},
     last_delivered_at ${int},
     updated_at ${int} NOT NULL
   );
   CREATE TABLE ${prefix}deliveries (
     sink TEXT NOT NULL,
     incident_id TEXT NOT NULL,
     remote_id TEXT,
     delivered_at ${int} NOT NULL,
     attempts INTEGER NOT NULL,
     PRIMARY KEY (sink, incident_id)
   );
   CREATE INDEX deliveries_incident ON ${prefix}deliveries (incident_id);`;

export const OUTBOX_SQLITE_MIGRATION = ddl('INTEGER', 'INTEGER PRIMARY KEY AUTOINCREMENT', '');
export const OUTBOX_PG_MIGRATION = ddl('BIGINT', 'BIGSERIAL PRIMARY KEY', 'S.');
