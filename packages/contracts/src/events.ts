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
 * (coerced by the validator); nulls anywhere are treated as absent, so FortiSOAR's
 * `"timeRange":{"fromDate":null,"toDate":null}` and `"sort":[{"field":null}]` arrive as `{}` and
 * must validate: both bounds and `sort[].field` are optional here (a sort item without a field is
 * ignored, a missing bound is open). Unknown keys (Siemplify's `filter.alertEventId`) are dropped:
 * `additionalProperties: false` plus the SIEM's `removeAdditional` removes rather than rejects.
 */
export const SecurityEventSearchRequest = Type.Object(
  {
    filter: Type.Optional(
      Type.Object(
        {
          searchTerm: Type.Optional(Type.String({ maxLength: 1000 })),
          severities: Type.Optional(Type.Array(Severity, { maxItems: 5 })),
          timeRange: Type.Optional(
            Type.Object(
              {
                fromDate: Type.Optional(Type.Number({ minimum: 0, description: 'epoch seconds, inclusive' })),
                toDate: Type.Optional(Type.Number({ minimum: 0, description: 'epoch seconds, inclusive' })),
              },
              { additionalProperties: false },
            ),
          ),
          includeMutedEvents: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    sort: Type.Optional(
      Type.Array(
        Type.Object(
          { field: Type.Optional(SortField), descending: Type.Optional(Type.Boolean({ default: true })) },
          { additionalProperties: false },
        ),
        { maxItems: 10 },
      ),
    ),
    pagination: Type.Optional(PaginationRequest),
  },
  { additionalProperties: false },
);
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
