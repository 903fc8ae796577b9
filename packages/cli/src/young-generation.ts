/**
 * Keeps V8's young generation at its initial size in a connector process. A fetch allocates fast
 * and much of it survives a scavenge or two (a batch waits for its commit), so V8 grows the young
 * generation to its maximum and never gives the pages back: a feed drain at 1,000 events per
 * request peaked at ~250 MB with ~15 MB of live heap. With no growth it peaked at ~140 MB at
 * every limit, at the same events/s (bench/feed-store.ts). V8 reads this flag each time it would
 * grow the young generation, so setting it after start works, unlike `--max-semi-space-size`.
 * Not set for `serve`/`up`: the SIEM's ingest was not measured with it.
 */
export function keepYoungGenerationSmall(): void {
  process.getBuiltinModule('node:v8').setFlagsFromString('--semi-space-growth-factor=1');
}
