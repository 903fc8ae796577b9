import { Type, type Static } from '@sinclair/typebox';
import { SecurityEvent } from './events.ts';

/** Query of `GET /siem/v1/configs/{configIds}`: offset mode or time mode, never both. */
export const FeedQuery = Type.Object({
  offset: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 600000, default: 10000 })),
  from: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch seconds' })),
  to: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch seconds' })),
});
export type FeedQuery = Static<typeof FeedQuery>;

export const FEED_DEFAULT_LIMIT = 10000;
export const FEED_MAX_LIMIT = 600000;
export const FEED_LATENCY_SECONDS = 5;
export const FEED_REPLAY_WINDOW_SECONDS = 12 * 3600;

/**
 * One feed line: the security event plus where it came from. `storedAt` is the storage time
 * (epoch seconds, ms fraction) that orders the feed; `configId` is the security configuration.
 */
export const FeedEvent = Type.Intersect([
  SecurityEvent,
  Type.Object({
    configId: Type.String(),
    storedAt: Type.Number(),
    accountId: Type.Integer(),
  }),
]);
export type FeedEvent = Static<typeof FeedEvent>;

/** Last line of every feed response, written byte-exactly as `{ "total": N, "offset": "...", "limit": N }`. */
export const FeedContext = Type.Object({
  total: Type.Integer(),
  offset: Type.String(),
  limit: Type.Optional(Type.Integer()),
});
export type FeedContext = Static<typeof FeedContext>;
