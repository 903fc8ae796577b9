import type { Delivery, OutboxEntry, OutboxState, SinkHealth } from './types.ts';

/** Outbox rows as both stores read them (integers may be strings from PostgreSQL BIGINT). */
type Int = number | string;

export interface OutboxRow {
  id: Int;
  sink: string;
  incident_id: string;
  occurred_ms: Int;
  state: OutboxState;
  attempts: number;
  enqueued_at: Int;
  next_at: Int;
  lease_owner: string | null;
  lease_until: Int | null;
  last_error: string | null;
  last_status: number | null;
  last_body: string | null;
  dead_at: Int | null;
}

export interface DeliveryRow {
  sink: string;
  incident_id: string;
  remote_id: string | null;
  delivered_at: Int;
  attempts: number;
}

export interface SinkRow {
  sink: string;
  paused: number | boolean;
  delivered: Int;
  last_error: string | null;
  last_error_at: Int | null;
  last_delivered_at: Int | null;
}

export interface QueueFigures {
  sink: string;
  state: OutboxState;
  n: Int;
  oldest: Int | null;
  attempts: Int | null;
  max_attempts: Int | null;
}

const iso = (ms: Int) => new Date(Number(ms)).toISOString();
const isoOrNull = (ms: Int | null) => (ms === null ? null : iso(ms));

export function toEntry(r: OutboxRow): OutboxEntry {
  return {
    id: Number(r.id),
    sink: r.sink,
    incidentId: r.incident_id,
    occurred: iso(r.occurred_ms),
    state: r.state,
    attempts: r.attempts,
    enqueuedAt: iso(r.enqueued_at),
    nextAttemptAt: iso(r.next_at),
    leasedUntil: isoOrNull(r.lease_until),
    lastError: r.last_error,
    lastStatus: r.last_status,
    lastBody: r.last_body,
    deadAt: isoOrNull(r.dead_at),
  };
}

export function toDelivery(r: DeliveryRow): Delivery {
  return {
    sink: r.sink,
    incidentId: r.incident_id,
    remoteId: r.remote_id,
    deliveredAt: iso(r.delivered_at),
    attempts: r.attempts,
  };
}

/** Per-sink figures from the queue aggregates and the control rows, configured sinks first. */
export function toHealth(
  now: number,
  configured: readonly string[],
  queue: readonly QueueFigures[],
  sinks: readonly SinkRow[],
): SinkHealth[] {
  const names = [...configured];
  for (const n of [...queue.map((q) => q.sink), ...sinks.map((s) => s.sink)]) {
    if (!names.includes(n)) names.push(n);
  }
  return names.map((sink) => {
    const pending = queue.find((q) => q.sink === sink && q.state === 'pending');
    const dead = queue.find((q) => q.sink === sink && q.state === 'dead');
    const row = sinks.find((s) => s.sink === sink);
    return {
      sink,
      configured: configured.includes(sink),
      paused: row ? row.paused === true || row.paused === 1 : false,
      backlog: Number(pending?.n ?? 0),
      dead: Number(dead?.n ?? 0),
      delivered: Number(row?.delivered ?? 0),
      oldestPendingAgeSeconds:
        pending?.oldest == null ? null : Math.max(0, (now - Number(pending.oldest)) / 1000),
      pendingAttempts: Number(pending?.attempts ?? 0),
      maxAttempts: Number(pending?.max_attempts ?? 0),
      lastError: row?.last_error ?? null,
      lastErrorAt: isoOrNull(row?.last_error_at ?? null),
      lastDeliveredAt: isoOrNull(row?.last_delivered_at ?? null),
    };
  });
}
