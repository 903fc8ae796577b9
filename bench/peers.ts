/**
 * Peers benchmark (issue 11): the same backlogs drained from one local SIEM (its own process, as a
 * SIEM is; HTTP on loopback, on-disk stores) by siemlink's connector and by a baseline that re-implements the XSOAR Logz.io
 * integration's fetch loop, written from its documented behaviour (reference/peers.md, XL): one
 * page of `maxFetch` events per run, DATE ascending, `toDate = now - 180 s`, next
 * `fromDate = last eventDate + 0.1 s`, no overlap, no dedup, its cursor kept in memory (the
 * platform's lastRun), its incidents returned, not stored. siemlink runs its own fetch loop
 * (runFetchLoop) until a run catches up: each run's incidents and cursor commit to its SQLite store
 * together (DESIGN rule 1), a backlog's consecutive full runs in one transaction
 * (commit-group.ts), and the next run's first page is asked for before a commit
 * (read-ahead.ts); incidents count when their commit is durable. A third row runs the naive
 * pattern committing its incidents and cursor to the same kind of store, with the same mapping
 * and commit: what the request pattern costs once incidents are kept, as any platform keeps them.
 *
 * Backlogs (BENCH_PEERS_EVENTS each, default 5,000, over the last 10 hours):
 *   - uniform: every event its own eventDate;
 *   - bursts: groups of 2-60 events sharing one eventDate (a rule with groupBy fires once per group).
 * All drain at maxFetch 50 (the panel's cap), runs back to back, BENCH_PEERS_ROUNDS rounds each
 * (default 3, order rotating), medians printed; ratios are against the naive loop of the same run. Counted per drain: incidents made, events the
 * SIEM returned (every request's results), requests, lost (SIEM events never made into an
 * incident) and duplicated (incidents made more than once), the client's CPU and the SIEM
 * process's CPU (BENCH_PEERS_ROLE=server: this file in a child process, asked for its
 * process.cpuUsage() before and after each drain).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { SecurityEvent } from '../packages/contracts/src/index.ts';
import { FakeClock, startSiem } from '../packages/siem/src/index.ts';
import {
  createSqliteSecurityEventsWriter,
  type NewSecurityEvent,
} from '../packages/siem/src/modules/events/repository.ts';
import { createSqliteConfigurationsRepository } from '../packages/siem/src/modules/rules/configurations-repository.ts';
import { createSiemClient, type SiemlinkClient } from '../packages/connector/src/client/index.ts';
import { systemClock } from '../packages/connector/src/context.ts';
import { runFetchLoop } from '../packages/connector/src/fetch/fetcher.ts';
import { resolveFetchOptions } from '../packages/connector/src/fetch/options.ts';
import { eventToIncident } from '../packages/connector/src/fetch/mapping.ts';
import { openSqliteIncidentStore } from '../packages/connector/src/store/sqlite.ts';

const TOTAL = Number(process.env.BENCH_PEERS_EVENTS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_PEERS_ROUNDS ?? 3);
const MAX_FETCH = 50;
// One fetcher only (siemlink, naive or stored), for profiling one of them: ratios then print NaN.
const ONLY = process.env.BENCH_PEERS_ONLY ?? null;
const SPAN_MS = 10 * 3600_000;
const logger = pino({ level: 'warn' });
const out = (s: string) => process.stdout.write(`${s}\n`);

// A deterministic PRNG: the same backlogs every run.
let seed = 20261202;
const rnd = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 4294967296;
};

/** eventDates (epoch ms) of the backlog: one per event, oldest first. */
function backlogDates(shape: 'uniform' | 'bursts', newest: number): number[] {
  const dates: number[] = [];
  if (shape === 'uniform') {
    for (let i = 0; i < TOTAL; i++) dates.push(newest - SPAN_MS + Math.floor(((i + 1) * SPAN_MS) / TOTAL));
    return dates;
  }
  const sizes: number[] = [];
  for (let left = TOTAL; left > 0;) {
    const n = Math.min(left, 2 + Math.floor(rnd() * 59));
    sizes.push(n);
    left -= n;
  }
  sizes.forEach((n, g) => {
    const at = newest - SPAN_MS + Math.floor(((g + 1) * SPAN_MS) / sizes.length);
    for (let i = 0; i < n; i++) dates.push(at);
  });
  return dates;
}

