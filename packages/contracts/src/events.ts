import { Type, type Static } from '@sinclair/typebox';
import { Pagination, PaginationRequest, Severity } from './common.ts';

/** A triggered security rule: one security event, as `events/search` returns it. */
export const SecurityEvent = Type.Object({
  alertId: Type.Integer({ description: 'rule id' }),
  name: Type.String(),
  description: Type.String(),
  alertSummary: Type.String(),
  eventDate: Type.Number({ description: 'epoch seconds, millisecond fraction' }),
  alertWindowStartDate: Type.Number(),
  alertWindowEndDate: Type.Number(),
  severity: Severity,
  alertEventId: Type.String({ format: 'uuid' }),
  groupBy: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  tags: Type.Array(Type.String()),
  hits: Type.Integer(),
  isMuted: Type.Boolean(),
  mitreTags: Type.Array(Type.String()),
});
export type SecurityEvent = Static<typeof SecurityEvent>;

export const SortField = Type.Union([Type.Literal('DATE'), Type.Literal('SEVERITY')]);
export type SortField = Static<typeof SortField>;

/**
 * `POST /v2/security/rules/events/search`. Epoch seconds may be floats or numeric strings
 * (coerced by the validator); nulls anywhere are treated as absent; unknown filter keys ignored.
 */
export const SecurityEventSearchRequest = Type.Object({
  filter: Type.Optional(
    Type.Object({
      searchTerm: Type.Optional(Type.String({ maxLength: 1000 })),
      severities: Type.Optional(Type.Array(Severity, { maxItems: 5 })),
      timeRange: Type.Optional(
        Type.Object({
          fromDate: Type.Number({ minimum: 0, description: 'epoch seconds, inclusive' }),
          toDate: Type.Number({ minimum: 0, description: 'epoch seconds, inclusive' }),
        }),
      ),
      includeMutedEvents: Type.Optional(Type.Boolean()),
    }),
  ),
  sort: Type.Optional(
    Type.Array(
      Type.Object({ field: SortField, descending: Type.Optional(Type.Boolean({ default: true })) }),
      { maxItems: 2 },
    ),
  ),
  pagination: Type.Optional(PaginationRequest),
});
export type SecurityEventSearchRequest = Static<typeof SecurityEventSearchRequest>;

export const SecurityEventSearchResponse = Type.Object({
  total: Type.Integer(),
  results: Type.Array(SecurityEvent),
  pagination: Pagination,
});
export type SecurityEventSearchResponse = Static<typeof SecurityEventSearchResponse>;

/** `POST /v2/security/rules/events/logs/search`: the logs behind one event. */
export const EventLogsSearchRequest = Type.Object({
  filter: Type.Object({
    alertEventId: Type.String({ minLength: 1, maxLength: 100, description: 'numbers are coerced to string' }),
  }),
  pagination: Type.Optional(PaginationRequest),
});
export type EventLogsSearchRequest = Static<typeof EventLogsSearchRequest>;

export const EventLogsSearchResponse = Type.Object({
  total: Type.Integer(),
  results: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  pagination: Pagination,
});
export type EventLogsSearchResponse = Static<typeof EventLogsSearchResponse>;
