import { Type, type Static } from '@sinclair/typebox';
import { CLOSE_REASONS, type CloseReason } from '../cases/schemas.ts';
import { Nullable } from '../cases/nullable.ts';
import type { AuthStore, CaseStore } from './case-types.ts';
import type { OutboxStore } from '../outbox/types.ts';
import type { PlaybookStore } from '../playbooks/journal/store.ts';

export const IncidentStatus = Type.Union([
  Type.Literal('new'),
  Type.Literal('active'),
  Type.Literal('closed'),
]);
export type IncidentStatus = Static<typeof IncidentStatus>;

/** The columns of an incident the queue and the detail page share. */
const IncidentCore = {
  id: Type.String({ description: 'logzio:<alertEventId>, derived from the source event (rule 2)' }),
  alertEventId: Type.String(),
  name: Type.String(),
  occurred: Type.String({ description: 'eventDate, UTC ISO 8601' }),
  severity: Type.Number({
    description:
      'current severity, XSOAR scale: 0 unclassified, 0.5 INFO, 1 LOW, 2 MEDIUM, 3 HIGH, 4 SEVERE (an analyst may override it)',
  }),
  originalSeverity: Type.Number({ description: 'the severity the source event had' }),
  // Plain enum/object schemas (not unions or patternProperties): the queue serialises 50 a page.
  status: Type.Unsafe<IncidentStatus>({ type: 'string', enum: ['new', 'active', 'closed'] }),
  owner: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  closeReason: Type.Unsafe<CloseReason | null>({ type: ['string', 'null'], enum: [...CLOSE_REASONS, null] }),
  closeNotes: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  acknowledgedAt: Nullable(Type.String({ description: 'first move away from new or first assignment' })),
  closedAt: Nullable(Type.String()),
  timeToAcknowledgeSeconds: Nullable(Type.Number()),
  timeToCloseSeconds: Nullable(Type.Number()),
};

/** One incident as stored and served by the connector's API (the detail route). */
export const Incident = Type.Object({
  ...IncidentCore,
  fields: Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true }),
  raw: Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true }),
});
export type Incident = Static<typeof Incident>;

/**
 * An incident as the queue lists it: without the raw event and the whole fields object (read on
 * the detail route), with the description and groupBy values an analyst scans a queue by.
 */
export const IncidentSummary = Type.Object({
  ...IncidentCore,
  description: Nullable(Type.String()),
  groupBy: Type.Unsafe<Record<string, string>>({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'groupBy field name (without the "groupBy." prefix) to value',
  }),
});
export type IncidentSummary = Static<typeof IncidentSummary>;

/** An incident mapped from an event, not yet stored (status, owner and times come from the store). */
export type NewIncident = Pick<
  Incident,
  'id' | 'alertEventId' | 'name' | 'occurred' | 'severity' | 'fields' | 'raw'
> & {
  /** Its columns, already made (by the feed decoder, off the main thread); else the store makes them. */
  readonly encoded?: EncodedIncident;
};

/** An incident's stored columns, serialised (rows.ts `encodeIncident`). */
export interface EncodedIncident {
  /** id, alert_event_id, name, occurred, occurred_ms, severity, fields, raw, as the INSERTs take them. */
  values: [string, string, string, string, number, number, string, string];
  /** Its words for the full-text index (cases/text.ts `searchText`). */
  searchText: string;
  /** Its related-incidents key (cases/text.ts `groupKey`). */
  groupKey: string;
}

export const FetchRun = Type.Object({
  id: Type.Integer(),
  source: Type.String(),
  startedAt: Type.String(),
  endedAt: Type.String(),
  count: Type.Integer(),
  cursorBefore: Type.Union([Type.String(), Type.Null()]),
  cursorAfter: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  lagMs: Type.Union([Type.Number(), Type.Null()]),
  full: Type.Boolean(),
});
export type FetchRun = Static<typeof FetchRun>;

export type NewFetchRun = Omit<FetchRun, 'id' | 'startedAt' | 'endedAt'> & {
  startedAt: number;
  endedAt: number;
};

export const Gap = Type.Object({
  id: Type.Integer(),
  source: Type.String(),
  from: Type.String({ description: 'UTC ISO 8601' }),
  to: Type.String({ description: 'UTC ISO 8601' }),
  reason: Type.String(),
  recordedAt: Type.String(),
  backfilledAt: Type.Union([Type.String(), Type.Null()], {
    description: 'UTC ISO 8601 of the backfill that covered it; null while open',
  }),
});
export type Gap = Static<typeof Gap>;

