import type { Percentiles } from './schemas.ts';

/** Nearest-rank percentiles (seconds) of durations in ms, sorted ascending. */
export function percentiles(sortedMs: readonly number[]): Percentiles {
  const at = (p: number) => {
    if (sortedMs.length === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * sortedMs.length));
    return Math.round(sortedMs[rank - 1]!) / 1000;
  };
  return { count: sortedMs.length, p50Seconds: at(50), p90Seconds: at(90), p95Seconds: at(95) };
}
