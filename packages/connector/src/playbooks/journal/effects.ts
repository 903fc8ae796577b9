import type { DatabaseSync } from 'node:sqlite';
import type pg from 'pg';
import type { Actor, CasePatch } from '../../cases/schemas.ts';
import type { Incident } from '../../store/types.ts';
import type { LocalEffect } from '../types.ts';
import type { PostgresEffectFn, SqliteEffectFn } from './ops.ts';

type UpdateEffect = Extract<LocalEffect, { kind: 'update-incident' }>;
type DeliveryEffect = Extract<LocalEffect, { kind: 'enqueue-delivery' }>;

const actorOf = (runId: string): Actor => ({ kind: 'playbook', name: runId });

/** The case patch of an update-incident effect: tags added/removed on top of the current ones. */
function casePatch(e: UpdateEffect, currentTags: string[]): CasePatch | null {
  const patch: Record<string, unknown> = { ...e.patch };
  if (e.addTags?.length || e.removeTags?.length) {
    const remove = new Set(e.removeTags ?? []);
    const tags = [...new Set([...currentTags, ...(e.addTags ?? [])])].filter((t) => !remove.has(t));
    if (tags.length !== currentTags.length || tags.some((t, i) => t !== currentTags[i])) patch.tags = tags;
  }
  return Object.keys(patch).length ? (patch as CasePatch) : null;
}

/**
 * LocalEffects on the SQLite store, inside the transaction that completes the step: an incident
 * update with the case store's own semantics (timeline entries by the playbook run), a note, an
 * outbox row for a sink (plus its pb_deliveries record, keyed by the idempotency key).
 */
export function sqliteEffects(
  db: DatabaseSync,
  cases: {
    updateInTx(id: string, patch: CasePatch, actor: Actor, now: number): Incident | null;
    noteInTx(id: string, body: string, actor: Actor, now: number): boolean;
  },
): SqliteEffectFn {
  const tagsOf = db.prepare('SELECT tags FROM incidents WHERE id = ?');
  const insDelivery = db.prepare(
    `INSERT INTO pb_deliveries (idempotency_key, run_id, sink, incident_id, message, enqueued_at)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const insOutbox = db.prepare(
    `INSERT OR IGNORE INTO outbox (sink, incident_id, occurred_ms, enqueued_at, next_at)
     SELECT ?, id, occurred_ms, ?, ? FROM incidents WHERE id = ?`,
  );
  return (e, runId, now) => {
    const row = tagsOf.get(e.incidentId) as { tags: string } | undefined;
    if (!row) return false;
    const actor = actorOf(runId);
    if (e.kind === 'update-incident') {
      const patch = casePatch(e, JSON.parse(row.tags) as string[]);
      if (patch) cases.updateInTx(e.incidentId, patch, actor, now);
      if (e.note !== undefined && e.note !== '') cases.noteInTx(e.incidentId, e.note, actor, now);
      return true;
    }
    const d: DeliveryEffect = e;
    insDelivery.run(d.idempotencyKey, runId, d.sink, d.incidentId, JSON.stringify(d.message ?? null), now);
    insOutbox.run(d.sink, now, now, d.incidentId);
    return true;
  };
}

type Q = Pick<pg.PoolClient, 'query'>;

/** The same effects on the PostgreSQL store (`s` is the quoted schema). */
export function postgresEffects(
  s: string,
  cases: {
    updateInTx(q: Q, id: string, patch: CasePatch, actor: Actor, now: number): Promise<Incident | null>;
    noteInTx(q: Q, id: string, body: string, actor: Actor, now: number): Promise<boolean>;
  },
): PostgresEffectFn {
  return async (q, e, runId, now) => {
    const { rows } = await q.query<{ tags: string }>(
      `SELECT tags FROM ${s}.incidents WHERE id = $1 FOR UPDATE`,
      [e.incidentId],
    );
    const row = rows[0];
    if (!row) return false;
    const actor = actorOf(runId);
    if (e.kind === 'update-incident') {
      const patch = casePatch(e, JSON.parse(row.tags) as string[]);
      if (patch) await cases.updateInTx(q, e.incidentId, patch, actor, now);
      if (e.note !== undefined && e.note !== '') await cases.noteInTx(q, e.incidentId, e.note, actor, now);
      return true;
    }
    await q.query(
      `INSERT INTO ${s}.pb_deliveries (idempotency_key, run_id, sink, incident_id, message, enqueued_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [e.idempotencyKey, runId, e.sink, e.incidentId, JSON.stringify(e.message ?? null), Math.floor(now)],
    );
    await q.query(
      `INSERT INTO ${s}.outbox (sink, incident_id, occurred_ms, enqueued_at, next_at)
       SELECT $1, id, occurred_ms, $2, $2 FROM ${s}.incidents WHERE id = $3 ON CONFLICT DO NOTHING`,
      [e.sink, Math.floor(now), e.incidentId],
    );
    return true;
  };
}
