/**
 * One-shot commands into a pipe (issue 11, item 2: feed mode's RSS bound "whatever the limit"):
 * `siemlink fetch-incidents --once` (feed source) and `siemlink security-events` drain one feed
 * backlog of BENCH_PIPE_RSS_EVENTS events (default 50,000) at BENCH_PIPE_RSS_LIMITS events per
 * request (default 10,000 and 100,000), each in a fresh process through the real launcher, their
 * NDJSON read by this process from a pipe: as fast as it comes, and by a slow reader (pausing 2 ms
 * after every chunk). Baseline in the same run: the same command with stdout to /dev/null (a file:
 * Node writes it synchronously, so nothing piles up). Prints each child's peak RSS (a probe
 * loaded with --import reports `process.resourceUsage().maxRSS` at exit) and its ratio to the
 * baseline's. The SIEM is bench/feed-store.ts's server role, in its own process.
 *
 *   npm run bench -- pipe-rss
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Target } from './feed-store.ts';

const EVENTS = process.env.BENCH_PIPE_RSS_EVENTS ?? '50000';
const LIMITS = (process.env.BENCH_PIPE_RSS_LIMITS ?? '10000,100000').split(',').map(Number);
const BIN = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'siemlink.js');
const out = (s: string) => process.stdout.write(`${s}\n`);

type Reader = 'none' | 'fast' | 'slow';

async function startSiem(): Promise<{ child: ChildProcess; target: Target }> {
  const child = fork(join(import.meta.dirname, 'feed-store.ts'), [], {
    env: { ...process.env, BENCH_FEED_STORE_ROLE: 'server', BENCH_FEED_STORE_EVENTS: EVENTS },
    execArgv: ['--disable-warning=ExperimentalWarning'],
  });
  const target = await new Promise<Target>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`SIEM exited ${code}`)));
    child.on('message', (m: { kind: string; target: Target }) => {
      if (m.kind === 'ready') resolve(m.target);
    });
  });
  return { child, target };
}

/** Runs one command to its end; its lines counted, its peak RSS in MB. */
async function drain(
  target: Target,
  verb: 'fetch-incidents' | 'security-events',
  limit: number,
  reader: Reader,
): Promise<{ lines: number; rssMb: number; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-bench-pipe-rss-'));
  try {
    const config = join(dir, 'connector.json');
    writeFileSync(
      config,
      JSON.stringify({
        fetch: {
          source: 'feed',
          configIds: [String(target.configId)],
          feedBatchLimit: limit,
          firstFetch: '3 hours',
        },
      }),
    );
    const probe = join(dir, 'probe.json');
    const PROBE = `data:text/javascript,${encodeURIComponent(
      `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(${JSON.stringify(probe)}, JSON.stringify({ maxRSS: process.resourceUsage().maxRSS })));`,
    )}`;
    const args =
      verb === 'fetch-incidents'
        ? [BIN, 'fetch-incidents', '--once']
        : [BIN, 'security-events', '--config-ids', String(target.configId), '--from', String(target.from)];
    if (verb === 'security-events') args.push('--limit', String(limit));
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PROBE, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        // No NODE_COMPILE_CACHE: the launcher enables the cache itself (in the OS temp folder), as
        // in a user's shell; the decoder's thread must get it from there (it once did not).
        SIEMLINK_CONFIG: config,
        SIEMLINK_API_URL: target.url,
        SIEMLINK_SECURITY_TOKEN: target.token,
        SIEMLINK_DATA_DIR: join(dir, 'data'),
      },
      stdio: ['ignore', reader === 'none' ? 'ignore' : 'pipe', 'ignore'],
    });
    let lines = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const b of chunk) if (b === 10) lines++;
      if (reader === 'slow') {
        child.stdout!.pause();
        setTimeout(() => child.stdout!.resume(), 2);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`${verb} exited ${code}`);
    const { maxRSS } = JSON.parse(readFileSync(probe, 'utf8')) as { maxRSS: number };
    return { lines, rssMb: maxRSS / 1024, seconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const load0 = loadavg();
const { child, target } = await startSiem();
const rows: string[] = [];
try {
  for (const verb of ['fetch-incidents', 'security-events'] as const) {
    for (const limit of LIMITS) {
      const base = await drain(target, verb, limit, 'none');
      for (const reader of ['fast', 'slow'] as const) {
        const d = await drain(target, verb, limit, reader);
        rows.push(
          `| \`${verb}${verb === 'fetch-incidents' ? ' --once' : ''}\` | ${limit} | ${reader} | ${d.lines} | ${d.seconds.toFixed(1)} | ${d.rssMb.toFixed(0)} | ${base.rssMb.toFixed(0)} | ${(d.rssMb / base.rssMb).toFixed(2)}x |`,
        );
        out(rows.at(-1)!);
      }
    }
  }
} finally {
  child.send({ kind: 'stop' });
}
const load1 = loadavg();
out(
  `\n${EVENTS} events in the feed; load average ${load0.map((l) => l.toFixed(1)).join(' ')} at start, ${load1.map((l) => l.toFixed(1)).join(' ')} at end`,
);
out(
  '| command | events per request | pipe reader | lines | s | peak RSS MB | into /dev/null MB | vs /dev/null |',
);
out('|---|---|---|---|---|---|---|---|');
for (const r of rows) out(r);
