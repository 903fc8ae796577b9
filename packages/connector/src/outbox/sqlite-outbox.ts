import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
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
import type { ClaimedRow, OutboxSelector, OutboxStore } from './types.ts';
import { latestMessages, type MessageRow } from './messages.ts';

/**
 * Writes the outbox rows of freshly inserted incidents. Called by the SQLite store INSIDE the
 * transaction that inserts them, so an incident and its deliveries-to-be commit together (rule 1).
 */
export function sqliteOutboxWriter(
  db: DatabaseSync,
  routes: readonly OutboxRoute[],
): (inserted: readonly NewIncident[], now: number) => void {
  const ins = db.prepare(
    `INSERT OR IGNORE INTO outbox (sink, incident_id, occurred_ms, enqueued_at, next_at) VALUES (?, ?, ?, ?, ?)`,
  );
  return (inserted, now) => {
    if (routes.length === 0) return;
    for (const i of inserted) {
      const occurred = Date.parse(i.occurred);
      for (const sink of sinksFor(routes, i)) ins.run(sink, i.id, occurred, now, now);
    }
  };
}

function where(sel: OutboxSelector, extra: string[], args: SQLInputValue[]): string {
  const parts = [...extra];
  if (sel.sink !== undefined) {
    parts.push('sink = ?');
    args.push(sel.sink);
  }
  if (sel.ids?.length) {
    parts.push(`id IN (${sel.ids.map(() => '?').join(',')})`);
    args.push(...sel.ids);
  }
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}

/**
 * The outbox over the store's SQLite connection. Claims run in BEGIN IMMEDIATE, which takes the
 * database's one write lock: claims of several processes on one file serialise as SKIP LOCKED
 * would let them on PostgreSQL, and a row is leased to one dispatcher at a time.
 */
