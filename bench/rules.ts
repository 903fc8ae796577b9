/**
 * Rule engine benchmark: ingest rate with the default rule pack enabled against no rules, in
 * the same run. Demo logs (the generator's mix of sshd, CloudTrail, Sysmon, nginx and DNS, with
 * its attack scenarios) are stored in batches of 1000 through the SIEM's logs writer into a
 * real on-disk store, as the listener does, simulating BENCH_RULES_RATE logs/s of log time;
 * with rules, the default pack is evaluated at every simulated minute over its windows (5-10
 * minutes of logs) exactly as the scheduler would (FakeClock, no sleeps).
 * Reports logs/s with and without rules, their ratio, per-evaluation times, and how many
 * logs/s of live ingest one core of evaluation could keep up with. Two ways with the pack: on
 * the writing thread (as the engine did before issue 10), and with the windows read by the
 * engine's worker-thread pool (BENCH_RULES_WORKERS, default 1, at nice 10) while the writes go
 * on, at most one pass in flight (a minute whose pass has not finished waits for it).
 * BENCH_RULES_LOGS scales the run (default 300000); BENCH_RULES_RATE (default 250);
 * BENCH_RULES_ROUNDS (default 2, alternating, best of each).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { bootstrapAccounts } from '../packages/siem/src/bootstrap.ts';
import { FakeClock } from '../packages/siem/src/clock.ts';
import { loadSiemConfig } from '../packages/siem/src/config.ts';
import { createDemoGenerator } from '../packages/siem/src/demo/generator.ts';
import { createRng } from '../packages/siem/src/demo/rng.ts';
import { createSqliteLogsWriter, type NewLog } from '../packages/siem/src/modules/logs/repository.ts';
import { DEFAULT_RULE_PACK } from '../packages/siem/src/demo/default-pack.ts';
import { installDefaultRulePack } from '../packages/siem/src/demo/rule-pack.ts';
import {
  evaluateDueRules,
  evaluateDueRulesWith,
} from '../packages/siem/src/modules/rules/engine/scheduler.ts';
import { createScanPool } from '../packages/siem/src/modules/rules/engine/worker-pool.ts';
import { createSiemContext } from '../packages/siem/src/server.ts';

const TOTAL = Number(process.env.BENCH_RULES_LOGS ?? 300_000);
const RATE = Number(process.env.BENCH_RULES_RATE ?? 250);
const WORKERS = Number(process.env.BENCH_RULES_WORKERS ?? 1);
const BATCH = 1000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MIN = 60_000;

/** The logs, generated once before timing, grouped by simulated minute. */
function generate(): NewLog[][] {
  const gen = createDemoGenerator({ rng: createRng(2026) });
  gen.kickoff(T0);
  const minutes: NewLog[][] = [];
  let n = 0;
  for (let m = 0; n < TOTAL; m++) {
    const logs = gen
      .generate(T0 + m * MIN, T0 + (m + 1) * MIN, RATE)
      .slice(0, TOTAL - n)
      .map((l) => ({
        ts: l.ts,
        type: l.doc.type,
        doc: JSON.stringify({ ...l.doc, '@timestamp': new Date(l.ts).toISOString() }),
      }));
    n += logs.length;
    minutes.push(logs);
  }
  return minutes;
}

interface RunResult {
  seconds: number;
  logs: number;
  evaluations: number[];
  events: number;
  ruleRuns: number;
}

type Mode = 'none' | 'thread' | 'workers';

