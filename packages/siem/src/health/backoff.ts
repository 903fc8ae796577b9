/** How a background service waits before retrying after a failure: capped exponential, no jitter (one process, no herd). */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1_000, maxMs: 60_000 };

/** The wait before retry number `failures` (1 = first retry): base, 2×base, 4×base ... up to max. */
export function backoffMs(failures: number, b: Backoff = DEFAULT_BACKOFF): number {
  const exp = Math.min(Math.max(0, failures - 1), 30);
  return Math.min(b.maxMs, b.baseMs * 2 ** exp);
}
