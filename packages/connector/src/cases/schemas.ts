import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from './nullable.ts';

/** Why an incident was closed: a fixed list, so reports can count them. */
export const CLOSE_REASONS = [
  'resolved',
  'false_positive',
  'duplicate',
  'benign_true_positive',
  'other',
] as const;
export const CloseReason = Type.Union(CLOSE_REASONS.map((r) => Type.Literal(r)));
export type CloseReason = Static<typeof CloseReason>;

export const Tag = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^,\\s]+$' });

/** Who made a change: a user, an API key, the fetcher, a playbook run or the system. */
export const ActorKind = Type.Union([
  Type.Literal('user'),
  Type.Literal('api_key'),
  Type.Literal('fetch'),
  Type.Literal('playbook'),
  Type.Literal('system'),
]);
export type ActorKind = Static<typeof ActorKind>;

export const Actor = Type.Object({
  kind: ActorKind,
  name: Type.String({ description: 'username, API key name, playbook run id, or "fetch"' }),
});
export type Actor = Static<typeof Actor>;

export const TIMELINE_KINDS = [
  'created',
  'status_changed',
  'owner_changed',
  'severity_changed',
  'tags_changed',
  'closed',
  'reopened',
  'note_added',
  'note_edited',
  'logs_fetched',
  'playbook_run',
  'delivered',
] as const;
export const TimelineKind = Type.Union(TIMELINE_KINDS.map((k) => Type.Literal(k)));
export type TimelineKind = Static<typeof TimelineKind>;

/** One append-only entry of an incident's history: who, when, what, before and after. */
export const TimelineEntry = Type.Object({
  id: Type.Integer(),
  incidentId: Type.String(),
  at: Type.String({ description: 'UTC ISO 8601' }),
  actor: Actor,
  kind: TimelineKind,
  before: Type.Unknown({ description: 'the value before the change (null when none)' }),
  after: Type.Unknown({ description: 'the value after the change (null when none)' }),
});
export type TimelineEntry = Static<typeof TimelineEntry>;

export const NoteRevision = Type.Object({
  body: Type.String(),
  author: Type.String(),
  at: Type.String({ description: 'when this text was written, UTC ISO 8601' }),
});
export type NoteRevision = Static<typeof NoteRevision>;

export const NoteBody = Type.String({ minLength: 1, maxLength: 20_000, description: 'Markdown' });

/** A note in Markdown; an edit keeps the earlier texts in `revisions` (oldest first). */
export const Note = Type.Object({
  id: Type.Integer(),
  incidentId: Type.String(),
  author: Type.String(),
  body: NoteBody,
  createdAt: Type.String(),
  updatedAt: Type.String(),
  revisions: Type.Array(NoteRevision),
});
export type Note = Static<typeof Note>;

/** The triggering logs captured with an incident, so they outlive the SIEM's retention. */
export const IncidentLogs = Type.Object({
  incidentId: Type.String(),
  fetchedAt: Type.Union([Type.String(), Type.Null()]),
  count: Type.Integer(),
  cap: Type.Integer(),
  truncated: Type.Boolean({ description: 'true when the SIEM had more logs than the cap' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'why the last capture failed' }),
  logs: Type.Array(Type.Record(Type.String(), Type.Unknown())),
});
export type IncidentLogs = Static<typeof IncidentLogs>;

/** The changes one update (or a bulk update) applies; absent keys are left as they are. */
export const CasePatch = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('new'), Type.Literal('active'), Type.Literal('closed')])),
    // One `type: [string, null]`, not anyOf: with the API's type coercion an anyOf's null branch
    // took "" as null (a silent unassign); this way "" is a 400 naming body.owner.
    owner: Type.Optional(
      Nullable(
        Type.String({
          minLength: 1,
          maxLength: 200,
          description: 'the assignee; null unassigns (an empty string is refused)',
        }),
      ),
    ),
    severity: Type.Optional(
      Type.Union(
        [0, 0.5, 1, 2, 3, 4].map((n) => Type.Literal(n)),
        {
          description: 'override on the XSOAR scale; the original is kept as originalSeverity',
        },
      ),
    ),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 50, uniqueItems: true })),
    closeReason: Type.Optional(CloseReason),
    closeNotes: Type.Optional(Type.String({ maxLength: 20_000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CasePatch = Static<typeof CasePatch>;

export const SORTS = ['occurred', 'severity', 'updated'] as const;
export type CaseSort = (typeof SORTS)[number];

/** The queue's query, as the store takes it (already parsed and checked). */
export interface CaseQuery {
  status?: ('new' | 'active' | 'closed')[];
  severities?: number[];
  minSeverity?: number;
  /** Owner names; `null` in the list matches unassigned incidents (any of them matches). */
  owners?: (string | null)[];
  /** Exact rule (incident) names. */
  names?: string[];
  /** Any of these tags. */
  tags?: string[];
  /** Free text over name, description and groupBy values: every term must match (see cases/text.ts). */
  text?: string;
  occurredFrom?: number;
  occurredTo?: number;
  sort: CaseSort;
  order: 'asc' | 'desc';
  /** Opaque position from the previous page (see cursor.ts). */
  after?: { keys: number[]; id: string };
  limit: number;
}

export const StatusCounts = Type.Object({
  new: Type.Integer(),
  active: Type.Integer(),
  closed: Type.Integer(),
});

export const CaseCounts = Type.Object({
  byStatus: StatusCounts,
  bySeverity: Type.Record(Type.String(), Type.Integer(), {
    description: 'current severity (XSOAR scale, as a string key) to count',
  }),
});
export type CaseCounts = Static<typeof CaseCounts>;

export const Percentiles = Type.Object({
  count: Type.Integer(),
  p50Seconds: Type.Union([Type.Number(), Type.Null()]),
  p90Seconds: Type.Union([Type.Number(), Type.Null()]),
  p95Seconds: Type.Union([Type.Number(), Type.Null()]),
});
export type Percentiles = Static<typeof Percentiles>;

export const CaseSla = Type.Object({
  timeToAcknowledge: Percentiles,
  timeToClose: Percentiles,
});
export type CaseSla = Static<typeof CaseSla>;
