/** Intervals a histogram may use, smallest first (ES time units, as Logz.io's ES 6 takes them). */
const STEPS_S = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400];

/** Bars wanted across the range; the interval is the smallest step giving at most this many. */
export const TARGET_BUCKETS = 60;

export function histogramIntervalMs(fromMs: number, toMs: number): number {
  const span = Math.max(1, toMs - fromMs);
  const step = STEPS_S.find((s) => span / (s * 1000) <= TARGET_BUCKETS) ?? STEPS_S.at(-1)!;
  return step * 1000;
}

export interface HistogramBucket {
  /** Bucket start, epoch ms (UTC). */
  t: number;
  count: number;
}

/**
 * One bar per interval over [from, to], zeros included, summing the buckets the search returned
 * (several two-day pieces may each bring some).
 */
export function fillHistogram(
  fromMs: number,
  toMs: number,
  intervalMs: number,
  returned: Iterable<{ key: number; doc_count: number }>,
): HistogramBucket[] {
  const first = Math.floor(fromMs / intervalMs) * intervalMs;
  const counts = new Map<number, number>();
  for (const b of returned) {
    const t = Math.floor(Number(b.key) / intervalMs) * intervalMs;
    counts.set(t, (counts.get(t) ?? 0) + Number(b.doc_count));
  }
  const out: HistogramBucket[] = [];
  for (let t = first; t <= toMs; t += intervalMs) out.push({ t, count: counts.get(t) ?? 0 });
  return out;
}