interface Seeded {
  url: string;
  token: string;
  ids: string[];
  groups: number;
}

/** The SIEM side (child process): a fresh SIEM holding the backlog, served until told to stop. */
async function server(dir: string, shape: 'uniform' | 'bursts'): Promise<void> {
  const clock = new FakeClock(Date.now());
  const siem = await startSiem(
    { dataDir: join(dir, `siem-${shape}`), port: 0, listenerPort: 0, rulesEngine: false },
    { clock, logger },
  );
  const account = siem.credentials.accounts.find((a) => a.type === 'SIEM')!;
  const configId = createSqliteConfigurationsRepository(siem.ctx.store).ensureDefault(
    account.accountId,
    clock.now(),
  ).id;
  const dates = backlogDates(shape, clock.now() - 5 * 60_000);
  const events: NewSecurityEvent[] = dates.map((eventDate, i) => ({
    alertEventId: randomUUID(),
    accountId: account.accountId,
    configId,
    ruleId: 1 + (i % 8),
    name: `Rule ${i % 8}`,
    description: 'Suggested next steps',
    alertSummary: "Alert if query '*' results GREATER_THAN 5 in 10 minutes",
    eventDate,
    windowStart: eventDate - 600_000,
    windowEnd: eventDate,
    severity: (['INFO', 'LOW', 'MEDIUM', 'HIGH', 'SEVERE'] as const)[i % 5]!,
    groupBy: { 'source.ip': `10.0.${(i >> 8) & 255}.${i & 255}` },
    tags: ['bench'],
    mitreTags: ['T1110'],
    hits: 5,
    isMuted: false,
    logSeqs: [],
  }));
  createSqliteSecurityEventsWriter(siem.ctx.store).insert(events, clock.now());
  process.on('message', async (m: { kind: string }) => {
    if (m.kind === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ kind: 'cpu', seconds: (u.user + u.system) / 1e6 });
    } else if (m.kind === 'stop') {
      await siem.close();
      process.disconnect();
    }
  });
  const seeded: Seeded = {
    url: siem.ctx.urls.api,
    token: account.apiToken,
    ids: events.map((e) => e.alertEventId),
    groups: new Set(dates).size,
  };
  process.send!({ kind: 'ready', seeded });
}

interface Backlog {
  child: ChildProcess;
  client: SiemlinkClient;
  ids: string[];
  groups: number;
}

