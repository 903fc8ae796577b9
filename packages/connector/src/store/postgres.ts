import pg from 'pg';
import { migratePostgres, quoteIdent } from './postgres-migrations.ts';
import { checkIncidentKey, idsOfAlerts } from './incident-key.ts';
import { postgresAuth } from './auth-postgres.ts';
import { postgresCases } from './cases-postgres.ts';
import { createPostgresOutbox, postgresOutboxWriter } from '../outbox/postgres-outbox.ts';
import type { OutboxRoute } from '../outbox/routing.ts';
import { postgresPlaybooks } from '../playbooks/journal/store.ts';
import type { NewRun } from '../playbooks/journal/journal.ts';
import {
  CursorConflictError,
  type CommittedRun,
  type IncidentStatus,
  type IncidentStore,
  type NewFetchRun,
  type NewIncident,
} from './types.ts';
import {
  encodeIncident,
  toGap,
  toIncident,
  toRun,
  type GapRow,
  type IncidentRow,
  type RunRow,
} from './rows.ts';

// BIGINT columns come back from pg as strings.
type Big = string | number;
// BIGINT rejects fractions; flooring keeps the ISO string the SQLite store would print.
const ms = (n: number) => Math.floor(n);

export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema holding the tables (created if absent). Default `public`. */
  schema?: string;
  /** Pool size per process. Default 5. */
  max?: number;
  /** Sinks that get an outbox row for each new incident, in the same transaction. */
  routes?: readonly OutboxRoute[];
}

/**
 * The shared incident store: PostgreSQL behind a pg.Pool, so several connector processes can
 * fetch into one store. Same semantics as the SQLite store; commitRun locks the cursor row so two
 * writers on one cursor serialise and the loser gets CursorConflictError (rule 1).
 */
