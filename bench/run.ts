/**
 * Runs the benchmarks one after another, each in its own process (so one's memory and JIT state
 * never colour the next), and prints their figures. `npm run bench` runs all of them;
 * `npm run bench -- search feed` runs a subset. Each bench prints its own baseline and ratio.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ALL = [
  'ingest',
  'search',
  'rules',
  'listener',
  'feed',
  'feed-store',
  'backlog',
  'hostile',
  'incidents',
  'outbox',
  'store-write',
  'startup',
  'pipe-rss',
  'peers',
  'rss',
  'playbooks',
  'expressions',
] as const;
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(ALL as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (choose from ${ALL.join(', ')})`);
  process.exit(2);
}
const chosen = asked.length > 0 ? asked : [...ALL];
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== bench/${name}.ts ===`);
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, `${name}.ts`)],
    { stdio: 'inherit' },
  );
  console.log(
    `=== ${name}: exit ${r.status ?? r.signal}, ${((Date.now() - started) / 1000).toFixed(1)} s ===`,
  );
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