async function run(minutes: NewLog[][], mode: Mode): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'siemlink-bench-rules-'));
  const clock = new FakeClock(T0);
  const ctx = createSiemContext(loadSiemConfig({ dataDir, rulesEngine: false }), {
    clock,
    logger: pino({ level: 'silent' }),
  });
  const pool =
    mode === 'workers'
      ? createScanPool({
          dbPath: ctx.store.db.location()!,
          size: WORKERS,
          nice: 10,
          maxQueue: 64,
          budgetMs: 60_000,
          graceMs: 0,
          clock,
          logger: ctx.logger,
        })
      : null;
  try {
    const creds = bootstrapAccounts(ctx);
    const logsAccount = creds.accounts.find((a) => a.type === 'LOGS')!.accountId;
    if (mode !== 'none' && installDefaultRulePack(ctx) !== DEFAULT_RULE_PACK.length)
      throw new Error('pack not installed');
    const writer = createSqliteLogsWriter(ctx.store);
    const evaluations: number[] = [];
    let logs = 0;
    let events = 0;
    let ruleRuns = 0;
    let inFlight: Promise<void> | null = null;
    const start = performance.now();
    for (let m = 0; m < minutes.length; m++) {
      const batch = minutes[m]!;
      for (let i = 0; i < batch.length; i += BATCH) {
        const slice = batch.slice(i, i + BATCH);
        writer.insert(logsAccount, slice, slice[slice.length - 1]!.ts);
        logs += slice.length;
        // As the listener: each request is its own turn, so finished scans are stored in between.
        if (pool) await new Promise((r) => setImmediate(r));
      }
      const at = T0 + (m + 1) * MIN;
      if (mode === 'thread') {
        const t = performance.now();
        const results = evaluateDueRules(ctx, at);
        evaluations.push(performance.now() - t);
        ruleRuns += results.length;
        for (const r of results) events += r.events.length;
      } else if (pool) {
        await inFlight; // back-pressure: one pass at a time
        const t = performance.now();
        inFlight = evaluateDueRulesWith(ctx, at, pool).then((results) => {
          evaluations.push(performance.now() - t);
          ruleRuns += results.length;
          for (const r of results) events += r.events.length;
        });
      }
    }
    await inFlight;
    return { seconds: (performance.now() - start) / 1000, logs, evaluations, events, ruleRuns };
  } finally {
    await pool?.close('drain');
    ctx.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const minutes = generate();
const total = minutes.reduce((a, b) => a + b.length, 0);
console.log(
  `rules bench: ${fmt(total)} demo logs over ${minutes.length} simulated minutes (${RATE} logs/s), ` +
    `default pack of ${DEFAULT_RULE_PACK.length} rules evaluated every minute`,
);
// Warm-up (JIT, page cache) on a slice, then the measured runs.
await run(minutes.slice(0, 2), 'thread');
// Alternating rounds, best of each, so drift on this shared machine hits both sides alike.
const ROUNDS = Number(process.env.BENCH_RULES_ROUNDS ?? 2);
let base: RunResult | undefined;
let rules: RunResult | undefined;
let workers: RunResult | undefined;
for (let r = 0; r < ROUNDS; r++) {
  const b = await run(minutes, 'none');
  const w = await run(minutes, 'thread');
  const p = await run(minutes, 'workers');
  if (!base || b.seconds < base.seconds) base = b;
  if (!rules || w.seconds < rules.seconds) rules = w;
  if (!workers || p.seconds < workers.seconds) workers = p;
}
if (!base || !rules || !workers) throw new Error('no rounds');
const baseRate = base.logs / base.seconds;
const rulesRate = rules.logs / rules.seconds;
const ev = rules.evaluations;
const evTotal = ev.reduce((a, b) => a + b, 0);
const sorted = [...ev].sort((a, b) => a - b);
const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
// Steady state (full windows): the last half of the minutes.
const steady = ev.slice(Math.floor(ev.length / 2));
const steadyAvg = steady.reduce((a, b) => a + b, 0) / steady.length;
console.log(`no rules:     ${fmt(baseRate)} logs/s (${fmt(base.seconds, 2)} s)`);
console.log(
  `default pack, in thread: ${fmt(rulesRate)} logs/s (${fmt(rules.seconds, 2)} s, ${fmt(rules.events)} security events)`,
);
console.log(`ratio with/without rules: ${fmt(rulesRate / baseRate, 2)}`);
const workersRate = workers.logs / workers.seconds;
console.log(
  `default pack, ${WORKERS} scan worker(s): ${fmt(workersRate)} logs/s (${fmt(workers.seconds, 2)} s, ` +
    `${fmt(workers.events)} security events, ${workers.ruleRuns} rule runs); ratio with/without rules: ` +
    `${fmt(workersRate / baseRate, 2)} (goal >= 0.8); load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
console.log(
  `per evaluation of the pack (${ev.length} minutes, ${rules.ruleRuns} rule runs): mean ${fmt(evTotal / ev.length, 1)} ms, ` +
    `p50 ${fmt(p(0.5), 1)} ms, p95 ${fmt(p(0.95), 1)} ms, max ${fmt(sorted[sorted.length - 1]!, 1)} ms; ` +
    `per rule ${fmt(evTotal / rules.ruleRuns, 2)} ms`,
);
console.log(
  `steady state: ${fmt(steadyAvg, 1)} ms per minute of ${RATE} logs/s = ${fmt((steadyAvg / 60_000) * 100, 3)}% of one core; ` +
    `evaluation alone would keep up with ~${fmt((RATE * 60_000) / steadyAvg)} logs/s of live ingest`,
);