export function createSqliteOutbox(db: DatabaseSync): OutboxStore {
  function tx<T>(fn: () => T): T {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      db.exec('COMMIT');
      return result;
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
  const ensureSink = db.prepare('INSERT OR IGNORE INTO outbox_sinks (sink, updated_at) VALUES (?, ?)');
  const paused = db.prepare('SELECT paused FROM outbox_sinks WHERE sink = ?');
  const queueHead = db.prepare(
    `SELECT id, incident_id, attempts, enqueued_at, next_at, lease_until FROM outbox
     WHERE sink = ? AND state = 'pending' ORDER BY occurred_ms, id LIMIT ?`,
  );
  const dueRows = db.prepare(
    `SELECT id, incident_id, attempts, enqueued_at, next_at, lease_until FROM outbox
     WHERE sink = ? AND state = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
     ORDER BY occurred_ms, id LIMIT ?`,
  );
  const leaseMany = db.prepare(
    `UPDATE outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
     WHERE id IN (SELECT value FROM json_each(?))`,
  );
  const incidentsMany = db.prepare('SELECT * FROM incidents WHERE id IN (SELECT value FROM json_each(?))');
  // Playbook `deliver` messages of the claimed incidents for this sink, latest last.
  const messagesMany = db.prepare(
    `SELECT incident_id, message FROM pb_deliveries
     WHERE sink = ? AND incident_id IN (SELECT value FROM json_each(?)) AND message IS NOT NULL AND message <> 'null'
     ORDER BY enqueued_at, rowid`,
  );
  const insDeliveries = db.prepare(
    `INSERT OR IGNORE INTO deliveries (sink, incident_id, remote_id, delivered_at, attempts)
     SELECT ?, value ->> '$[0]', value ->> '$[1]', ?, value ->> '$[2]' FROM json_each(?)`,
  );
  // Status back in the settling transaction: one "delivered" timeline entry per row still in the
  // outbox (a row another dispatcher already delivered is gone and gets no second entry).
  const insTimeline = db.prepare(
    `INSERT INTO incident_timeline (incident_id, at, actor_kind, actor, kind, before, after)
     SELECT o.incident_id, ?, 'system', 'sink:' || o.sink, 'delivered', NULL,
       json_object('sink', o.sink, 'remoteId', j.value ->> '$[1]', 'attempt', j.value ->> '$[2]')
     FROM json_each(?) AS j JOIN outbox AS o ON o.id = j.value ->> '$[0]'
     JOIN incidents AS i ON i.id = o.incident_id
     ORDER BY o.occurred_ms, o.id`,
  );
  const delMany = db.prepare('DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))');
  const delRow = db.prepare('DELETE FROM outbox WHERE id = ?');
  const sinkDelivered = db.prepare(
    'UPDATE outbox_sinks SET delivered = delivered + ?, last_delivered_at = ?, updated_at = ? WHERE sink = ?',
  );
  const sinkError = db.prepare(
    'UPDATE outbox_sinks SET last_error = ?, last_error_at = ?, updated_at = ? WHERE sink = ?',
  );
  const retry = db.prepare(
    `UPDATE outbox SET next_at = ?, last_error = ?, last_status = ?, lease_owner = NULL, lease_until = NULL
     WHERE id = ? AND lease_owner = ?`,
  );
  const dead = db.prepare(
    `UPDATE outbox SET state = 'dead', dead_at = ?, last_error = ?, last_status = ?, last_body = ?,
       lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?`,
  );
  const release = db.prepare(
    `UPDATE outbox SET attempts = attempts - 1, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?`,
  );

  type Candidate = {
    id: number;
    incident_id: string;
    attempts: number;
    enqueued_at: number;
    next_at: number;
    lease_until: number | null;
  };

  return {
    async claim(req) {
      return tx(() => {
        ensureSink.run(req.sink, req.now);
        if ((paused.get(req.sink) as { paused: number }).paused) return [];
        let rows: Candidate[];
        if (req.ordered) {
          const head = queueHead.all(req.sink, req.limit) as unknown as Candidate[];
          const free = (r: Candidate) =>
            r.next_at <= req.now && (r.lease_until === null || r.lease_until <= req.now);
          const stop = head.findIndex((r) => !free(r));
          rows = stop === -1 ? head : head.slice(0, stop);
        } else {
          rows = dueRows.all(req.sink, req.now, req.now, req.limit) as unknown as Candidate[];
        }
        if (rows.length === 0) return [];
        // One statement each for the whole batch (json_each), not one per row.
        const ids = JSON.stringify(rows.map((r) => r.id));
        leaseMany.run(req.owner, req.now + req.leaseMs, ids);
        const found = new Map(
          (incidentsMany.all(JSON.stringify(rows.map((r) => r.incident_id))) as unknown as IncidentRow[]).map(
            (r) => [r.id, r],
          ),
        );
        const messages = latestMessages(
          messagesMany.all(
            req.sink,
            JSON.stringify(rows.map((r) => r.incident_id)),
          ) as unknown as MessageRow[],
        );
        const claimed: ClaimedRow[] = [];
        for (const r of rows) {
          const row = found.get(r.incident_id);
          if (!row) {
            // The incident was deleted under the row: nothing left to deliver.
            delRow.run(r.id);
            continue;
          }
          claimed.push({
            id: r.id,
            sink: req.sink,
            incident: toIncident(row),
            ...(messages.has(r.incident_id) ? { message: messages.get(r.incident_id) } : {}),
            attempt: r.attempts + 1,
            enqueuedAt: r.enqueued_at,
          });
        }
        return claimed;
      });
    },
    async settle(owner, settlements, now) {
      if (settlements.length === 0) return;
      tx(() => {
        const delivered = new Map<string, number>();
        const done = settlements.filter((s) => s.kind === 'delivered');
        for (const sink of new Set(done.map((s) => s.sink))) {
          const mine = done.filter((s) => s.sink === sink);
          insTimeline.run(now, JSON.stringify(mine.map((s) => [s.id, s.remoteId, s.attempt])));
          insDeliveries.run(
            sink,
            now,
            JSON.stringify(mine.map((s) => [s.incidentId, s.remoteId, s.attempt])),
          );
          delivered.set(sink, Number(delMany.run(JSON.stringify(mine.map((s) => s.id))).changes));
        }
        for (const s of settlements) {
          if (s.kind === 'retry') {
            retry.run(s.nextAt, s.error, s.status, s.id, owner);
            sinkError.run(s.error, now, now, s.sink);
          } else if (s.kind === 'dead') {
            dead.run(now, s.error, s.status, s.body, s.id, owner);
            sinkError.run(s.error, now, now, s.sink);
          } else if (s.kind === 'release') release.run(s.id, owner);
        }
        for (const [sink, n] of delivered) sinkDelivered.run(n, now, now, sink);
      });
    },
    async nextDueAt(sink, ordered) {
      const due = `MAX(next_at, COALESCE(lease_until, 0))`;
      const r = db
        .prepare(
          ordered
            ? `SELECT ${due} AS due FROM outbox WHERE sink = ? AND state = 'pending' ORDER BY occurred_ms, id LIMIT 1`
            : `SELECT MIN(${due}) AS due FROM outbox WHERE sink = ? AND state = 'pending'`,
        )
        .get(sink) as { due: number | null } | undefined;
      return r?.due ?? null;
    },
    async list(q) {
      const args: SQLInputValue[] = [];
      const extra: string[] = [];
      if (q.state) {
        extra.push('state = ?');
        args.push(q.state);
      }
      if (q.afterId !== undefined) {
        extra.push('id > ?');
        args.push(q.afterId);
      }
      const clause = where(q, extra, args);
      const rows = db.prepare(`SELECT * FROM outbox ${clause} ORDER BY id LIMIT ?`).all(...args, q.limit);
      return (rows as unknown as OutboxRow[]).map(toEntry);
    },
    async replay(sel, now) {
      const args: SQLInputValue[] = [now, now];
      const clause = where(sel, [`state = 'dead'`], args);
      return tx(() =>
        Number(
          db
            .prepare(
              `UPDATE outbox SET state = 'pending', attempts = 0, enqueued_at = ?, next_at = ?, dead_at = NULL,
                   lease_owner = NULL, lease_until = NULL ${clause}`,
            )
            .run(...args).changes,
        ),
      );
    },
    async purge(sel) {
      const args: SQLInputValue[] = [];
      const clause = where(sel, [`state = 'dead'`], args);
      return tx(() => Number(db.prepare(`DELETE FROM outbox ${clause}`).run(...args).changes));
    },
    async setPaused(sink, value, now) {
      tx(() => {
        ensureSink.run(sink, now);
        db.prepare('UPDATE outbox_sinks SET paused = ?, updated_at = ? WHERE sink = ?').run(
          value ? 1 : 0,
          now,
          sink,
        );
      });
    },
    async isPaused(sink) {
      const r = paused.get(sink) as { paused: number } | undefined;
      return r?.paused === 1;
    },
    async releaseLeases(owner) {
      return tx(() =>
        Number(
          db
            .prepare('UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?')
            .run(owner).changes,
        ),
      );
    },
    async leaseOwners() {
      const rows = db
        .prepare('SELECT DISTINCT lease_owner AS owner FROM outbox WHERE lease_owner IS NOT NULL')
        .all() as { owner: string }[];
      return rows.map((r) => r.owner);
    },
    async health(now, configured) {
      const queue = db
        .prepare(
          `SELECT sink, state, COUNT(*) AS n, MIN(enqueued_at) AS oldest, SUM(attempts) AS attempts, MAX(attempts) AS max_attempts
           FROM outbox GROUP BY sink, state`,
        )
        .all() as unknown as QueueFigures[];
      const sinks = db.prepare('SELECT * FROM outbox_sinks').all() as unknown as SinkRow[];
      return toHealth(now, configured, queue, sinks);
    },
    async deliveries(incidentId) {
      const rows = db
        .prepare('SELECT * FROM deliveries WHERE incident_id = ? ORDER BY delivered_at, sink')
        .all(incidentId) as unknown as DeliveryRow[];
      return rows.map(toDelivery);
    },
  };
}
