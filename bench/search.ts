/**
 * /v1/search benchmark: one million ~300-byte security logs inside the default two-day window,
 * then p50/p95 latency of POST /v1/search (through Fastify's inject: routing, auth, JSON in and
 * out) for a field query and a free-text query, against a baseline measured in the same run:
 * a full scan of the same rows (SELECT doc in the window + JSON.parse + the same predicate).
 * Also times the insert (through the listener's writer, so the FTS triggers run).
 * BENCH_SEARCH_LOGS scales the run (default 1000000); BENCH_SEARCH_RUNS (default 15).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildSiemApp } from '../packages/siem/src/app.ts';
import { bootstrapAccounts } from '../packages/siem/src/bootstrap.ts';
import { FakeClock } from '../packages/siem/src/clock.ts';
import { loadSiemConfig } from '../packages/siem/src/config.ts';
import { matchesLucene, parseLucene } from '../packages/siem/src/lucene/index.ts';
import { createSqliteLogsWriter, type NewLog } from '../packages/siem/src/modules/logs/repository.ts';
import { createSiemContext } from '../packages/siem/src/server.ts';

const TOTAL = Number(process.env.BENCH_SEARCH_LOGS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 15);
const BASELINE_RUNS = Math.max(3, Math.min(5, Math.ceil(RUNS / 4)));
const NOW = Date.UTC(2026, 0, 15, 23, 0, 0);
const WINDOW_START = Date.UTC(2026, 0, 14);
const BATCH = 50_000;

const out = (s: string) => process.stdout.write(`${s}\n`);

// A cheap deterministic PRNG keeps generation fast and the data identical between runs.
let seed = 12345;
const rnd = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const USERS = Array.from({ length: 200 }, (_, i) => (i === 0 ? 'alice' : `user${i}`));
const HOSTS = Array.from({ length: 50 }, (_, i) => `ws-${i}`);
const PROCS = ['powershell.exe', 'cmd.exe', 'svchost.exe', 'chrome.exe', 'outlook.exe', 'rundll32.exe'];
const PATHS = ['/login', '/api/orders', '/static/app.js', '/wp-login.php', '/admin', '/search?q=shoes'];

/** One log: auth (40%), process (30%), web (30%); "mimikatz" in ~0.05% of process logs. */
function makeLog(i: number, ts: number): NewLog {
  const ip = `10.${(i >> 8) & 255}.${i & 255}.${(i >> 4) & 255}`;
  const k = rnd();
  let doc: Record<string, unknown>;
  let type: string;
  if (k < 0.4) {
    type = 'auth';
    const user = pick(USERS);
    const outcome = rnd() < 0.25 ? 'failure' : 'success';
    doc = {
      user,
      outcome,
      host: pick(HOSTS),
      source: { ip },
      event: { action: 'user-login', category: 'authentication' },
      message: `${outcome === 'failure' ? 'Failed' : 'Accepted'} password for ${user} from ${ip} port ${1024 + (i % 60000)} ssh2`,
    };
  } else if (k < 0.7) {
    type = 'edr';
    const proc = rnd() < 0.0005 ? 'mimikatz.exe' : pick(PROCS);
    doc = {
      user: pick(USERS),
      host: pick(HOSTS),
      process: {
        name: proc,
        pid: 1000 + (i % 30000),
        command_line: `C:\\Windows\\System32\\${proc} /c task-${i % 977}`,
      },
      event: { action: 'process-start', category: 'process' },
      message: `Process ${proc} started on ${pick(HOSTS)}`,
    };
  } else {
    type = 'nginx';
    const status = pick([200, 200, 200, 302, 404, 500]);
    doc = {
      source: { ip },
      http: { method: 'GET', status, bytes: 200 + (i % 5000) },
      url: pick(PATHS),
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0',
      message: `GET ${pick(PATHS)} ${status}`,
    };
  }
  const full = { '@timestamp': new Date(ts).toISOString(), type, ...doc };
  return { ts, type, doc: JSON.stringify(full) };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'siemlink-bench-search-'));
  const clock = new FakeClock(NOW);
  const ctx = createSiemContext(loadSiemConfig({ dataDir, port: 0, listenerPort: 0, rulesEngine: false }), {
    clock,
    logger: pino({ level: 'warn' }),
  });
  try {
    const creds = bootstrapAccounts(ctx);
    const logs = creds.accounts.find((a) => a.type === 'LOGS')!;
    const app = await buildSiemApp(ctx);
    const writer = createSqliteLogsWriter(ctx.store);

    out(`/v1/search benchmark: ${TOTAL.toLocaleString('en-US')} logs in the window, ${RUNS} runs per query`);
    const span = NOW - WINDOW_START;
    let genMs = 0;
    let insertMs = 0;
    let bytes = 0;
    for (let start = 0; start < TOTAL; start += BATCH) {
      const t0 = performance.now();
      const batch: NewLog[] = [];
      for (let i = start; i < Math.min(TOTAL, start + BATCH); i++) {
        const l = makeLog(i, WINDOW_START + Math.floor((i / TOTAL) * span));
        bytes += l.doc.length;
        batch.push(l);
      }
      const t1 = performance.now();
      writer.insert(logs.accountId, batch, NOW);
      insertMs += performance.now() - t1;
      genMs += t1 - t0;
    }
    out(
      `insert: ${(insertMs / 1000).toFixed(1)} s for ${TOTAL.toLocaleString('en-US')} logs ` +
        `(${Math.round(TOTAL / (insertMs / 1000)).toLocaleString('en-US')} logs/s, avg ${Math.round(bytes / TOTAL)} B/log, ` +
        `FTS triggers included; generation ${(genMs / 1000).toFixed(1)} s not counted)`,
    );

    const queries = [
      { name: 'field query', q: 'user:alice AND outcome:failure' },
      { name: 'free text', q: 'mimikatz' },
      { name: 'broad field query', q: 'outcome:failure' },
    ];
    const scanStmt = ctx.store.db.prepare('SELECT doc FROM logs WHERE account_id = ? AND ts >= ? AND ts < ?');
    const rows: string[] = [];
    out('');
    out(
      'query                                          hits     /v1/search p50   p95    full scan p50   p95    speed-up p50  p95',
    );
    for (const { name, q } of queries) {
      const body = JSON.stringify({ query: { query_string: { query: q } }, size: 50 });
      const times: number[] = [];
      let total = -1;
      for (let r = 0; r < RUNS + 1; r++) {
        const t0 = performance.now();
        const res = await app.inject({
          method: 'POST',
          url: '/v1/search',
          headers: { 'content-type': 'application/json', 'x-api-token': logs.apiToken },
          payload: body,
        });
        const dt = performance.now() - t0;
        if (res.statusCode !== 200) throw new Error(`search failed: ${res.statusCode} ${res.body}`);
        total = (res.json() as { hits: { total: number } }).hits.total;
        if (r > 0) times.push(dt); // the first run warms statement caches
      }
      const node = parseLucene(q);
      const base: number[] = [];
      let baseCount = -1;
      for (let r = 0; r < BASELINE_RUNS; r++) {
        const t0 = performance.now();
        let n = 0;
        for (const row of scanStmt.iterate(logs.accountId, WINDOW_START, NOW + 86_400_000) as Iterable<{
          doc: string;
        }>) {
          if (matchesLucene(node, JSON.parse(row.doc) as Record<string, unknown>)) n++;
        }
        base.push(performance.now() - t0);
        baseCount = n;
      }
      if (baseCount !== total) throw new Error(`${name}: search found ${total}, full scan ${baseCount}`);
      const [p50, p95, b50, b95] = [
        percentile(times, 50),
        percentile(times, 95),
        percentile(base, 50),
        percentile(base, 95),
      ];
      rows.push(
        `${(name + ` (${q})`).padEnd(46)} ${String(total).padStart(7)}   ${p50.toFixed(1).padStart(8)} ms ${p95.toFixed(1).padStart(6)}   ` +
          `${b50.toFixed(0).padStart(9)} ms ${b95.toFixed(0).padStart(6)}   ${(b50 / p50).toFixed(1).padStart(8)}x ${(b95 / p95).toFixed(1).padStart(5)}x`,
      );
      out(rows[rows.length - 1]!);
    }
    out('');
    out(
      `(full scan = SELECT doc in the window + JSON.parse + the same predicate, ${BASELINE_RUNS} runs; search via app.inject, size 50)`,
    );
    await app.close();
  } finally {
    ctx.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
