/**
 * Keeps V8's heap near its live size in a connector process. A fetch allocates fast and much of
 * it survives a scavenge or two (a batch waits for its commit), so V8 grows the young generation
 * to its maximum and never gives the pages back: a feed drain at 1,000 events per request peaked
 * at ~250 MB with ~15 MB of live heap. With no growth it peaked at ~140 MB at every limit, at the
 * same events/s. The old generation's limit is then set 50% above what a full GC leaves, instead
 * of V8's up to 4x (a feed drain's heap went from ~55 to ~31 MB at 10%). 10% made a full GC every
 * batch or two: at 50% an in-process feed drain took 4.7-5.0 s of CPU per 50,000 events instead
 * of 4.9-5.2 s, at the same peak RSS (114-125 MB; bench/feed-store.ts, 2026-12-03). V8 reads both flags each time it
 * would resize, so setting them after start works, unlike `--max-semi-space-size`. Not set for
 * `serve`/`up`: the SIEM's ingest was not measured with them.
 */
export function keepHeapSmall(): void {
  const v8 = process.getBuiltinModule('node:v8');
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  v8.setFlagsFromString('--heap-growing-percent=50');
}