export interface NewGap {
  source: string;
  /** epoch ms */
  from: number;
  /** epoch ms */
  to: number;
  reason: string;
}

/** `fetch_runs.source` of a backfill run: never a cursor key, so it can never move a live cursor. */
export const BACKFILL_RUN_SOURCE = 'backfill';

/** Which runs `lastRun` considers (health shows the live loop and backfills apart). */
export interface RunFilter {
  source?: string;
  excludeSource?: string;
}

export interface IncidentQuery {
  status?: IncidentStatus[];
  /** Exact severities (XSOAR scale). */
  severities?: number[];
  minSeverity?: number;
  /** Inclusive bounds on `occurred`, epoch ms. */
  occurredFrom?: number;
  occurredTo?: number;
  page: number;
  pageSize: number;
}

export interface CommittedRun {
  inserted: NewIncident[];
  /** null for a commit without a run record. */
  runId: number | null;
}

export interface CommitRunInput {
  source: string;
  incidents: NewIncident[];
  /** The cursor the run started from: the commit fails if another writer moved it meanwhile. */
  cursorBefore: string | null;
  cursorAfter: string | null;
  /**
   * The run record, written by the run's last commit. A feed run commits in batches as its
   * response streams: the earlier ones carry incidents and cursor progress but no record.
   */
  run?: NewFetchRun;
  /** Incidents the run's earlier commits inserted: the record's count includes them. */
  insertedBefore?: number;
  gaps?: NewGap[];
  /** epoch ms, for created_at/recorded_at */
  now: number;
}

/**
 * The connector's durable state. Async so a PostgreSQL implementation can sit behind it later.
 * `commitRun` is the one place a cursor moves, always with its incidents and run record (rule 1).
 */
export interface IncidentStore extends CaseStore, AuthStore {
  /** The outbox: rows are written with their incidents (commitRun, insertIncidents) per sink filter. */
  readonly outbox: OutboxStore;
  /** The playbook run journal; trigger runs are written with their incidents (commitRun, insertIncidents). */
  readonly playbooks: PlaybookStore;
  getCursor(source: string): Promise<string | null>;
  /** Which of these alertEventIds are already stored. */
  knownAlertEventIds(ids: readonly string[]): Promise<Set<string>>;
  /**
   * Incidents (INSERT OR IGNORE on id and alertEventId), cursor, gaps and run record (when given)
   * in ONE transaction. `runId` is null for a commit without a run record.
   */
  commitRun(input: CommitRunInput): Promise<CommittedRun>;
  /**
   * Several commits in ONE transaction, in order: each one's `cursorBefore` is checked against
   * the cursor the ones before it left (a backlog's consecutive runs, fetch/commit-group.ts).
   * All or nothing: one conflict or failure rolls every one of them back.
   */
  commitRuns(inputs: readonly CommitRunInput[]): Promise<CommittedRun[]>;
  /** A run that failed: its record only; the cursor does not move. */
  recordFailedRun(run: NewFetchRun): Promise<number>;
  /**
   * Incidents only (INSERT OR IGNORE on id and alertEventId), one transaction, no cursor touched:
   * what a backfill writes. Returns the ones actually inserted.
   */
  insertIncidents(incidents: readonly NewIncident[], now: number): Promise<NewIncident[]>;
  /** A finished backfill: its run record and, when it covered a recorded gap, the gap marked, together. */
  recordBackfillRun(run: NewFetchRun, gapId: number | null, now: number): Promise<number>;
  getGap(id: number): Promise<Gap | null>;
  listIncidents(q: IncidentQuery): Promise<{ total: number; results: Incident[] }>;
  getIncident(id: string): Promise<Incident | null>;
  lastRun(filter?: RunFilter): Promise<FetchRun | null>;
  listRuns(limit: number): Promise<FetchRun[]>;
  countsByStatus(): Promise<Record<IncidentStatus, number>>;
  listGaps(): Promise<Gap[]>;
  close(): Promise<void>;
}

export class CursorConflictError extends Error {
  readonly code = 'CURSOR_CONFLICT';
  constructor(source: string) {
    super(`cursor of "${source}" was moved by another writer; this run is discarded and will be redone`);
    this.name = 'CursorConflictError';
  }
}
