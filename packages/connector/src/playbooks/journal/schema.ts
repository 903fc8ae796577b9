/**
 * The playbook run journal, appended to the store migrations (store/migrations.ts,
 * postgres-migrations.ts). Times are epoch ms; JSON columns are TEXT. `S.` is the PostgreSQL
 * schema placeholder.
 * - pb_runs: one row per run; `trigger_key` (incident|playbook|version) is unique, so a trigger
 *   writes at most one run per incident, playbook and version.
 * - pb_steps: one row per execution unit: a step (`item` -1) or one foreach item (`item` >= 0),
 *   unique per (run, step, item); `attempt` grows in place on a retry. `due_at` is when the row may
 *   be claimed: a ready row's due time, a waiting row's wake-up time (a wait), a leased row's lease
 *   end (an expired lease is claimable again with the same attempt). NULL: nothing to claim.
 * - pb_journal: append-only events (run created, step started, succeeded, failed, retried, ...).
 * - pb_deliveries: one row per deliver step execution that enqueued an outbox row, keyed by its
 *   idempotency key (the message fields the step rendered travel here, beside the outbox row).
 */
const ddl = (int: string, serial: string, p: string) => `CREATE TABLE ${p}pb_runs (
     id TEXT PRIMARY KEY,
     playbook TEXT NOT NULL,
     version INTEGER NOT NULL,
     incident_id TEXT,
     status TEXT NOT NULL,
     trigger_kind TEXT NOT NULL,
     trigger_key TEXT UNIQUE,
     started_by TEXT NOT NULL,
     parent_run_id TEXT,
     parent_step_id TEXT,
     parent_item INTEGER,
     inputs TEXT NOT NULL,
     outputs TEXT,
     error TEXT,
     failed_step TEXT,
     created_at ${int} NOT NULL,
     updated_at ${int} NOT NULL,
     deadline_at ${int} NOT NULL,
     ended_at ${int}
   );
   CREATE INDEX pb_runs_created ON ${p}pb_runs (created_at, id);
   CREATE INDEX pb_runs_incident ON ${p}pb_runs (incident_id, created_at);
   CREATE INDEX pb_runs_open ON ${p}pb_runs (deadline_at) WHERE ended_at IS NULL;
   CREATE TABLE ${p}pb_steps (
     id ${serial},
     run_id TEXT NOT NULL,
     step_id TEXT NOT NULL,
     item INTEGER NOT NULL,
     kind TEXT NOT NULL,
     phase TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     status TEXT NOT NULL,
     lease_owner TEXT,
     lease_until ${int},
     due_at ${int},
     timeout_at ${int},
     state TEXT,
     input TEXT,
     output TEXT,
     error TEXT,
     error_kind TEXT,
     started_at ${int},
     ended_at ${int},
     created_at ${int} NOT NULL,
     updated_at ${int} NOT NULL,
     UNIQUE (run_id, step_id, item)
   );
   CREATE INDEX pb_steps_due ON ${p}pb_steps (due_at) WHERE due_at IS NOT NULL;
   CREATE INDEX pb_steps_timeout ON ${p}pb_steps (timeout_at) WHERE timeout_at IS NOT NULL;
   CREATE TABLE ${p}pb_journal (
     id ${serial},
     run_id TEXT NOT NULL,
     at ${int} NOT NULL,
     kind TEXT NOT NULL,
     step_id TEXT,
     item INTEGER,
     attempt INTEGER,
     data TEXT
   );
   CREATE INDEX pb_journal_run ON ${p}pb_journal (run_id, id);
   CREATE TABLE ${p}pb_deliveries (
     idempotency_key TEXT PRIMARY KEY,
     run_id TEXT NOT NULL,
     sink TEXT NOT NULL,
     incident_id TEXT NOT NULL,
     message TEXT,
     enqueued_at ${int} NOT NULL
   );`;

export const PLAYBOOKS_SQLITE_MIGRATION = ddl('INTEGER', 'INTEGER PRIMARY KEY AUTOINCREMENT', '');
export const PLAYBOOKS_PG_MIGRATION = ddl('BIGINT', 'BIGSERIAL PRIMARY KEY', 'S.');
