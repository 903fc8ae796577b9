import type { Clock } from '../context.ts';
import type { AuthStore } from '../store/case-types.ts';

export interface LoginLimiterOptions {
  /** Failed attempts allowed per window, per username and per client address. Default 5. */
  maxFailures?: number;
  /** Default 15 minutes. */
  windowMs?: number;
}

/**
 * Counts failed logins per key (username, client address) in a fixed window on the injected
 * clock. The counts live in the store: a restart does not reset them, and connectors sharing a
 * PostgreSQL store share them.
 */
export function createLoginLimiter(
  store: Pick<AuthStore, 'loginFailures' | 'recordLoginFailure' | 'clearLoginFailures'>,
  clock: Clock,
  opts: LoginLimiterOptions = {},
) {
  const max = opts.maxFailures ?? 5;
  const windowMs = opts.windowMs ?? 15 * 60_000;

  return {
    /** Milliseconds to wait when any of the keys is locked, else 0. */
    async retryAfterMs(keys: readonly string[]): Promise<number> {
      const now = clock.now();
      let wait = 0;
      for (const f of await store.loginFailures(keys, now)) {
        if (f.count >= max) wait = Math.max(wait, f.resetAt - now);
      }
      return wait;
    },
    async fail(keys: readonly string[]): Promise<void> {
      await store.recordLoginFailure(keys, windowMs, clock.now());
    },
    async succeed(keys: readonly string[]): Promise<void> {
      await store.clearLoginFailures(keys);
    },
  };
}
export type LoginLimiter = ReturnType<typeof createLoginLimiter>;
