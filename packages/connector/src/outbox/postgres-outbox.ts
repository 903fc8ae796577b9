import type pg from 'pg';
import { toIncident, type IncidentRow } from '../store/rows.ts';
import type { NewIncident } from '../store/types.ts';
import { sinksFor, type OutboxRoute } from './routing.ts';
import {
  toDelivery,
  toEntry,
  toHealth,
  type DeliveryRow,
  type OutboxRow,
  type QueueFigures,
  type SinkRow,
} from './rows.ts';
import type { ClaimedRow, OutboxSelector, OutboxStore, Settlement } from './types.ts';
import { latestMessages, type MessageRow } from './messages.ts';

type Q = Pick<pg.PoolClient, 'query'>;
const ms = (n: number) => Math.floor(n);

/**
 * Writes the outbox rows of freshly inserted incidents; called by the PostgreSQL store INSIDE the
 * transaction that inserts them (rule 1). One multi-row INSERT per call.
 */
export function postgresOutboxWriter(
  s: string,
  routes: readonly OutboxRoute[],
): (q: Q, inserted: readonly NewIncident[], now: number) => Promise<void> {
  return async (q, inserted, now) => {
    if (routes.length === 0 || inserted.length === 0) return;
    const sinks: string[] = [];
    const ids: string[] = [];
    const occurred: number[] = [];
    for (const i of inserted) {
      for (const sink of sinksFor(routes, i)) {
        sinks.push(sink);
        ids.push(i.id);
        occurred.push(Date.parse(i.occurred));
      }
    }
    if (sinks.length === 0) return;
    await q.query(
      `INSERT INTO ${s}.outbox (sink, incident_id, occurred_ms, enqueued_at, next_at)
       SELECT u.sink, u.id, u.occurred, $4, $4 FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(sink, id, occurred)
       ON CONFLICT DO NOTHING`,
      [sinks, ids, occurred, ms(now)],
    );
  };
}

function where(sel: OutboxSelector, extra: string[], args: unknown[]): string {
  const parts = [...extra];
  if (sel.sink !== undefined) {
    args.push(sel.sink);
    parts.push(`sink = $${args.length}`);
  }
  if (sel.ids?.length) {
    args.push(sel.ids);
    parts.push(`id = ANY($${args.length}::bigint[])`);
  }
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}

/**
 * The outbox on PostgreSQL, shared by several dispatchers. Unordered claims take due rows with
 * `FOR UPDATE SKIP LOCKED`, so dispatchers split a backlog without waiting on each other; ordered
 * claims first take the sink's control row with `FOR UPDATE SKIP LOCKED` (one claimer per sink at
 * a time) and claim nothing while any row of the sink is leased, so one batch is in flight per
 * sink. Either way a row is leased to one dispatcher at a time.
 */
