import { Type, type Static } from '@sinclair/typebox';
import { SecurityEvent } from './events.ts';

/** Query of `GET /siem/v1/configs/{configIds}`: offset mode or time mode, never both. */
export const FeedQuery = Type.Object({
  offset: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 600000, default: 10000 })),
  from: Type.Optional(Type.Number({ minimum: 0, description: 'epoch seconds (a fraction is floored)' })),
  to: Type.Optional(Type.Number({ minimum: 0, description: 'epoch seconds (a fraction is floored)' })),
});
export type FeedQuery = Static<typeof FeedQuery>;

export const FEED_DEFAULT_LIMIT = 10000;
export const FEED_MAX_LIMIT = 600000;
export const FEED_LATENCY_SECONDS = 5;
export const FEED_REPLAY_WINDOW_SECONDS = 12 * 3600;

/**
 * Akamai-style envelope on every feed line, so Akamai SIEM consumers (XSOAR `Akamai_SIEM`,
 * Elastic) parse our lines unmodified. All values are strings, as in Akamai's schema.
 * `attackData` rule members hold one entry each, encoded Akamai's way:
 * URL-encode(join(";", base64(value))). `httpMessage.start` is the integer epoch second of
 * `eventDate` (XSOAR's cursor is `max(int(start))`; eventDate <= storage time, so that cursor
 * never skips an event); `requestId` is the `alertEventId`.
 */
export const FeedAkamaiEnvelope = Type.Object({
  type: Type.Literal('akamai_siem'),
  format: Type.Literal('json'),
  version: Type.String(),
  attackData: Type.Object({
    configId: Type.String(),
    policyId: Type.String(),
    clientIP: Type.String(),
    appliedAction: Type.String(),
    rules: Type.String(),
    ruleVersions: Type.String(),
    ruleMessages: Type.String(),
    ruleTags: Type.String(),
    ruleData: Type.String(),
    ruleSelectors: Type.String(),
    ruleActions: Type.String(),
  }),
  httpMessage: Type.Object({
    requestId: Type.String(),
    start: Type.String({ pattern: '^[0-9]+$' }),
    protocol: Type.String(),
    method: Type.String(),
    host: Type.String(),
    port: Type.String(),
    path: Type.String(),
    query: Type.String(),
    requestHeaders: Type.String(),
    status: Type.String(),
    bytes: Type.String(),
    responseHeaders: Type.String(),
  }),
  geo: Type.Object({
    asn: Type.String(),
    city: Type.String(),
    continent: Type.String(),
    country: Type.String(),
    regionCode: Type.String(),
  }),
});
export type FeedAkamaiEnvelope = Static<typeof FeedAkamaiEnvelope>;

/**
 * One feed line: the security event plus where it came from. `storedAt` is the storage time
 * (epoch seconds, ms fraction) that orders the feed; `configId` is the security configuration.
 * The SIEM always writes the Akamai envelope fields; they are optional here so consumers that
 * only need the security event do not depend on them.
 */
export const FeedEvent = Type.Intersect([
  SecurityEvent,
  Type.Object({
    configId: Type.String(),
    storedAt: Type.Number(),
    accountId: Type.Integer(),
  }),
  Type.Partial(FeedAkamaiEnvelope),
]);
export type FeedEvent = Static<typeof FeedEvent>;

/** Last line of every feed response, written byte-exactly as `{ "total": N, "offset": "...", "limit": N }`. */
export const FeedContext = Type.Object({
  total: Type.Integer(),
  offset: Type.String(),
  limit: Type.Optional(Type.Integer()),
});
export type FeedContext = Static<typeof FeedContext>;
