import { Type, type Static } from '@sinclair/typebox';

/**
 * `POST /v1/search`: the Elasticsearch 6 query DSL subset Logz.io accepts. The SIEM validates
 * bodies itself (so unknown keys give Logz.io's "Found JSON elements which are not allowed"
 * instead of being dropped); these schemas are the wire shapes, checked in contract tests.
 */
export const SEARCH_MAX_SIZE = 10_000;
export const SEARCH_DEFAULT_SIZE = 10;
export const SEARCH_MAX_AGG_SIZE = 1000;

/** Top-level keys Logz.io allows (old readme + current OpenAPI), plus `dayOffset` (some docs put it in the body). */
export const SEARCH_BODY_KEYS = [
  'query',
  'from',
  'size',
  'sort',
  '_source',
  'post_filter',
  'aggs',
  'aggregations',
  'docvalue_fields',
  'version',
  'stored_fields',
  'highlight',
  'dayOffset',
  'track_total_hits',
] as const;

/** Keys refused anywhere inside a query (they tune expensive expansions). */
export const SEARCH_FORBIDDEN_KEYS = [
  'fuzzy_max_expansions',
  'max_expansions',
  'max_determinized_states',
] as const;

const QueryObject = Type.Record(Type.String(), Type.Unknown(), { description: 'ES 6 query DSL clause' });
/** Real clients send numbers as strings (XSOAR: `"size":"20"`). */
const IntOrString = Type.Union([Type.Integer(), Type.String({ pattern: '^\\s*\\d+\\s*$' })]);

export const SearchSourceFilter = Type.Union([
  Type.Boolean(),
  Type.String(),
  Type.Array(Type.String()),
  Type.Object({
    includes: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
    excludes: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  }),
]);
export type SearchSourceFilter = Static<typeof SearchSourceFilter>;

export const SearchRequest = Type.Object(
  {
    query: QueryObject,
    from: Type.Optional(IntOrString),
    size: Type.Optional(IntOrString),
    sort: Type.Optional(Type.Union([Type.Array(Type.Unknown()), Type.String(), QueryObject])),
    _source: Type.Optional(SearchSourceFilter),
    post_filter: Type.Optional(QueryObject),
    aggs: Type.Optional(QueryObject),
    aggregations: Type.Optional(QueryObject),
    docvalue_fields: Type.Optional(Type.Array(Type.Unknown())),
    version: Type.Optional(Type.Boolean()),
    stored_fields: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
    highlight: Type.Optional(QueryObject),
    dayOffset: Type.Optional(IntOrString),
    track_total_hits: Type.Optional(Type.Union([Type.Boolean(), Type.Integer({ minimum: 0 })])),
  },
  { additionalProperties: false },
);
export type SearchRequest = Static<typeof SearchRequest>;

export const SearchQueryParams = Type.Object({
  dayOffset: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
});
export type SearchQueryParams = Static<typeof SearchQueryParams>;

export const SearchHit = Type.Object({
  _index: Type.String(),
  _type: Type.String(),
  _id: Type.String(),
  _score: Type.Union([Type.Number(), Type.Null()]),
  _source: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  _version: Type.Optional(Type.Integer()),
  sort: Type.Optional(Type.Array(Type.Unknown())),
});
export type SearchHit = Static<typeof SearchHit>;

/**
 * ES 7's total, answered only to a client that sent `track_total_hits` as a number (an ES 7
 * client): `gte` means `value` is a lower bound.
 */
export const SearchTotal = Type.Object({
  value: Type.Integer({ minimum: 0 }),
  relation: Type.Union([Type.Literal('eq'), Type.Literal('gte')]),
});
export type SearchTotal = Static<typeof SearchTotal>;

/**
 * ES 6 shape: `hits.total` is a plain integer (Siemplify compares it with `>= 0`); -1 when the
 * client sent `track_total_hits: false` (as ES 6 does), ES 7's object when it sent a number.
 */
export const SearchResponse = Type.Object({
  took: Type.Integer({ minimum: 0 }),
  timed_out: Type.Boolean(),
  _shards: Type.Object({
    total: Type.Integer(),
    successful: Type.Integer(),
    skipped: Type.Integer(),
    failed: Type.Integer(),
  }),
  hits: Type.Object({
    total: Type.Union([Type.Integer({ minimum: -1 }), SearchTotal]),
    max_score: Type.Union([Type.Number(), Type.Null()]),
    hits: Type.Array(SearchHit),
  }),
  aggregations: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type SearchResponse = Static<typeof SearchResponse>;