export async function openPostgresIncidentStore(opts: PostgresStoreOptions): Promise<IncidentStore> {
  const schema = opts.schema ?? 'public';
  const s = quoteIdent(schema);
  const pool = new pg.Pool({ connectionString: opts.connectionString, max: opts.max ?? 5 });
  // An idle client dropped by the server emits 'error' on the pool; without a listener that
  // crashes the process. The next query simply gets a fresh connection (or fails visibly).
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, schema);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }

  type Q = Pick<pg.PoolClient, 'query'>;

  async function tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  const runInsert = async (q: Q, run: NewFetchRun): Promise<number> => {
    const { rows } = await q.query<{ id: Big }>(
      `INSERT INTO ${s}.fetch_runs (source, started_at, ended_at, count, cursor_before, cursor_after, error, lag_ms, "full")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        run.source,
        ms(run.startedAt),
        ms(run.endedAt),
        run.count,
        run.cursorBefore,
        run.cursorAfter,
        run.error,
        run.lagMs === null ? null : Math.round(run.lagMs),
        run.full,
      ],
    );
    return Number(rows[0]!.id);
  };

  const enqueue = postgresOutboxWriter(s, opts.routes ?? []);

  // One statement per incident, in input order, so `inserted` matches the SQLite store exactly
  // (first occurrence wins). ON CONFLICT on the id, which is the alert event id's (incident-key.ts).
  const insertAll = async (
    q: Q,
    incidents: readonly NewIncident[],
    now: number,
    planned: Map<string, NewRun[]> | null,
  ): Promise<NewIncident[]> => {
    const inserted: NewIncident[] = [];
    for (const i of incidents) {
      checkIncidentKey(i);
      // The related key and search text go in with the row (no UPDATE after it).
      const e = encodeIncident(i);
      const r = await q.query(
        `INSERT INTO ${s}.incidents (id, alert_event_id, name, occurred, occurred_ms, severity, status, owner,
           fields, raw, created_at, updated_at, original_severity, group_key, search_text, search_tsv)
         VALUES ($1, $2, $3, $4, $5, $6, 'new', NULL, $7, $8, $9, $9, $6, $10, $11, to_tsvector('simple', $11))
         ON CONFLICT DO NOTHING`,
        [...e.values, ms(now), e.groupKey, e.searchText],
      );
      if ((r.rowCount ?? 0) > 0) inserted.push(i);
    }
    await enqueue(q, inserted, now);
    await playbooks.write(q, inserted, planned, now);
    return inserted;
  };

  const caseStore = postgresCases(pool, s, tx);
  const playbooks = postgresPlaybooks(pool, s, tx, caseStore);
  try {
    await caseStore.backfill();
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }

  const commitRuns: IncidentStore['commitRuns'] = async (inputs) => {
    // Before the transaction, each with its own time: the playbook runs its incidents would start.
    const planned: (Map<string, NewRun[]> | null)[] = [];
    for (const input of inputs) planned.push(await playbooks.plan(input.incidents, input.now));
    return tx(async (c) => {
      // The cursor each source is at as the commits go: the ones before move it.
      const at = new Map<string, string | null>();
      const out: CommittedRun[] = [];
      for (const [k, input] of inputs.entries()) {
        let current: string | null;
        if (at.has(input.source)) current = at.get(input.source)!;
        else {
          // Make sure the cursor row exists (empty), then lock it: a concurrent commit on the
          // same source waits here and then sees the moved cursor.
          await c.query(
            `INSERT INTO ${s}.cursors (source, value, updated_at) VALUES ($1, NULL, $2) ON CONFLICT DO NOTHING`,
            [input.source, ms(input.now)],
          );
          const { rows } = await c.query<{ value: string | null }>(
            `SELECT value FROM ${s}.cursors WHERE source = $1 FOR UPDATE`,
            [input.source],
          );
          current = rows[0]?.value ?? null;
        }
        if (current !== input.cursorBefore) throw new CursorConflictError(input.source);
        const inserted = await insertAll(c, input.incidents, input.now, planned[k]!);
        const moved = input.cursorAfter !== null && input.cursorAfter !== input.cursorBefore;
        if (moved) {
          await c.query(`UPDATE ${s}.cursors SET value = $2, updated_at = $3 WHERE source = $1`, [
            input.source,
            input.cursorAfter,
            ms(input.now),
          ]);
        }
        at.set(input.source, moved ? input.cursorAfter : current);
        for (const g of input.gaps ?? []) {
          await c.query(
            `INSERT INTO ${s}.gaps (source, from_ms, to_ms, reason, recorded_at) VALUES ($1, $2, $3, $4, $5)`,
            [g.source, ms(g.from), ms(g.to), g.reason, ms(input.now)],
          );
        }
        const runId = input.run
          ? await runInsert(c, { ...input.run, count: (input.insertedBefore ?? 0) + inserted.length })
          : null;
        out.push({ inserted, runId });
      }
      return out;
    });
  };

  return {
    ...caseStore.cases,
    ...postgresAuth(pool, s, tx),
    outbox: createPostgresOutbox(pool, s),
    playbooks: playbooks.store,
    async getCursor(source) {
      const { rows } = await pool.query<{ value: string | null }>(
        `SELECT value FROM ${s}.cursors WHERE source = $1`,
        [source],
      );
      return rows[0]?.value ?? null;
    },
    async knownAlertEventIds(ids) {
      const known = new Set<string>();
      if (ids.length === 0) return known;
      // By id, the one unique index (incident-key.ts).
      const byId = idsOfAlerts(ids);
      const { rows } = await pool.query<{ id: string }>(
        `SELECT id FROM ${s}.incidents WHERE id = ANY($1::text[])`,
        [[...byId.keys()]],
      );
      for (const r of rows) known.add(byId.get(r.id)!);
      return known;
    },
    commitRuns,
    async commitRun(input) {
      return (await commitRuns([input]))[0]!;
    },
    async recordFailedRun(run) {
      return runInsert(pool, run);
    },
    async insertIncidents(incidents, now) {
      const planned = await playbooks.plan(incidents, now);
      return tx((c) => insertAll(c, incidents, now, planned));
    },
    async recordBackfillRun(run, gapId, now) {
      return tx(async (c) => {
        const runId = await runInsert(c, run);
        if (gapId !== null) {
          await c.query(`UPDATE ${s}.gaps SET backfilled_at = $1 WHERE id = $2`, [ms(now), gapId]);
        }
        return runId;
      });
    },
    async getGap(id) {
      const { rows } = await pool.query<GapRow>(`SELECT * FROM ${s}.gaps WHERE id = $1`, [id]);
      return rows[0] ? toGap(rows[0]) : null;
    },
    async listIncidents(q) {
      const where: string[] = [];
      const args: unknown[] = [];
      const arg = (v: unknown) => {
        args.push(v);
        return `$${args.length}`;
      };
      if (q.status?.length) where.push(`status = ANY(${arg(q.status)}::text[])`);
      if (q.severities?.length) where.push(`severity = ANY(${arg(q.severities)}::float8[])`);
      if (q.minSeverity !== undefined) where.push(`severity >= ${arg(q.minSeverity)}`);
      if (q.occurredFrom !== undefined) where.push(`occurred_ms >= ${arg(q.occurredFrom)}`);
      if (q.occurredTo !== undefined) where.push(`occurred_ms <= ${arg(q.occurredTo)}`);
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const count = await pool.query<{ n: Big }>(`SELECT COUNT(*) AS n FROM ${s}.incidents ${clause}`, args);
      const limit = arg(q.pageSize);
      const offset = arg((q.page - 1) * q.pageSize);
      // COLLATE "C" orders ties by id bytewise, as SQLite's default BINARY collation does.
      const { rows } = await pool.query<IncidentRow>(
        `SELECT * FROM ${s}.incidents ${clause} ORDER BY occurred_ms DESC, id COLLATE "C" LIMIT ${limit} OFFSET ${offset}`,
        args,
      );
      return { total: Number(count.rows[0]!.n), results: rows.map(toIncident) };
    },
    async getIncident(id) {
      const { rows } = await pool.query<IncidentRow>(`SELECT * FROM ${s}.incidents WHERE id = $1`, [id]);
      return rows[0] ? toIncident(rows[0]) : null;
    },
    async lastRun(filter = {}) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.source !== undefined) {
        args.push(filter.source);
        where.push(`source = $${args.length}`);
      }
      if (filter.excludeSource !== undefined) {
        args.push(filter.excludeSource);
        where.push(`source <> $${args.length}`);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const { rows } = await pool.query<RunRow>(
        `SELECT * FROM ${s}.fetch_runs ${clause} ORDER BY id DESC LIMIT 1`,
        args,
      );
      return rows[0] ? toRun(rows[0]) : null;
    },
    async listRuns(limit) {
      const { rows } = await pool.query<RunRow>(`SELECT * FROM ${s}.fetch_runs ORDER BY id DESC LIMIT $1`, [
        limit,
      ]);
      return rows.map(toRun);
    },
    async countsByStatus() {
      const counts: Record<IncidentStatus, number> = { new: 0, active: 0, closed: 0 };
      const { rows } = await pool.query<{ status: IncidentStatus; n: Big }>(
        `SELECT status, COUNT(*) AS n FROM ${s}.incidents GROUP BY status`,
      );
      for (const r of rows) counts[r.status] = Number(r.n);
      return counts;
    },
    async listGaps() {
      const { rows } = await pool.query<GapRow>(`SELECT * FROM ${s}.gaps ORDER BY id`);
      return rows.map(toGap);
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