function ask<T>(child: ChildProcess, message: object, kind: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { kind: string }) => {
      if (m.kind !== kind) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`SIEM process exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (Object.keys(message).length) child.send(message);
  });
}

async function startBacklog(dir: string, shape: 'uniform' | 'bursts'): Promise<Backlog> {
  const child = fork(import.meta.filename, [], {
    env: { ...process.env, BENCH_PEERS_ROLE: 'server', BENCH_PEERS_DIR: dir, BENCH_PEERS_SHAPE: shape },
    execArgv: ['--disable-warning=ExperimentalWarning'],
  });
  const { seeded } = await ask<{ seeded: Seeded }>(child, {}, 'ready');
  const client = createSiemClient(
    { apiUrl: seeded.url, securityToken: seeded.token, timeoutMs: 120_000 },
    { logger, clock: systemClock },
  );
  return { child, client, ids: seeded.ids, groups: seeded.groups };
}

const siemCpu = async (b: Backlog) =>
  (await ask<{ seconds: number }>(b.child, { kind: 'cpu' }, 'cpu')).seconds;

interface Drain {
  incidents: number;
  read: number;
  requests: number;
  lost: number;
  duplicated: number;
  seconds: number;
  cpuSeconds: number;
  siemCpuSeconds: number;
}

function score(all: string[], made: string[], rest: Omit<Drain, 'incidents' | 'lost' | 'duplicated'>): Drain {
  const got = new Set(made);
  return {
    incidents: made.length,
    lost: all.filter((id) => !got.has(id)).length,
    duplicated: made.length - got.size,
    ...rest,
  };
}

/** siemlink's connector, search mode, panel defaults (maxFetch 50, overlap 10 min, buffer 3 min). */
async function drainSiemlink(b: Backlog, dbPath: string): Promise<Drain> {
  const options = resolveFetchOptions(
    { source: 'search', firstFetch: '11 hours', maxFetch: MAX_FETCH },
    logger,
  );
  // Opened (schema created) before the clock starts and closed after it stops, as a running
  // connector's store is: the drain is what is timed.
  const store = openSqliteIncidentStore({ path: dbPath });
  const made: string[] = [];
  let read = 0;
  let requests = 0;
  let seconds = 0;
  let cpu = { user: 0, system: 0 };
  const siem0 = await siemCpu(b);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    // The connector's own loop: runs back to back while full, a backlog's runs committed in
    // groups (commit-group.ts), stopped once a run caught up. Incidents count when committed.
    const stop = new AbortController();
    let failed: string | undefined;
    await runFetchLoop(
      {
        client: b.client,
        store,
        options,
        logger,
        clock: systemClock,
        onCommit: (inserted) => {
          for (const i of inserted) made.push(i.alertEventId);
        },
        onRun: (r) => {
          read += r.detail?.scanned as number;
          requests += r.detail?.pages as number;
          failed ??= r.error;
          if (!r.full) stop.abort();
        },
      },
      stop.signal,
    );
    if (failed) throw new Error(`siemlink run failed: ${failed}`);
    seconds = (performance.now() - t0) / 1000;
    cpu = process.cpuUsage(cpu0);
  } finally {
    await store.close();
  }
  const siemCpuSeconds = (await siemCpu(b)) - siem0;
  return score(b.ids, made, {
    read,
    requests,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    siemCpuSeconds,
  });
}

/** One XSOAR-style incident: name, occurred (UTC), rawJSON (groupBy flattened, as XL does). */
function naiveIncident(e: SecurityEvent) {
  const raw: Record<string, unknown> = { ...e, ...(e.groupBy ?? {}) };
  return { name: e.name, occurred: new Date(e.eventDate * 1000).toISOString(), rawJSON: JSON.stringify(raw) };
}

/**
 * The XSOAR Logz.io loop's pattern: one page, `last eventDate + 0.1 s`, no overlap, no dedup.
 * With a store, each page's incidents and cursor are committed to it like siemlink's (same
 * mapping, same commit): the request pattern alone, what the platform pays to keep incidents
 * included on both sides.
 */
async function drainNaive(b: Backlog, dbPath?: string): Promise<Drain> {
  const store = dbPath ? openSqliteIncidentStore({ path: dbPath }) : null;
  let lastFetch = (Date.now() - 11 * 3600_000) / 1000;
  let cursor: string | null = null;
  const made: string[] = [];
  let read = 0;
  let requests = 0;
  let seconds = 0;
  let cpu = { user: 0, system: 0 };
  const siem0 = await siemCpu(b);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    for (;;) {
      const r = await b.client.searchSecurityEvents({
        filter: { timeRange: { fromDate: lastFetch, toDate: Date.now() / 1000 - 180 } },
        sort: [{ field: 'DATE', descending: false }],
        pagination: { pageNumber: 1, pageSize: MAX_FETCH },
      });
      requests++;
      read += r.results.length;
      if (r.results.length === 0) break;
      for (const e of r.results) made.push(e.alertEventId);
      lastFetch = r.results[r.results.length - 1]!.eventDate + 0.1;
      if (store) {
        const next = JSON.stringify({ lastFetch });
        await store.commitRun({
          source: 'naive',
          incidents: r.results.map((e) => eventToIncident(e, logger)),
          cursorBefore: cursor,
          cursorAfter: next,
          now: Date.now(),
        });
        cursor = next;
      } else {
        const incidents = r.results.map(naiveIncident); // what the platform is handed
        if (incidents.length !== r.results.length) throw new Error('unreachable');
      }
    }
    seconds = (performance.now() - t0) / 1000;
    cpu = process.cpuUsage(cpu0);
  } finally {
    await store?.close();
  }
  const siemCpuSeconds = (await siemCpu(b)) - siem0;
  return score(b.ids, made, {
    read,
    requests,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    siemCpuSeconds,
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (process.env.BENCH_PEERS_ROLE === 'server') {
  await server(process.env.BENCH_PEERS_DIR!, process.env.BENCH_PEERS_SHAPE as 'uniform' | 'bursts');
} else {
  await main();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-bench-peers-'));
  const rows: string[] = [];
  const load0 = loadavg();
  try {
    for (const shape of ['uniform', 'bursts'] as const) {
      const b = await startBacklog(dir, shape);
      try {
        const runs: { siemlink: Drain[]; naive: Drain[]; stored: Drain[] } = {
          siemlink: [],
          naive: [],
          stored: [],
        };
        for (let round = 0; round < ROUNDS; round++) {
          // Order rotates each round so none always runs first (warm-up) or last.
          const drains = [
            async () => runs.siemlink.push(await drainSiemlink(b, join(dir, `${shape}-${round}.db`))),
            async () => runs.naive.push(await drainNaive(b)),
            async () => runs.stored.push(await drainNaive(b, join(dir, `${shape}-${round}-naive.db`))),
          ].filter((_, k) => ONLY === null || ONLY === ['siemlink', 'naive', 'stored'][k]);
          for (let k = 0; k < drains.length; k++) await drains[(round + k) % drains.length]!();
        }
        const naiveRate = median(runs.naive.map((d) => d.incidents / d.seconds));
        for (const [name, ds] of [
          ['siemlink connector', runs.siemlink],
          ['naive loop (XSOAR pattern)', runs.naive],
          ['naive loop, incidents stored like siemlink', runs.stored],
        ] as const) {
          if (ds.length === 0) continue;
          const d = ds[0]!; // counts are the same every round (checked below); times are medians
          for (const x of ds)
            if (x.incidents !== d.incidents || x.lost !== d.lost || x.duplicated !== d.duplicated)
              throw new Error(`${name} on ${shape}: rounds disagree`);
          const rate = median(ds.map((x) => x.incidents / x.seconds));
          rows.push(
            `| ${shape} (${TOTAL} events, ${b.groups} eventDates) | ${name} | ${rate.toFixed(0)} | ${(rate / naiveRate).toFixed(2)}x | ${d.incidents} | ${d.lost} | ${d.duplicated} | ${median(ds.map((x) => x.read))} (${(median(ds.map((x) => x.read)) / Math.max(1, d.incidents)).toFixed(2)}/incident) | ${median(ds.map((x) => x.requests))} | ${median(ds.map((x) => x.cpuSeconds)).toFixed(2)} / ${median(ds.map((x) => x.siemCpuSeconds)).toFixed(2)} |`,
          );
          out(rows.at(-1)!);
        }
      } finally {
        await b.client.close();
        const exited = new Promise((resolve) => b.child.once('exit', resolve));
        b.child.send({ kind: 'stop' });
        await exited;
      }
    }
    const load1 = loadavg();
    out(
      `\n${ROUNDS} rounds each, medians; maxFetch ${MAX_FETCH}; load average ${load0.map((l) => l.toFixed(1)).join(' ')} at start, ${load1.map((l) => l.toFixed(1)).join(' ')} at end`,
    );
    out(
      '| backlog | fetcher | incidents/s | vs naive | incidents | lost | duplicated | events read | requests | CPU s (client / SIEM) |',
    );
    out('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) out(r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
