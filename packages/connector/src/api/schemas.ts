import { Type, type Static } from '@sinclair/typebox';
import { Incident, IncidentSummary } from '../store/types.ts';
import {
  CaseCounts,
  CasePatch,
  CaseSla,
  IncidentLogs,
  Note,
  NoteBody,
  TimelineEntry,
} from '../cases/schemas.ts';
import { ApiKey, Password, Role, User, Username } from '../auth/schemas.ts';
import { FetchRun, Gap } from '../store/types.ts';
import { SinkHealth } from '../outbox/types.ts';

/** Request and response schemas of the connector's API: the single source of the OpenAPI document. */

export const ErrorBody = Type.Object({
  errorCode: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});

export const QueueQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ description: 'comma list: new,active,closed' })),
    severity: Type.Optional(
      Type.String({ description: 'comma list of exact severities: 0..4 or INFO..SEVERE' }),
    ),
    minSeverity: Type.Optional(Type.String({ description: 'lowest severity: 0..4 or INFO..SEVERE' })),
    owner: Type.Optional(Type.String({ description: 'comma list of owners; "me" is the caller' })),
    unassigned: Type.Optional(
      Type.Boolean({ description: 'also (or, without owner, only) unassigned incidents' }),
    ),
    rule: Type.Optional(
      Type.String({ maxLength: 2000, description: 'comma list of exact rule (incident) names' }),
    ),
    tag: Type.Optional(
      Type.String({ maxLength: 2000, description: 'comma list: incidents with any of these tags' }),
    ),
    q: Type.Optional(
      Type.String({
        maxLength: 500,
        description:
          'free text over name, description and groupBy values: every space-separated term must match; a term matches words in a row, its last word as a prefix ("brute 10.0.0.1")',
      }),
    ),
    from: Type.Optional(Type.String({ description: 'occurred at or after: ISO 8601 or epoch ms' })),
    to: Type.Optional(Type.String({ description: 'occurred at or before: ISO 8601 or epoch ms' })),
    sort: Type.Union([Type.Literal('occurred'), Type.Literal('severity'), Type.Literal('updated')], {
      default: 'occurred',
    }),
    order: Type.Union([Type.Literal('desc'), Type.Literal('asc')], { default: 'desc' }),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 2000, description: 'nextCursor of the previous page' })),
    counts: Type.Optional(
      Type.Boolean({
        description:
          'total and counts by status and severity: default on the first page (no cursor) only; true on every page, false never',
      }),
    ),
  },
  { additionalProperties: false },
);
export type QueueQuery = Static<typeof QueueQuery>;

export const QueuePage = Type.Object({
  results: Type.Array(IncidentSummary, {
    description: 'without raw and fields (GET /api/incidents/{id} has them): description and groupBy instead',
  }),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
  total: Type.Union([Type.Integer(), Type.Null()], {
    description: 'incidents matching every filter; null when counts were not asked for (see query.counts)',
  }),
  counts: Type.Union([CaseCounts, Type.Null()], {
    description: 'over the filters but status and severity; null when not asked for',
  }),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
export type IdParams = Static<typeof IdParams>;

export const NoteParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  noteId: Type.Integer({ minimum: 1 }),
});
export type NoteParams = Static<typeof NoteParams>;

export const DetailQuery = Type.Object(
  {
    relatedWindowHours: Type.Number({ minimum: 0, maximum: 24 * 90, default: 24 }),
  },
  { additionalProperties: false },
);
export type DetailQuery = Static<typeof DetailQuery>;

export const IncidentDetail = Type.Object({
  incident: Incident,
  notes: Type.Array(Note),
  timeline: Type.Array(TimelineEntry),
  logs: Type.Union([IncidentLogs, Type.Null()], { description: 'null until captured' }),
  related: Type.Array(Incident, {
    description: 'same rule and groupBy values within the window, newest first',
  }),
});

export { CasePatch };

export const BulkBody = Type.Object(
  {
    ids: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      minItems: 1,
      maxItems: 500,
      uniqueItems: true,
    }),
    patch: CasePatch,
  },
  { additionalProperties: false },
);
export type BulkBody = Static<typeof BulkBody>;

export const NoteInput = Type.Object({ body: NoteBody }, { additionalProperties: false });
export type NoteInput = Static<typeof NoteInput>;

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const SessionInfo = Type.Object({
  user: Type.Object({
    name: Type.String(),
    role: Role,
    kind: Type.Union([Type.Literal('user'), Type.Literal('api_key')]),
  }),
  csrfToken: Type.Union([Type.String(), Type.Null()], {
    description: 'send as x-csrf-token on every write made with the session cookie; null for API keys',
  }),
});

export const NewUserBody = Type.Object(
  { username: Username, role: Role, password: Password },
  { additionalProperties: false },
);
export type NewUserBody = Static<typeof NewUserBody>;

export const UsernameParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });
export type UsernameParams = Static<typeof UsernameParams>;

export const RoleBody = Type.Object({ role: Role }, { additionalProperties: false });
export type RoleBody = Static<typeof RoleBody>;

export const PasswordBody = Type.Object({ password: Password }, { additionalProperties: false });
export type PasswordBody = Static<typeof PasswordBody>;

export const NewApiKeyBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), role: Role },
  { additionalProperties: false },
);
export type NewApiKeyBody = Static<typeof NewApiKeyBody>;

export const CreatedApiKey = Type.Object({
  key: Type.String({ description: 'shown once: send as Authorization: Bearer <key>' }),
  apiKey: ApiKey,
});

export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
    fetching: Type.Boolean(),
    lastRun: Type.Union([FetchRun, Type.Null()]),
    lagSeconds: Type.Union([Type.Number(), Type.Null()]),
    counts: Type.Object({ new: Type.Integer(), active: Type.Integer(), closed: Type.Integer() }),
    incidentsTotal: Type.Integer(),
    gaps: Type.Array(Gap),
    lastBackfill: Type.Union([FetchRun, Type.Null()]),
    sla: CaseSla,
    sinks: Type.Array(SinkHealth),
  },
  { additionalProperties: true },
);

export { Incident, Note, TimelineEntry, IncidentLogs, User, ApiKey };
