/**
 * Playbook benchmark: BENCH_PB_N (default 10,000) incidents, each triggering a 4-step playbook
 * (set, switch, update-incident, a local http call), on SQLite (one in-process worker) and on
 * PostgreSQL (one worker, then three worker processes), against the same calls made in a plain
 * loop (no journal) in the same run.
 *   - throughput: the incidents are committed first (1,000 per transaction, as a fetch run would;
 *     the trigger writes their runs in the same transactions), then drained: steps/s from the
 *     workers' start to the last run's end;
 *   - latency: BENCH_PB_LATENCY_N incidents committed at a pace the engine sustains (10 per
 *     commit; half the runs/s just measured, at most 200/s, or BENCH_PB_PACE) with the workers
 *     running; p50/p95 from the run's creation to its first step's claim. Above the engine's
 *     throughput the percentiles would measure the queue, not the trigger.
 * BENCH_PB_STORES=sqlite (or pg) measures one store only. `cpu` is the CPU time of this process
 * per step (the SQLite worker runs in it): less sensitive than steps/s to a busy machine.
 * The http receiver runs in this process; every step kind is the product's own (steps/index.ts),
 * so the http step goes through the client transport as a real run's does.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import type { SiemClient } from '../packages/connector/src/client/types.ts';
import { systemClock } from '../packages/connector/src/context.ts';
import type { Playbook } from '../packages/connector/src/playbooks/definition/schema.ts';
import { createCatalog } from '../packages/connector/src/playbooks/engine/catalog.ts';
import { createWorker, type PlaybookWorker } from '../packages/connector/src/playbooks/engine/worker.ts';
import { createExpressions } from '../packages/connector/src/playbooks/expressions/expressions.ts';
import { all } from '../packages/connector/src/playbooks/journal/ops.ts';
import { createPlaybookService } from '../packages/connector/src/playbooks/service.ts';
import { executors } from '../packages/connector/src/playbooks/steps/index.ts';
import type { StepExecutor } from '../packages/connector/src/playbooks/types.ts';
import { openPostgresIncidentStore } from '../packages/connector/src/store/postgres.ts';
import { openSqliteIncidentStore } from '../packages/connector/src/store/sqlite.ts';
import type { IncidentStore, NewIncident } from '../packages/connector/src/store/types.ts';

const N = Number(process.env.BENCH_PB_N ?? 10_000);
const LATENCY_N = Number(process.env.BENCH_PB_LATENCY_N ?? Math.min(N, 1000));
const PACE = process.env.BENCH_PB_PACE ? Number(process.env.BENCH_PB_PACE) : null;
/** Units each worker runs at once. */
const CONCURRENCY = Number(process.env.BENCH_PB_CONCURRENCY ?? 32);
const STORES = (process.env.BENCH_PB_STORES ?? 'sqlite,pg').split(',');
const PG_URL = process.env.SIEMLINK_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const logger = pino({ level: 'warn' });

/** The bench playbook; its http step calls the local receiver through the product's http step. */
const playbookFor = (url: string): Playbook => ({
  name: 'bench',
  version: 1,
  trigger: { on: 'incident.created' },
  steps: [
    { id: 'facts', kind: 'set', values: { sev: '${ incident.severity }', ip: '${ incident.fields.ip }' } },
    {
      id: 'route',
      kind: 'switch',
      cases: [{ when: 'steps.facts.output.sev >= 3', next: 'mark' }],
      default: 'call',
    },
    { id: 'mark', kind: 'update-incident', status: 'active' },
    { id: 'call', kind: 'http', url, body: { ip: '${ steps.facts.output.ip }' } },
  ],
});

function newIncident(run: string, n: number): NewIncident {
  const id = `${run}-${n}`;
  return {
    id: `logzio:${id}`,
    alertEventId: id,
    name: 'Brute force SSH',
    occurred: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
    severity: 3,
    fields: { ip: `10.0.${n % 250}.${n % 200}` },
    raw: { alertEventId: id },
  };
}

