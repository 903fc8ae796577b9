/**
 * CLI start-up benchmark: `siemlink --help` and `siemlink fetch-incidents --once` with nothing
 * new (against a local SIEM on loopback, cursor already at the head) against an empty Node
 * process (`node -e 0`) in the same run. Each command runs in a fresh process through the real
 * launcher (packages/cli/bin/siemlink.js, as the `siemlink` bin runs on Node 24), round-robin so
 * that the machine's load falls on all three alike; a probe loaded with --import reports the
 * child's own user+sys CPU time and peak RSS at exit (the same probe runs in the baseline).
 * The compile cache (which the launcher enables) is warmed by one untimed round first; that
 * cold round is printed apart. BENCH_STARTUP_RUNS sets the repetitions (default 7).
 * A last row, not a goal, runs bench/startup-floor.ts: the same run's work (SQLite file, two
 * searches, a commit) written by hand with nothing of siemlink's, the least it costs on Node.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startSiem } from '../packages/siem/src/index.ts';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 7);
const BIN = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'siemlink.js');
const FLOOR = join(import.meta.dirname, 'startup-floor.ts');
const out = (s: string) => process.stdout.write(`${s}\n`);

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssMb: number;
}

const dir = mkdtempSync(join(tmpdir(), 'siemlink-bench-startup-'));
const PROBE = `data:text/javascript,${encodeURIComponent(
  `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(process.env.BENCH_PROBE_FILE, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, rssKb: u.maxRSS }));
});`,
)}`;

function runOnce(args: string[], env: NodeJS.ProcessEnv, n: number): Promise<Sample> {
  const probeFile = join(dir, `probe-${n}.json`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PROBE, ...args], {
      env: { ...env, BENCH_PROBE_FILE: probeFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      const p = JSON.parse(readFileSync(probeFile, 'utf8')) as { cpuMs: number; rssKb: number };
      resolve({ wallMs, cpuMs: p.cpuMs, rssMb: p.rssKb / 1024 });
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const siem = await startSiem(
  { dataDir: join(dir, 'siem'), port: 0, listenerPort: 0, rulesEngine: false },
  { logger: pino({ level: 'silent' }) },
);
try {
  const security = siem.credentials.accounts.find((a) => a.type === 'SIEM')!;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    NODE_COMPILE_CACHE: join(dir, 'compile-cache'),
    SIEMLINK_API_URL: siem.ctx.urls.api,
    SIEMLINK_SECURITY_TOKEN: security.apiToken,
    SIEMLINK_DATA_DIR: join(dir, 'cli'),
  };
  const commands: { name: string; args: string[] }[] = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'siemlink --help', args: [BIN, '--help'] },
    { name: 'siemlink fetch-incidents --once', args: [BIN, 'fetch-incidents', '--once'] },
    // Not a goal: what that run's work costs on Node at the least (bench/startup-floor.ts).
    { name: '  floor: its work, hand-written', args: [FLOOR] },
  ];
  const load0 = loadavg();
  let n = 0;
  // Untimed round: fills the compile cache and puts the cursor at the head (nothing new after).
  const cold = [];
  for (const c of commands) cold.push(await runOnce(c.args, env, n++));
  const samples = commands.map(() => [] as Sample[]);
  for (let r = 0; r < RUNS; r++) {
    for (const [i, c] of commands.entries()) samples[i]!.push(await runOnce(c.args, env, n++));
  }
  const load1 = loadavg();
  const base = samples[0]!;
  const baseCpu = median(base.map((s) => s.cpuMs));
  const baseWall = median(base.map((s) => s.wallMs));
  const baseRss = median(base.map((s) => s.rssMb));
  out(
    `${RUNS} runs each, round-robin, medians; load average ${load0.map((l) => l.toFixed(1)).join(' ')} at start, ${load1.map((l) => l.toFixed(1)).join(' ')} at end`,
  );
  out(
    'command                            wall ms   cpu ms  peak RSS MB   wall x   cpu x    RSS x   (cold: wall ms, cpu ms, MB)',
  );
  for (const [i, c] of commands.entries()) {
    const s = samples[i]!;
    const wall = median(s.map((x) => x.wallMs));
    const cpu = median(s.map((x) => x.cpuMs));
    const rss = median(s.map((x) => x.rssMb));
    out(
      `${c.name.padEnd(33)}${wall.toFixed(0).padStart(9)}${cpu.toFixed(0).padStart(9)}${rss.toFixed(1).padStart(13)}${(wall / baseWall).toFixed(2).padStart(9)}${(cpu / baseCpu).toFixed(2).padStart(8)}${(rss / baseRss).toFixed(2).padStart(9)}   (${cold[i]!.wallMs.toFixed(0)}, ${cold[i]!.cpuMs.toFixed(0)}, ${cold[i]!.rssMb.toFixed(1)})`,
    );
  }
  // The goal (issue 11): each command within 2x the empty process's time and 1.5x its RSS.
  out('goal: <= 2x node -e 0 in time (wall; CPU shown too), <= 1.5x in peak RSS');
  for (const [i, c] of commands.entries()) {
    if (i === 0 || c.args[0] === FLOOR) continue;
    const s = samples[i]!;
    const wall = median(s.map((x) => x.wallMs)) / baseWall;
    const cpu = median(s.map((x) => x.cpuMs)) / baseCpu;
    const rss = median(s.map((x) => x.rssMb)) / baseRss;
    const verdict = (x: number, limit: number) => `${x.toFixed(2)}x ${x <= limit ? 'met' : 'NOT met'}`;
    out(
      `  ${c.name.padEnd(33)} wall ${verdict(wall, 2)}, RSS ${verdict(rss, 1.5)} (CPU ${cpu.toFixed(2)}x${cpu <= 2 ? '' : ', over 2x'})`,
    );
  }
} finally {
  await siem.close();
  rmSync(dir, { recursive: true, force: true });
}
