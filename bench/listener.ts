/**
 * Listener latency with the rule pack on and off (issue 10): a real SIEM (on-disk store, real
 * clock) holds BENCH_LISTENER_PRELOAD demo logs over the last 10 minutes, so the default pack's
 * windows (5-10 minutes) are full; a load generator in a worker thread (so its own work never
 * sits on the SIEM's event loop) POSTs BENCH_LISTENER_LINES-line NDJSON requests to the
 * listener from BENCH_LISTENER_CONCURRENCY clients for BENCH_LISTENER_SECONDS per phase, and
 * measures each request's latency and the logs/s accepted. Phases, in one run:
 *   off              no rule evaluation (the baseline)
 *   pack, in thread  the pack evaluated on the event loop (what the engine did before issue 10)
 *   pack, workers    the pack's windows read by the worker-thread pool, events stored here
 * each once more with a client running broad /v1/search requests back to back (in the search
 * worker pool, as the server runs them; and, with the pack off, once more on the event loop, as
 * before issue 10, through a second API app without search workers on the same process). The pack is
 * evaluated one pass every BENCH_LISTENER_PASS_MS (default 2000: 30x its real one-minute
 * schedule, so every phase sees several passes). A 3 s warm-up comes first; then BENCH_LISTENER_ROUNDS
 * rounds (default 2) of every phase, in rotated order so drift on a shared machine hits each
 * alike, each phase's samples pooled over the rounds. BENCH_LISTENER_WORKERS sets the pool size (default
 * 1), BENCH_LISTENER_NICE the workers' nice value (default 10, as the server).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const SECONDS = Number(process.env.BENCH_LISTENER_SECONDS ?? 10);
const PRELOAD = Number(process.env.BENCH_LISTENER_PRELOAD ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_LISTENER_CONCURRENCY ?? 4);
const LINES = Number(process.env.BENCH_LISTENER_LINES ?? 100);
const PASS_MS = Number(process.env.BENCH_LISTENER_PASS_MS ?? 2000);
const WORKERS = Number(process.env.BENCH_LISTENER_WORKERS ?? 1);
const NICE = Number(process.env.BENCH_LISTENER_NICE ?? 10);
const ROUNDS = Number(process.env.BENCH_LISTENER_ROUNDS ?? 2);
const BROAD_QUERY = 'type:sshd OR type:nginx';

interface LoadJob {
  listenerUrl: string;
  apiUrl: string;
  shippingToken: string;
  apiToken: string;
  seconds: number;
  search: boolean;
}
interface LoadResult {
  latencies: number[];
  logs: number;
  seconds: number;
  searches: number[];
}

/** The load generator (worker thread): shipping clients, and optionally one broad-search client. */
async function generateLoad(job: LoadJob): Promise<LoadResult> {
  const url = `${job.listenerUrl}/?token=${job.shippingToken}&type=bench`;
  const end = performance.now() + job.seconds * 1000;
  const latencies: number[] = [];
  const searches: number[] = [];
  let logs = 0;
  let seq = 0;
  const body = () => {
    const ts = new Date().toISOString();
    return Array.from({ length: LINES }, () => {
      const i = seq++;
      return JSON.stringify({
        '@timestamp': ts,
        type: 'sshd',
        host: `web-${i % 17}`,
        user: `user${i % 311}`,
        src_ip: `10.${(i >> 8) & 255}.${i & 255}.${i % 7}`,
        outcome: i % 9 === 0 ? 'failure' : 'success',
        message: `Accepted publickey for user${i % 311} from 10.0.${i & 255}.1 port ${1024 + (i % 60000)} ssh2`,
      });
    }).join('\n');
  };
  const shipper = async () => {
    while (performance.now() < end) {
      const payload = body();
      const t0 = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: payload,
      });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`listener answered ${res.status}`);
      logs += LINES;
    }
  };
  const searcher = async () => {
    const payload = JSON.stringify({ query: { query_string: { query: BROAD_QUERY } }, size: 50 });
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await fetch(`${job.apiUrl}/v1/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-token': job.apiToken },
        body: payload,
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`search answered ${res.status}`);
      searches.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all([...Array.from({ length: CONCURRENCY }, shipper), ...(job.search ? [searcher()] : [])]);
  return { latencies, logs, seconds: (performance.now() - t0) / 1000, searches };
}

if (!isMainThread) {
  parentPort!.postMessage(await generateLoad(workerData as LoadJob));
} else {
  await main();
}

async function main(): Promise<void> {
  const pino = (await import('pino')).default;
  const { createDemoGenerator } = await import('../packages/siem/src/demo/generator.ts');
  const { createRng } = await import('../packages/siem/src/demo/rng.ts');
  const { createSqliteLogsWriter } = await import('../packages/siem/src/modules/logs/repository.ts');
  const { installDefaultRulePack } = await import('../packages/siem/src/demo/rule-pack.ts');
  const { inThreadScanner } = await import('../packages/siem/src/modules/rules/engine/scanner.ts');
  const { runScheduledRuleWith } = await import('../packages/siem/src/modules/rules/engine/scheduler.ts');
  const { createScanPool } = await import('../packages/siem/src/modules/rules/engine/worker-pool.ts');
  const { startSiem } = await import('../packages/siem/src/server.ts');
  type WindowScanner = import('../packages/siem/src/modules/rules/engine/scanner.ts').WindowScanner;

  const dataDir = mkdtempSync(join(tmpdir(), 'siemlink-bench-listener-'));
  const logger = pino({ level: 'warn' });
  const server = await startSiem({ dataDir, port: 0, listenerPort: 0, rulesEngine: false }, { logger });
  const ctx = server.ctx;
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  try {
    const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
      accounts: { accountId: number; type: string; apiToken: string; shippingToken?: string }[];
    };
    const logsAccount = creds.accounts.find((a) => a.type === 'LOGS')!;
    installDefaultRulePack(ctx);
    const siemAccount = creds.accounts.find((a) => a.type === 'SIEM')!;
    const rules = ctx.repos.rules.listByAccount(siemAccount.accountId);

    // Demo logs over the last 10 minutes, written straight to the store (not timed).
    const now = Date.now();
    const gen = createDemoGenerator({ rng: createRng(2026) });
    gen.kickoff(now - 600_000);
    const writer = createSqliteLogsWriter(ctx.store);
    const demo = gen.generate(now - 600_000, now, PRELOAD / 600).map((l) => ({
      ts: l.ts,
      type: l.doc.type,
      doc: JSON.stringify({ ...l.doc, '@timestamp': new Date(l.ts).toISOString() }),
    }));
    for (let i = 0; i < demo.length; i += 1000)
      writer.insert(logsAccount.accountId, demo.slice(i, i + 1000), now);

    console.log(
      `listener bench: ${demo.length.toLocaleString('en-US')} demo logs in the last 10 min, default pack of ${rules.length} rules, ` +
        `${CONCURRENCY} shippers x ${LINES} lines/request, ${SECONDS} s per phase, a pack pass every ${PASS_MS} ms, ` +
        `${WORKERS} scan worker(s) at nice ${NICE}, ${ROUNDS} rounds; load average at start ${load()}`,
    );

    const pool = createScanPool({
      dbPath: ctx.store.db.location()!,
      size: WORKERS,
      nice: NICE,
      maxQueue: 64,
      budgetMs: 60_000, // the bench measures latency, not the budget
      graceMs: 0,
      clock: ctx.clock,
      logger,
    });
    const here = inThreadScanner(ctx);
    // The in-thread scanner honours the configured budget; the bench wants every pass complete.
    ctx.config.ruleEngine.evaluationBudgetMs = 60_000;

    /** Evaluates the pack as the engine loop does: at most `concurrency` in flight, yielding between rules. */
    async function pass(scanner: WindowScanner): Promise<number> {
      const t0 = performance.now();
      const at = Date.now();
      const inFlight = new Set<Promise<unknown>>();
      for (const rule of rules) {
        while (inFlight.size >= scanner.concurrency) await Promise.race(inFlight);
        const p: Promise<unknown> = runScheduledRuleWith(ctx, rule, at, scanner).finally(() =>
          inFlight.delete(p),
        );
        inFlight.add(p);
        await new Promise((r) => setImmediate(r));
      }
      await Promise.all(inFlight);
      return performance.now() - t0;
    }

    // The same API on the same process without search workers: searches on the event loop.
    const { buildSiemApp } = await import('../packages/siem/src/app.ts');
    const eventLoopApi = await buildSiemApp({
      ...ctx,
      config: { ...ctx.config, search: { ...ctx.config.search, workers: 0 } },
    });
    const eventLoopUrl = await eventLoopApi.listen({ host: '127.0.0.1', port: 0 });

    interface Phase {
      name: string;
      scanner: WindowScanner | null;
      search: boolean;
      /** Broad searches on the event loop (the API without search workers). */
      searchOnEventLoop?: boolean;
    }
    const phases: Phase[] = [
      { name: 'off', scanner: null, search: false },
      { name: 'pack, in thread', scanner: here, search: false },
      { name: `pack, ${WORKERS} workers`, scanner: pool, search: false },
      { name: 'off + broad search on the event loop', scanner: null, search: true, searchOnEventLoop: true },
      { name: 'off + broad search in workers', scanner: null, search: true },
      { name: 'pack, in thread + broad search', scanner: here, search: true },
      { name: `pack, ${WORKERS} workers + broad search`, scanner: pool, search: true },
    ];
    async function runPhase(phase: Phase, seconds: number): Promise<{ r: LoadResult; passes: number[] }> {
      const stop = new AbortController();
      const passes: number[] = [];
      const driver = (async () => {
        if (!phase.scanner) return;
        while (!stop.signal.aborted) {
          const ms = await pass(phase.scanner);
          passes.push(ms);
          const rest = PASS_MS - ms;
          if (rest > 0 && !stop.signal.aborted) {
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, rest);
              stop.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
            });
          }
        }
      })();
      const job: LoadJob = {
        listenerUrl: ctx.urls.listener,
        apiUrl: phase.searchOnEventLoop ? eventLoopUrl : ctx.urls.api,
        shippingToken: logsAccount.shippingToken!,
        apiToken: logsAccount.apiToken,
        seconds,
        search: phase.search,
      };
      const r = await new Promise<LoadResult>((resolve, reject) => {
        const w = new Worker(new URL(import.meta.url), { workerData: job });
        w.once('message', resolve);
        w.once('error', reject);
      });
      stop.abort();
      await driver;
      return { r, passes };
    }

    await runPhase({ name: 'warm-up', scanner: pool, search: true }, 3);
    const results = phases.map((phase) => ({
      phase,
      r: { latencies: [], logs: 0, seconds: 0, searches: [] } as LoadResult,
      passes: [] as number[],
      load: '',
    }));
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < results.length; k++) {
        const slot = results[(k + round * 2) % results.length]!;
        const { r, passes } = await runPhase(slot.phase, SECONDS);
        slot.r.latencies.push(...r.latencies);
        slot.r.searches.push(...r.searches);
        slot.r.logs += r.logs;
        slot.r.seconds += r.seconds;
        slot.passes.push(...passes);
        slot.load = load();
      }
    }
    await pool.close('drain');
    await eventLoopApi.close();

    const pct = (xs: number[], q: number) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
    };
    const f = (n: number, d = 0) =>
      Number.isNaN(n)
        ? '-'
        : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
    console.log(
      'phase                                   requests   p50 ms   p99 ms   max ms    logs/s   passes (mean ms)   search p50 ms   load after',
    );
    for (const { phase, r, passes, load: l } of results) {
      const mean = passes.length ? passes.reduce((a, b) => a + b, 0) / passes.length : NaN;
      console.log(
        `${phase.name.padEnd(38)} ${f(r.latencies.length).padStart(9)} ${f(pct(r.latencies, 0.5), 1).padStart(8)} ` +
          `${f(pct(r.latencies, 0.99), 1).padStart(8)} ${f(Math.max(...r.latencies), 0).padStart(8)} ` +
          `${f(r.logs / r.seconds).padStart(9)}   ${`${passes.length} (${f(mean)})`.padStart(16)}   ` +
          `${f(pct(r.searches, 0.5), 0).padStart(13)}   ${l}`,
      );
    }
    const by = (name: string) => results.find((x) => x.phase.name === name)!.r;
    const ratio = (a: string, b: string) => {
      const x = by(a);
      const y = by(b);
      return `p99 ${f(pct(x.latencies, 0.99) / pct(y.latencies, 0.99), 2)}x, throughput ${f(x.logs / x.seconds / (y.logs / y.seconds), 2)}x`;
    };
    console.log(`pack in thread vs off:              ${ratio('pack, in thread', 'off')}`);
    console.log(
      `pack in workers vs off:             ${ratio(`pack, ${WORKERS} workers`, 'off')}   (goal: p99 <= 1.5x)`,
    );
    console.log(
      `broad search on the event loop vs off: ${ratio('off + broad search on the event loop', 'off')}`,
    );
    console.log(
      `broad search in workers vs off:        ${ratio('off + broad search in workers', 'off')}   (goal: p99 <= 1.5x)`,
    );
    console.log(
      `with broad search, in thread vs off: ${ratio('pack, in thread + broad search', 'off + broad search in workers')}`,
    );
    console.log(
      `with broad search, workers vs off:   ${ratio(`pack, ${WORKERS} workers + broad search`, 'off + broad search in workers')}`,
    );
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