function worker(store: IncidentStore, url: string, concurrency: number): PlaybookWorker {
  const byKind = new Map<string, StepExecutor>();
  for (const e of executors) byKind.set(e.kind, e);
  return createWorker(
    {
      journal: store.playbooks.journal,
      catalog: createCatalog([{ file: 'bench.yaml', definition: playbookFor(url), builtin: false }]),
      executors: byKind,
      expressions: createExpressions(),
      clock: systemClock,
      logger,
      client: {} as SiemClient,
      env: {},
      sinks: [],
      getIncident: (id) => store.getIncident(id),
    },
    { concurrency },
  );
}

async function openPg(schema: string) {
  return openPostgresIncidentStore({ connectionString: PG_URL, schema, max: 10 });
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Polls (this is a benchmark, not a test) until no run is open; one indexed row per look. */
async function untilEnded(store: IncidentStore): Promise<void> {
  for (;;) {
    const open = await store.playbooks.journal.db.read(() =>
      all(`SELECT 1 FROM S.pb_runs WHERE ended_at IS NULL LIMIT 1`),
    );
    if (open.length === 0) return;
    await systemClock.sleep(50);
  }
}

async function latencies(store: IncidentStore, since: number): Promise<number[]> {
  const rows = await store.playbooks.journal.db.read(() =>
    all<{ created: number | string; first: number | string }>(
      `SELECT r.created_at AS created, MIN(s.started_at) AS first FROM S.pb_runs r JOIN S.pb_steps s ON s.run_id = r.id
       WHERE r.created_at >= ? GROUP BY r.id, r.created_at`,
      since,
    ),
  );
  return rows.map((r) => Number(r.first) - Number(r.created)).sort((a, b) => a - b);
}

interface Figures {
  stepsPerSecond: number;
  /** CPU ms of this process per step (null: the workers run in processes of their own). */
  cpu: number | null;
  pace: number;
  p50: number;
  p95: number;
}

/** Throughput then paced latency on one store, with `start` bringing the workers up. */
async function measure(
  store: IncidentStore,
  url: string,
  start: () => Promise<() => Promise<void>>,
  inProcess: boolean,
): Promise<Figures> {
  const service = createPlaybookService({
    store,
    playbooks: [{ file: 'bench.yaml', definition: playbookFor(url), builtin: false }],
    clock: systemClock,
    logger,
    client: {} as SiemClient,
    worker: false,
  });
  const run = randomBytes(3).toString('hex');
  for (let i = 0; i < N; i += 1000) {
    await store.insertIncidents(
      Array.from({ length: Math.min(1000, N - i) }, (_, k) => newIncident(run, i + k)),
      Date.now(),
    );
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const stop = await start();
  await untilEnded(store);
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const stepsPerSecond = (4 * N) / seconds;
  // Latency: incidents arrive at a steady pace the engine sustains while the workers run.
  const pace = PACE ?? Math.max(10, Math.min(200, Math.floor(stepsPerSecond / 4 / 2)));
  const since = Date.now();
  const perCommit = 10;
  const started = performance.now();
  for (let i = 0; i < LATENCY_N; i += perCommit) {
    const due = started + (i / pace) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await systemClock.sleep(wait);
    await store.insertIncidents(
      Array.from({ length: Math.min(perCommit, LATENCY_N - i) }, (_, k) => newIncident(`${run}l`, i + k)),
      Date.now(),
    );
  }
  await untilEnded(store);
  const lat = await latencies(store, since);
  await stop();
  await service.close();
  const failed = await store.playbooks.journal.runs({ status: ['failed', 'timed-out'], limit: 5 });
  if (failed.length) throw new Error(`runs failed: ${JSON.stringify(failed.map((f) => f.error))}`);
  return {
    stepsPerSecond,
    cpu: inProcess ? (used.user + used.system) / 1000 / (4 * N) : null,
    pace,
    p50: pct(lat, 0.5),
    p95: pct(lat, 0.95),
  };
}

async function plainLoop(url: string, dir: string): Promise<{ stepsPerSecond: number; cpu: number }> {
  const store = openSqliteIncidentStore({ path: join(dir, 'plain.db') });
  const ex = createExpressions();
  const n = Math.min(N, 5000);
  const incidents = Array.from({ length: n }, (_, i) => newIncident('plain', i));
  await store.insertIncidents(incidents, Date.now());
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const i of incidents) {
    const incident = (await store.getIncident(i.id))!;
    const facts = (await ex.render(
      { sev: '${ incident.severity }', ip: '${ incident.fields.ip }' },
      { incident },
    )) as { sev: number; ip: string };
    const matched = await ex.evaluate('steps.facts.output.sev >= 3', { steps: { facts: { output: facts } } });
    if (matched)
      await store.updateCase(i.id, { status: 'active' }, { kind: 'playbook', name: 'plain' }, Date.now());
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': i.id },
      body: JSON.stringify({ ip: facts.ip }),
    });
    await res.arrayBuffer();
  }
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  await store.close();
  return { stepsPerSecond: (4 * n) / seconds, cpu: (used.user + used.system) / 1000 / (4 * n) };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-bench-pb-'));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const load = () => loadavg()[0]!.toFixed(1);
  console.log(
    `playbooks: ${fmt(N)} incidents x 4 steps; latency ${fmt(LATENCY_N)} runs at ${PACE === null ? 'half the measured runs/s (at most 200/s)' : `${PACE}/s`}; load ${load()}`,
  );
  const base = await plainLoop(url, dir);
  const plain = base.stepsPerSecond;
  console.log(
    `  plain loop (same calls, no journal)      ${fmt(plain)} steps/s  cpu ${base.cpu.toFixed(2)} ms/step   load ${load()}`,
  );
  const line = (name: string, f: Figures) =>
    console.log(
      `  ${name.padEnd(40)} ${fmt(f.stepsPerSecond)} steps/s (${((100 * f.stepsPerSecond) / plain).toFixed(0)}% of plain)  ${f.cpu === null ? '' : `cpu ${f.cpu.toFixed(2)} ms/step  `}trigger->first step at ${f.pace} runs/s: p50 ${fmt(f.p50)} ms p95 ${fmt(f.p95)} ms   load ${load()}`,
    );
  const results: Record<string, Figures> = {};
  if (STORES.includes('sqlite')) {
    const store = openSqliteIncidentStore({ path: join(dir, 'engine.db') });
    results.sqlite = await measure(
      store,
      url,
      async () => {
        const w = worker(store, url, CONCURRENCY);
        w.start();
        return () => w.stop();
      },
      true,
    );
    await store.close();
    line('sqlite, 1 worker (in process)', results.sqlite);
  }
  const schemas: string[] = [];
  try {
    for (const workers of STORES.includes('pg') ? [1, 3] : []) {
      const schema = `siemlink_bench_${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      const store = await openPg(schema);
      results[`pg${workers}`] = await measure(
        store,
        url,
        async () => {
          const kids = Array.from({ length: workers }, () =>
            spawn(
              process.execPath,
              [
                '--disable-warning=ExperimentalWarning',
                import.meta.filename,
                'worker',
                schema,
                url,
                String(CONCURRENCY),
              ],
              {
                stdio: ['pipe', 'pipe', 'inherit'],
              },
            ),
          );
          await Promise.all(kids.map((k) => new Promise((r) => k.stdout!.once('data', r))));
          return async () => {
            await Promise.all(
              kids.map((k) => {
                const gone = new Promise((r) => k.once('exit', r));
                k.stdin!.end();
                return gone;
              }),
            );
          };
        },
        false,
      );
      await store.close();
      line(`postgres, ${workers} worker process(es)`, results[`pg${workers}`]!);
    }
    if (results.pg3) {
      const ratio = results.pg3.stepsPerSecond / results.pg1!.stepsPerSecond;
      console.log(`  postgres 3 workers / 1 worker: ${ratio.toFixed(2)}x (goal >= 2x)`);
    }
  } finally {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await c.end();
  }
  const s = results.sqlite;
  if (s) {
    console.log(
      `  goals: sqlite >= 1,000 steps/s: ${fmt(s.stepsPerSecond)}; >= 50% of plain: ${((100 * s.stepsPerSecond) / plain).toFixed(0)}%; p95 <= 250 ms: ${fmt(s.p95)} ms`,
    );
  }
  server.close();
  rmSync(dir, { recursive: true, force: true });
}

// A worker process (three of them for the PostgreSQL scale-out figure): runs until told to stop.
if (process.argv[2] === 'worker') {
  const store = await openPg(process.argv[3]!);
  const w = worker(store, process.argv[4]!, Number(process.argv[5] ?? CONCURRENCY));
  w.start();
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('end', () => {
    void w.stop().then(() => store.close().then(() => process.exit(0)));
  });
} else {
  await main();
}
