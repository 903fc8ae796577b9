import { Type, type Static } from '@sinclair/typebox';

/**
 * When a failed delivery is tried again, as data. A status in `transientStatuses`, a network
 * error or a timeout is retried after `min(maxDelayMs, baseDelayMs * 2^(attempt-1))` with full
 * jitter, or after Retry-After when the target sent one (capped at `maxRetryAfterMs`); any other
 * status is a dead letter at once. A row is dead after `maxAttempts` attempts or once it has
 * waited `maxAgeHours` since it was enqueued (or replayed).
 */
export const SinkRetryPolicy = Type.Object(
  {
    transientStatuses: Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), {
      default: [408, 429, 500, 502, 503, 504],
    }),
    baseDelayMs: Type.Integer({ minimum: 0, default: 1000 }),
    maxDelayMs: Type.Integer({ minimum: 0, default: 5 * 60_000 }),
    jitter: Type.Union([Type.Literal('full'), Type.Literal('none')], { default: 'full' }),
    maxRetryAfterMs: Type.Integer({ minimum: 0, default: 60 * 60_000 }),
    maxAttempts: Type.Integer({ minimum: 1, default: 25 }),
    maxAgeHours: Type.Number({ exclusiveMinimum: 0, default: 24 }),
  },
  { additionalProperties: false },
);
export type SinkRetryPolicy = Static<typeof SinkRetryPolicy>;

export const DEFAULT_SINK_RETRY: SinkRetryPolicy = Object.freeze({
  transientStatuses: [408, 429, 500, 502, 503, 504],
  baseDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
  jitter: 'full',
  maxRetryAfterMs: 60 * 60_000,
  maxAttempts: 25,
  maxAgeHours: 24,
}) as SinkRetryPolicy;

/** Delay before the next attempt after `attempt` (1-based) failed. */
export function retryDelay(
  policy: SinkRetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return policy.jitter === 'full' ? Math.floor(random() * ceiling) : ceiling;
}

/** Whether a failure with this status (undefined: no answer at all) may succeed later. */
export function isTransient(policy: SinkRetryPolicy, status: number | undefined): boolean {
  return status === undefined || policy.transientStatuses.includes(status);
}
