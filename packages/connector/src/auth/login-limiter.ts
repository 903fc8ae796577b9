import type { Clock } from '../context.ts';

export interface LoginLimiterOptions {
  /** Failed attempts allowed per window, per username and per client address. Default 5. */
  maxFailures?: number;
  /** Default 15 minutes. */
  windowMs?: number;
}

/**
 * Counts failed logins per key (username, client address) in a fixed window on the injected
 * clock. In memory: a restart forgets, which only ever lets an attacker start a new window.
 */
export function createLoginLimiter(clock: Clock, opts: LoginLimiterOptions = {}) {
  const max = opts.maxFailures ?? 5;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const failures = new Map<string, { count: number; resetAt: number }>();

  const live = (key: string) => {
    const e = failures.get(key);
    if (e && e.resetAt <= clock.now()) {
      failures.delete(key);
      return undefined;
    }
    return e;
  };

  return {
    /** Milliseconds to wait when any of the keys is locked, else 0. */
    retryAfterMs(keys: readonly string[]): number {
      let wait = 0;
      for (const k of keys) {
        const e = live(k);
        if (e && e.count >= max) wait = Math.max(wait, e.resetAt - clock.now());
      }
      return wait;
    },
    fail(keys: readonly string[]): void {
      for (const k of keys) {
        const e = live(k) ?? { count: 0, resetAt: clock.now() + windowMs };
        e.count++;
        failures.set(k, e);
      }
      // Bounded memory under a spray of usernames: forget the oldest windows.
      while (failures.size > 10_000) failures.delete(failures.keys().next().value!);
    },
    succeed(keys: readonly string[]): void {
      for (const k of keys) failures.delete(k);
    },
  };
}
export type LoginLimiter = ReturnType<typeof createLoginLimiter>;