export function createPostgresOutbox(pool: pg.Pool, s: string): OutboxStore {
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
  const ensureSink = (q: Q, sink: string, now: number) =>
    q.query(`INSERT INTO ${s}.outbox_sinks (sink, updated_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      sink,
      ms(now),
    ]);

  type Candidate = {
    id: string;
    incident_id: string;
    attempts: number;
    enqueued_at: string;
    next_at: string;
    lease_until: string | null;
  };

  return {
    async claim(req) {
      const now = ms(req.now);
      await ensureSink(pool, req.sink, now);
      return tx(async (c) => {
        let rows: Candidate[];
        if (req.ordered) {
          const ctl = await c.query<{ paused: number }>(
            `SELECT paused FROM ${s}.outbox_sinks WHERE sink = $1 FOR UPDATE SKIP LOCKED`,
            [req.sink],
          );
          if (ctl.rows.length === 0 || ctl.rows[0]!.paused) return [];
          const head = await c.query<Candidate>(
            `SELECT id, incident_id, attempts, enqueued_at, next_at, lease_until FROM ${s}.outbox
             WHERE sink = $1 AND state = 'pending' ORDER BY occurred_ms, id LIMIT $2 FOR UPDATE`,
            [req.sink, req.limit],
          );
          const free = (r: Candidate) =>
            Number(r.next_at) <= now && (r.lease_until === null || Number(r.lease_until) <= now);
          const stop = head.rows.findIndex((r) => !free(r));
          rows = stop === -1 ? head.rows : head.rows.slice(0, stop);
        } else {
          const ctl = await c.query<{ paused: number }>(
            `SELECT paused FROM ${s}.outbox_sinks WHERE sink = $1`,
            [req.sink],
          );
          if (ctl.rows[0]?.paused) return [];
          rows = (
            await c.query<Candidate>(
              `SELECT id, incident_id, attempts, enqueued_at, next_at, lease_until FROM ${s}.outbox
               WHERE sink = $1 AND state = 'pending' AND next_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
               ORDER BY occurred_ms, id LIMIT $3 FOR UPDATE SKIP LOCKED`,
              [req.sink, now, req.limit],
            )
          ).rows;
        }
        if (rows.length === 0) return [];
        const ids = rows.map((r) => r.id);
        await c.query(
          `UPDATE ${s}.outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 WHERE id = ANY($3::bigint[])`,
          [req.owner, now + req.leaseMs, ids],
        );
        const found = await c.query<IncidentRow>(`SELECT * FROM ${s}.incidents WHERE id = ANY($1::text[])`, [
          rows.map((r) => r.incident_id),
        ]);
        const byId = new Map(found.rows.map((r) => [r.id, r]));
        const gone = rows.filter((r) => !byId.has(r.incident_id)).map((r) => r.id);
        // The incident was deleted under the row: nothing left to deliver.
        if (gone.length) await c.query(`DELETE FROM ${s}.outbox WHERE id = ANY($1::bigint[])`, [gone]);
        const messages = latestMessages(
          (
            await c.query<MessageRow>(
              `SELECT incident_id, message FROM ${s}.pb_deliveries
               WHERE sink = $1 AND incident_id = ANY($2::text[]) AND message IS NOT NULL AND message <> 'null'
               ORDER BY enqueued_at`,
              [req.sink, rows.map((r) => r.incident_id)],
            )
          ).rows,
        );
        const claimed: ClaimedRow[] = [];
        for (const r of rows) {
          const row = byId.get(r.incident_id);
          if (!row) continue;
          claimed.push({
            id: Number(r.id),
            sink: req.sink,
            incident: toIncident(row),
            ...(messages.has(r.incident_id) ? { message: messages.get(r.incident_id) } : {}),
            attempt: r.attempts + 1,
            enqueuedAt: Number(r.enqueued_at),
          });
        }
        return claimed;
      });
    },
    async settle(owner, settlements, now) {
      if (settlements.length === 0) return;
      const t = ms(now);
      const by = <K extends Settlement['kind']>(k: K) =>
        settlements.filter((x): x is Extract<Settlement, { kind: K }> => x.kind === k);
      await tx(async (c) => {
        for (const sink of new Set(settlements.map((x) => x.sink))) await ensureSink(c, sink, t);
        const delivered = by('delivered');
        if (delivered.length) {
          // Status back in the settling transaction: a "delivered" timeline entry per row still in
          // the outbox (one another dispatcher already delivered is gone: no second entry).
          await c.query(
            `INSERT INTO ${s}.incident_timeline (incident_id, at, actor_kind, actor, kind, before, after)
             SELECT o.incident_id, $4, 'system', 'sink:' || o.sink, 'delivered', NULL,
               json_build_object('sink', o.sink, 'remoteId', u.remote_id, 'attempt', u.attempts)::text
             FROM unnest($1::bigint[], $2::text[], $3::int[]) AS u(id, remote_id, attempts)
             JOIN ${s}.outbox AS o ON o.id = u.id JOIN ${s}.incidents AS i ON i.id = o.incident_id
             ORDER BY o.occurred_ms, o.id`,
            [
              delivered.map((d) => d.id),
              delivered.map((d) => d.remoteId),
              delivered.map((d) => d.attempt),
              t,
            ],
          );
          await c.query(
            `INSERT INTO ${s}.deliveries (sink, incident_id, remote_id, delivered_at, attempts)
             SELECT u.sink, u.incident_id, u.remote_id, $5, u.attempts
             FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS u(sink, incident_id, remote_id, attempts)
             ON CONFLICT DO NOTHING`,
            [
              delivered.map((d) => d.sink),
              delivered.map((d) => d.incidentId),
              delivered.map((d) => d.remoteId),
              delivered.map((d) => d.attempt),
              t,
            ],
          );
          const gone = await c.query<{ sink: string; n: string }>(
            `WITH d AS (DELETE FROM ${s}.outbox WHERE id = ANY($1::bigint[]) RETURNING sink)
             SELECT sink, COUNT(*) AS n FROM d GROUP BY sink`,
            [delivered.map((d) => d.id)],
          );
          for (const g of gone.rows) {
            await c.query(
              `UPDATE ${s}.outbox_sinks SET delivered = delivered + $1, last_delivered_at = $2, updated_at = $2 WHERE sink = $3`,
              [Number(g.n), t, g.sink],
            );
          }
        }
        for (const r of by('retry')) {
          await c.query(
            `UPDATE ${s}.outbox SET next_at = $1, last_error = $2, last_status = $3, lease_owner = NULL, lease_until = NULL
             WHERE id = $4 AND lease_owner = $5`,
            [ms(r.nextAt), r.error, r.status, r.id, owner],
          );
        }
        for (const d of by('dead')) {
          await c.query(
            `UPDATE ${s}.outbox SET state = 'dead', dead_at = $1, last_error = $2, last_status = $3, last_body = $4,
               lease_owner = NULL, lease_until = NULL WHERE id = $5 AND lease_owner = $6`,
            [t, d.error, d.status, d.body, d.id, owner],
          );
        }
        const released = by('release');
        if (released.length) {
          await c.query(
            `UPDATE ${s}.outbox SET attempts = attempts - 1, lease_owner = NULL, lease_until = NULL
             WHERE id = ANY($1::bigint[]) AND lease_owner = $2`,
            [released.map((r) => r.id), owner],
          );
        }
        const failed = [...by('retry'), ...by('dead')];
        for (const sink of new Set(failed.map((f) => f.sink))) {
          const last = failed.filter((f) => f.sink === sink).at(-1)!;
          await c.query(
            `UPDATE ${s}.outbox_sinks SET last_error = $1, last_error_at = $2, updated_at = $2 WHERE sink = $3`,
            [last.error, t, sink],
          );
        }
      });
    },
    async nextDueAt(sink, ordered) {
      const due = `GREATEST(next_at, COALESCE(lease_until, 0))`;
      const { rows } = await pool.query<{ due: string | null }>(
        ordered
          ? `SELECT ${due} AS due FROM ${s}.outbox WHERE sink = $1 AND state = 'pending' ORDER BY occurred_ms, id LIMIT 1`
          : `SELECT MIN(${due}) AS due FROM ${s}.outbox WHERE sink = $1 AND state = 'pending'`,
        [sink],
      );
      return rows[0]?.due == null ? null : Number(rows[0].due);
    },
    async list(q) {
      const args: unknown[] = [];
      const extra: string[] = [];
      if (q.state) {
        args.push(q.state);
        extra.push(`state = $${args.length}`);
      }
      if (q.afterId !== undefined) {
        args.push(q.afterId);
        extra.push(`id > $${args.length}`);
      }
      const clause = where(q, extra, args);
      args.push(q.limit);
      const { rows } = await pool.query<OutboxRow>(
        `SELECT * FROM ${s}.outbox ${clause} ORDER BY id LIMIT $${args.length}`,
        args,
      );
      return rows.map(toEntry);
    },
    async replay(sel, now) {
      const args: unknown[] = [ms(now)];
      const clause = where(sel, [`state = 'dead'`], args);
      const r = await pool.query(
        `UPDATE ${s}.outbox SET state = 'pending', attempts = 0, enqueued_at = $1, next_at = $1, dead_at = NULL,
           lease_owner = NULL, lease_until = NULL ${clause}`,
        args,
      );
      return r.rowCount ?? 0;
    },
    async purge(sel) {
      const args: unknown[] = [];
      const clause = where(sel, [`state = 'dead'`], args);
      const r = await pool.query(`DELETE FROM ${s}.outbox ${clause}`, args);
      return r.rowCount ?? 0;
    },
    async setPaused(sink, value, now) {
      await ensureSink(pool, sink, now);
      await pool.query(`UPDATE ${s}.outbox_sinks SET paused = $1, updated_at = $2 WHERE sink = $3`, [
        value ? 1 : 0,
        ms(now),
        sink,
      ]);
    },
    async isPaused(sink) {
      const { rows } = await pool.query<{ paused: number }>(
        `SELECT paused FROM ${s}.outbox_sinks WHERE sink = $1`,
        [sink],
      );
      return rows[0]?.paused === 1;
    },
    async releaseLeases(owner) {
      const r = await pool.query(
        `UPDATE ${s}.outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1`,
        [owner],
      );
      return r.rowCount ?? 0;
    },
    async leaseOwners() {
      const { rows } = await pool.query<{ owner: string }>(
        `SELECT DISTINCT lease_owner AS owner FROM ${s}.outbox WHERE lease_owner IS NOT NULL`,
      );
      return rows.map((r) => r.owner);
    },
    async health(now, configured) {
      const queue = await pool.query<QueueFigures>(
        `SELECT sink, state, COUNT(*) AS n, MIN(enqueued_at) AS oldest, SUM(attempts) AS attempts, MAX(attempts) AS max_attempts
         FROM ${s}.outbox GROUP BY sink, state`,
      );
      const sinks = await pool.query<SinkRow>(`SELECT * FROM ${s}.outbox_sinks`);
      return toHealth(now, configured, queue.rows, sinks.rows);
    },
    async deliveries(incidentId) {
      const { rows } = await pool.query<DeliveryRow>(
        `SELECT * FROM ${s}.deliveries WHERE incident_id = $1 ORDER BY delivered_at, sink`,
        [incidentId],
      );
      return rows.map(toDelivery);
    },
  };
}
