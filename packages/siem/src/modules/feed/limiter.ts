/** Concurrent feed responses per account; one more gets 429 `too-many-requests`. */
export const FEED_MAX_CONCURRENT_PER_ACCOUNT = 4;

export interface ConcurrencyLimiter {
  /** A release function (idempotent), or undefined when the account is at its limit. */
  acquire(key: number): (() => void) | undefined;
  inFlight(key: number): number;
}

export function createConcurrencyLimiter(max = FEED_MAX_CONCURRENT_PER_ACCOUNT): ConcurrencyLimiter {
  const counts = new Map<number, number>();
  return {
    acquire(key) {
      const n = counts.get(key) ?? 0;
      if (n >= max) return undefined;
      counts.set(key, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (counts.get(key) ?? 1) - 1;
        if (left <= 0) counts.delete(key);
        else counts.set(key, left);
      };
    },
    inFlight: (key) => counts.get(key) ?? 0,
  };
}
