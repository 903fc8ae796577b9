import { Type, type Static } from '@sinclair/typebox';
import type { Incident } from '../store/types.ts';

export const OutboxState = Type.Union([Type.Literal('pending'), Type.Literal('dead')]);
export type OutboxState = Static<typeof OutboxState>;

/** One outbox row as listed by the CLI and the API. Delivered rows leave the outbox (see Delivery). */
export const OutboxEntry = Type.Object({
  id: Type.Integer(),
  sink: Type.String(),
  incidentId: Type.String(),
  occurred: Type.String({ description: 'incident time, UTC ISO 8601: the per-sink delivery order' }),
  state: OutboxState,
  attempts: Type.Integer(),
  enqueuedAt: Type.String(),
  nextAttemptAt: Type.String(),
  leasedUntil: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  /** The target's answer body when it refused the delivery for good (kept for the analyst). */
  lastBody: Type.Union([Type.String(), Type.Null()]),
  deadAt: Type.Union([Type.String(), Type.Null()]),
});
export type OutboxEntry = Static<typeof OutboxEntry>;

/** Where and when an incident was delivered, with the target's own id when it returns one. */
export const Delivery = Type.Object({
  sink: Type.String(),
  incidentId: Type.String(),
  remoteId: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Type.String(),
  attempts: Type.Integer(),
});
export type Delivery = Static<typeof Delivery>;

/** A sink's outbox figures, as /api/health shows them. */
export const SinkHealth = Type.Object({
  sink: Type.String(),
  configured: Type.Boolean({ description: 'false: rows remain for a sink no longer in the config' }),
  paused: Type.Boolean(),
  backlog: Type.Integer({ description: 'pending rows' }),
  dead: Type.Integer({ description: 'dead letters awaiting replay or purge' }),
  delivered: Type.Integer(),
  oldestPendingAgeSeconds: Type.Union([Type.Number(), Type.Null()]),
  pendingAttempts: Type.Integer({ description: 'attempts made so far on the pending rows' }),
  maxAttempts: Type.Integer({ description: 'most attempts of any pending row' }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastErrorAt: Type.Union([Type.String(), Type.Null()]),
  lastDeliveredAt: Type.Union([Type.String(), Type.Null()]),
});
export type SinkHealth = Static<typeof SinkHealth>;

/** A row handed to a dispatcher: leased to it until `leaseUntil`. */
export interface ClaimedRow {
  id: number;
  sink: string;
  incident: Incident;
  /** The message of the playbook `deliver` step that queued this row, when one did (its latest). */
  message?: unknown;
  /** Attempts including this one. */
  attempt: number;
  enqueuedAt: number;
}

export interface ClaimRequest {
  sink: string;
  owner: string;
  limit: number;
  leaseMs: number;
  now: number;
  /**
   * true: only the head of the sink's queue (oldest incident first) and the rows right after it,
   * and nothing while any row of the sink is leased or the head is not yet due (strict order).
   * false: any due, unleased rows, oldest first (several dispatchers share the backlog).
   */
  ordered: boolean;
}

/** What the dispatcher decided for a claimed row; applied in one transaction. */
export type Settlement =
  | {
      kind: 'delivered';
      id: number;
      sink: string;
      incidentId: string;
      attempt: number;
      remoteId: string | null;
    }
  | { kind: 'retry'; id: number; sink: string; nextAt: number; error: string; status: number | null }
  | {
      kind: 'dead';
      id: number;
      sink: string;
      error: string;
      status: number | null;
      body: string | null;
    }
  /** Claimed but never sent (an ordered batch stopped at a failure): the attempt is given back. */
  | { kind: 'release'; id: number; sink: string };

export interface OutboxSelector {
  sink?: string;
  ids?: number[];
}

export interface OutboxListQuery extends OutboxSelector {
  state?: OutboxState;
  limit: number;
  /** Keyset paging: rows with id greater than this. */
  afterId?: number;
}

/**
 * The outbox tables of the incident store. Rows are written by the store itself, inside the
 * transaction that inserts their incidents (see routing.ts); this is everything else.
 */
export interface OutboxStore {
  claim(req: ClaimRequest): Promise<ClaimedRow[]>;
  /** Applies settlements of rows leased by `owner` (a row whose lease was lost is left alone, except deliveries, which are always recorded). */
  settle(owner: string, settlements: readonly Settlement[], now: number): Promise<void>;
  /**
   * Earliest epoch ms at which a pending row of `sink` may be claimed (ordered: when its head may),
   * or null when none is pending.
   */
  nextDueAt(sink: string, ordered: boolean): Promise<number | null>;
  list(q: OutboxListQuery): Promise<OutboxEntry[]>;
  /** Dead letters back to pending, attempts reset, due now. Returns how many. */
  replay(sel: OutboxSelector, now: number): Promise<number>;
  /** Deletes dead letters (never pending rows). Returns how many. */
  purge(sel: OutboxSelector): Promise<number>;
  setPaused(sink: string, paused: boolean, now: number): Promise<void>;
  isPaused(sink: string): Promise<boolean>;
  /** Leases held by `owner` (a restarted dispatcher's own) are void: those rows are claimable at once. */
  releaseLeases(owner: string): Promise<number>;
  /** Owners holding a lease on some row (to find those of processes that died). */
  leaseOwners(): Promise<string[]>;
  health(now: number, configured: readonly string[]): Promise<SinkHealth[]>;
  deliveries(incidentId: string): Promise<Delivery[]>;
}
