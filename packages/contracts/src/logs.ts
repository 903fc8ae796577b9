import { Type, type Static } from '@sinclair/typebox';

/** Log type used when neither the document nor the `type` query parameter names one (as Logz.io). */
export const DEFAULT_LOG_TYPE = 'http-bulk';

/**
 * Query string of `POST /` on the listener. `token` is validated by hand so a missing one is a
 * 401 like a wrong one. `type` may not contain whitespace (Logz.io: "can't contain spaces");
 * an empty one means the default.
 */
export const ListenerQuery = Type.Object({
  token: Type.Optional(Type.String()),
  type: Type.Optional(Type.String({ maxLength: 100, pattern: '^\\S*$' })),
});
export type ListenerQuery = Static<typeof ListenerQuery>;

/** Why one line of a bulk request was not stored. */
export const RejectedLine = Type.Object({
  /** 1-based line number in the (decompressed) body. */
  line: Type.Integer({ minimum: 1 }),
  reason: Type.String(),
});
export type RejectedLine = Static<typeof RejectedLine>;

/**
 * 400 body when at least one line was rejected; the good lines of the same request ARE stored.
 * The four counters are Logz.io's documented listener response; `errors` (first 100 rejected
 * lines) is our extension. A fully good request gets 200 with an empty body, as from Logz.io.
 */
export const BulkShippingResult = Type.Object({
  malformedLines: Type.Integer(),
  successfulLines: Type.Integer(),
  oversizedLines: Type.Integer(),
  emptyLogLines: Type.Integer(),
  errors: Type.Array(RejectedLine),
});
export type BulkShippingResult = Static<typeof BulkShippingResult>;

/** A stored log document: whatever the shipper sent, plus `@timestamp` (ISO 8601) and `type`. */
export type LogDocument = Record<string, unknown> & { '@timestamp': string; type: string };
