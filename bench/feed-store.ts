/**
 * Feed-into-store benchmark (issue 11, item 2): one backlog drained from the SIEM's feed, in offset
 * mode, by siemlink's connector (feed source: events mapped and committed to its SQLite store in
 * batches as each response streams, cursor with them) and by a baseline that re-implements the
 * XSOAR Akamai SIEM consumer's fetch-events pattern, written from its documented behaviour
 * (reference/peers.md, XA): ask for `limit` events from the saved offset, read the whole
 * response body as text, split it into lines, JSON-parse each, take the offset from the last
 * line, decode each event's Akamai-encoded rule members (URL-encoded, `;`-separated base64),
 * hand the page to the platform as incidents with the offset, and ask again until a page comes
 * back under 95 % of the limit. Both write the same incidents into the same kind of store (the
 * connector's SQLite store stands in for the platform's), so the figures compare the reading.
 * siemlink drains twice per round: as it ships (decoding in-process) and with
 * `fetch.feedDecodeThread` (a backlog decoded on a second thread while the main one commits).
 *
 * Printed per drain besides events/s and peak RSS: the client's CPU, the SIEM's CPU while it
 * served that drain, and the wall time spent inside the store's calls (id lookups and commits).
 * The pattern's total time over its time in the store is what a reader making the same store
 * calls would reach against it if its own reading cost nothing ("store-bound at"). The pattern's
 * calls also map-encode its incidents (the columns, search text, related key); siemlink's decoder
 * encodes before the call, so siemlink is not held to that line, only to the machine's cores.
 *
 * The SIEM runs in its own process (BENCH_FEED_STORE_ROLE=server) with BENCH_FEED_STORE_EVENTS
 * events (default 50,000); each drain runs in a fresh process, so its peak RSS
 * (`process.resourceUsage().maxRSS`) is its own, and loads its modules from a warm compile cache
 * as the `siemlink` launcher does. Per-request limits: BENCH_FEED_STORE_LIMITS (default
 * 1000,5000,10000,20000,100000; 20,000 is the XSOAR consumer's page size, 100,000 more than the
 * whole backlog in one response).
 *
 *   npm run bench -- feed-store
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FeedEvent } from '../packages/contracts/src/index.ts';
import type { IncidentStore } from '../packages/connector/src/store/types.ts';

const EVENTS = Number(process.env.BENCH_FEED_STORE_EVENTS ?? 50_000);
const LIMITS = (process.env.BENCH_FEED_STORE_LIMITS ?? '1000,5000,10000,20000,100000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_FEED_STORE_ROUNDS ?? 1);
const MB = 1024 * 1024;
const COMPILE_CACHE = process.env.BENCH_FEED_STORE_CACHE ?? join(tmpdir(), 'siemlink-bench-feed-store-cache');
const ROLE = process.env.BENCH_FEED_STORE_ROLE;
const out = (s: string) => process.stdout.write(`${s}\n`);

/** The SIEM the server role started (also bench/pipe-rss.ts's). */
export interface Target {
  url: string;
  token: string;
  configId: number;
  from: number;
}
interface Drained {
  kind: 'drained';
  events: number;
  incidents: number;
  requests: number;
  seconds: number;
  peakRssMb: number;
  cpuSeconds: number;
  /** Wall time inside the store's calls (id lookups, commits): what no way of reading can save. */
  storeSeconds: number;
  /** The SIEM's CPU while this drain ran (the server serves one client at a time). */
  siemCpuSeconds?: number;
}

/**
 * The store with its calls timed (wall, summed): both drains call the same store, so the
 * pattern's time outside it is what a reader making the same calls can win back.
 */
function timedStore<S extends object>(store: S): { store: S; seconds: () => number } {
  let ms = 0;
  const timed = { ...store } as Record<string, unknown>;
  for (const [name, fn] of Object.entries(store)) {
    if (typeof fn !== 'function') continue;
    timed[name] = async (...args: unknown[]) => {
      const t = performance.now();
      try {
        return await (fn as (...a: unknown[]) => unknown)(...args);
      } finally {
        ms += performance.now() - t;
      }
    };
  }
  return { store: timed as S, seconds: () => ms / 1000 };
}

type DrainFigures = Omit<Drained, 'kind' | 'peakRssMb' | 'cpuSeconds'>;

/**
 * One drain into a fresh SQLite store of its own (timed): `drain` counts into the tally; the
 * clock starts once the store is open and stops when the store is closed.
 */
async function drainInto(
  file: string,
  drain: (
    store: IncidentStore,
    tally: { events: number; incidents: number; requests: number },
  ) => Promise<void>,
): Promise<DrainFigures> {
  const { openSqliteIncidentStore } = await import('../packages/connector/src/store/sqlite.ts');
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-bench-feed-store-db-'));
  const timed = timedStore(openSqliteIncidentStore({ path: join(dir, file) }));
  const tally = { events: 0, incidents: 0, requests: 0 };
  const t0 = performance.now();
  try {
    await drain(timed.store, tally);
  } finally {
    await timed.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { ...tally, seconds: (performance.now() - t0) / 1000, storeSeconds: timed.seconds() };
}

const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'SEVERE'] as const;

/** The SIEM side: a fresh store holding the backlog, served on 127.0.0.1 until told to stop. */
async function server(): Promise<void> {
  const { loadSiemConfig } = await import('../packages/siem/src/config.ts');
  const { createSiemContext } = await import('../packages/siem/src/server.ts');
  const { buildSiemApp } = await import('../packages/siem/src/app.ts');
  const { bootstrapAccounts } = await import('../packages/siem/src/bootstrap.ts');
  const { createSqliteSecurityEventsWriter } =
    await import('../packages/siem/src/modules/events/repository.ts');
  const { createSqliteConfigurationsRepository } =
    await import('../packages/siem/src/modules/rules/configurations-repository.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'siemlink-bench-feed-store-'));
  const ctx = createSiemContext(loadSiemConfig({ dataDir, port: 0, listenerPort: 0, rulesEngine: false }), {
    logger: pino({ level: 'silent' }),
  });
  const siem = bootstrapAccounts(ctx).accounts.find((a) => a.type === 'SIEM')!;
  const configId = createSqliteConfigurationsRepository(ctx.store).create(
    siem.accountId,
    'bench',
    Date.now(),
  ).id;
  const writer = createSqliteSecurityEventsWriter(ctx.store);
  const storedAt = Date.now() - 60_000; // visible at once (older than the feed's 5 s latency)
  for (let i = 0; i < EVENTS; i += 10_000) {
    const batch = [];
    for (let j = i; j < Math.min(EVENTS, i + 10_000); j++) {
      const eventDate = storedAt - 3_600_000 + Math.floor(j / 10);
      batch.push({
        alertEventId: randomUUID(),
        accountId: siem.accountId,
        configId,
        ruleId: 450001 + (j % 5),
        name: `Rule ${j % 5}`,
        description: 'Investigate the source address and the accounts it tried; block it if unknown.',
        alertSummary: `Alert if query 'event.outcome:failure' results GREATER_THAN_OR_EQUALS 5.00 in 10 minutes. Count on Group By '[source.ip, user.name]'`,
        eventDate,
        windowStart: eventDate - 600_000,
        windowEnd: eventDate,
        severity: SEVERITIES[j % 5]!,
        groupBy: {
          'source.ip': `10.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}`,
          'user.name': `user${j % 997}`,
        },
        tags: ['authentication', 'brute_force'],
        mitreTags: ['T1110'],
        hits: 5 + (j % 50),
        isMuted: false,
        logSeqs: [] as number[],
      });
    }
    writer.insert(batch, storedAt);
  }
  const app = await buildSiemApp(ctx);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.on('message', async (m: { kind: string }) => {
    if (m.kind === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ kind: 'cpu', seconds: (u.user + u.system) / 1e6 });
      return;
    }
    if (m.kind !== 'stop') return;
    await app.close();
    ctx.store.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.disconnect();
  });
  process.send!({
    kind: 'ready',
    target: { url, token: siem.apiToken, configId, from: Math.floor(storedAt / 1000) - 60 },
  });
}

/** siemlink's connector: feed-mode fetch runs, back to back while full, into a fresh store. */
async function drainSiemlink(t: Target, limit: number, thread: boolean): Promise<DrainFigures> {
  const { createSiemClient } = await import('../packages/connector/src/client/index.ts');
  const { systemClock } = await import('../packages/connector/src/context.ts');
  const { fetchIncidentsOnce } = await import('../packages/connector/src/fetch/fetcher.ts');
  const { resolveFetchOptions } = await import('../packages/connector/src/fetch/options.ts');
  const { createFeedDecoder } = await import('../packages/connector/src/fetch/feed-decode/decoder.ts');
  const { keepHeapSmall } = await import('../packages/cli/src/small-heap.ts');
  keepHeapSmall(); // as the CLI's connector verbs do
  const logger = pino({ level: 'warn' });
  const client = createSiemClient(
    { apiUrl: t.url, securityToken: t.token, timeoutMs: 120_000 },
    { logger, clock: systemClock },
  );
  const options = resolveFetchOptions(
    {
      source: 'feed',
      configIds: String(t.configId),
      firstFetch: '2 hours',
      feedBatchLimit: limit,
      feedCommitEvents: process.env.BENCH_FEED_STORE_COMMIT,
      feedDecodeThread: thread,
    },
    logger,
  );
  // As the CLI's fetch-incidents makes it, from the options (fetch.feedDecodeThread).
  const feedDecoder = createFeedDecoder({ logger, threads: options.feedDecodeThread });
  return drainInto('connector.db', async (store, tally) => {
    try {
      for (;;) {
        const r = await fetchIncidentsOnce({
          client,
          store,
          options,
          logger,
          clock: systemClock,
          feedDecoder,
        });
        tally.events += r.detail!.events as number;
        tally.incidents += r.count;
        tally.requests++;
        if (!r.full) break;
      }
    } finally {
      await feedDecoder.close();
      await client.close();
    }
  });
}

const RULE_MEMBERS = [
  'rules',
  'ruleVersions',
  'ruleMessages',
  'ruleTags',
  'ruleData',
  'ruleSelectors',
  'ruleActions',
] as const;

/** Akamai's rule-member encoding undone: URL-decode, split on `;`, base64-decode each. */
function decodeMembers(v: unknown): string[] {
  if (typeof v !== 'string' || v === '') return [];
  return decodeURIComponent(v)
    .split(';')
    .map((b) => Buffer.from(b, 'base64').toString('utf8'));
}

/**
 * The XSOAR Akamai consumer's pattern: page after page from the offset, each body read whole as
 * text, then parsed, decoded and turned into incidents that the platform stores with the offset
 * (here: the same SQLite incident store and mapping siemlink uses, one commit per page, so the
 * two differ only in how they read and when they write).
 */
async function drainAkamaiPattern(t: Target, limit: number): Promise<DrainFigures> {
  const { eventToIncident } = await import('../packages/connector/src/fetch/mapping.ts');
  const logger = pino({ level: 'warn' });
  const base = `${t.url}/siem/v1/configs/${t.configId}`;
  return drainInto('platform.db', async (store, tally) => {
    let position = `from=${t.from}`;
    let lastRun: string | null = null;
    for (;;) {
      const res = await fetch(`${base}?${position}&limit=${limit}`, { headers: { 'X-API-TOKEN': t.token } });
      if (!res.ok) throw new Error(`feed answered ${res.status}`);
      const body = await res.text();
      tally.requests++;
      const lines = body.split('\n').filter((l) => l.trim() !== '');
      const context = JSON.parse(lines.pop()!) as { offset: string };
      const page = lines.map((l) => {
        const e = JSON.parse(l) as FeedEvent;
        const a = e.attackData as unknown as Record<string, unknown>;
        for (const k of RULE_MEMBERS) a[k] = decodeMembers(a[k]);
        return e;
      });
      const { inserted } = await store.commitRun({
        source: 'akamai',
        incidents: page.map((e) => eventToIncident(e, logger)),
        cursorBefore: lastRun,
        cursorAfter: context.offset,
        now: Date.now(),
      });
      lastRun = context.offset;
      tally.incidents += inserted.length;
      tally.events += page.length;
      position = `offset=${encodeURIComponent(context.offset)}`;
      if (page.length < limit * 0.95) break;
    }
  });
}

async function drainer(which: string): Promise<void> {
  if (which === 'warm') {
    // Fills the compile cache (untimed), as an installed CLI's first start would.
    await import('../packages/connector/src/client/index.ts');
    await import('../packages/connector/src/fetch/fetcher.ts');
    await import('../packages/connector/src/store/sqlite.ts');
    process.disconnect();
    return;
  }
  const t = JSON.parse(process.env.BENCH_FEED_STORE_TARGET!) as Target;
  const limit = Number(process.env.BENCH_FEED_STORE_LIMIT);
  const r =
    which === 'akamai'
      ? await drainAkamaiPattern(t, limit)
      : await drainSiemlink(t, limit, which === 'siemlink-thread');
  const u = process.resourceUsage();
  process.send!({
    kind: 'drained',
    ...r,
    peakRssMb: (u.maxRSS * 1024) / MB,
    cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6,
  } satisfies Drained);
  process.disconnect();
}

function child(role: string, env: Record<string, string> = {}) {
  return fork(import.meta.filename, [], {
    // As the `siemlink` launcher does: compiled modules come from the on-disk cache.
    env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE, BENCH_FEED_STORE_ROLE: role, ...env },
    execArgv: [
      '--disable-warning=ExperimentalWarning',
      ...(process.env.BENCH_FEED_STORE_PROF === role
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_FEED_STORE_PROF_DIR ?? 'prof'}`]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function message<T>(c: ReturnType<typeof child>, kind: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { kind: string }) => {
      if (m.kind !== kind) return;
      c.off('message', onMessage).off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`${kind}: child exited (${code})`));
    c.on('message', onMessage).once('exit', onExit);
  });
}

/** The drains of each row: siemlink as it ships, with its decoder's thread, and the pattern. */
const FETCHERS = [
  { role: 'siemlink', name: 'siemlink connector' },
  { role: 'siemlink-thread', name: 'siemlink, fetch.feedDecodeThread' },
  { role: 'akamai', name: 'XSOAR Akamai pattern' },
] as const;
type Role = (typeof FETCHERS)[number]['role'];

async function main(): Promise<void> {
  const load0 = loadavg();
  await new Promise((resolve) => child('warm').once('exit', resolve));
  const srv = child('server');
  const { target } = await message<{ target: Target }>(srv, 'ready');
  const siemCpu = async () => {
    const answer = message<{ seconds: number }>(srv, 'cpu');
    srv.send({ kind: 'cpu' });
    return (await answer).seconds;
  };
  const rows: string[] = [];
  try {
    for (const limit of LIMITS) {
      const runs = Object.fromEntries(FETCHERS.map((f) => [f.role, [] as Drained[]])) as Record<
        Role,
        Drained[]
      >;
      for (let round = 0; round < ROUNDS; round++) {
        // Rotating order: the machine's drift falls on all three alike.
        const order = FETCHERS.map((_, k) => FETCHERS[(k + round) % FETCHERS.length]!.role);
        for (const which of order) {
          const c = child(which, {
            BENCH_FEED_STORE_TARGET: JSON.stringify(target),
            BENCH_FEED_STORE_LIMIT: String(limit),
          });
          const before = await siemCpu();
          const d = await message<Drained>(c, 'drained');
          d.siemCpuSeconds = (await siemCpu()) - before;
          if (d.events !== EVENTS || d.incidents !== EVENTS)
            throw new Error(
              `${which} at limit ${limit}: ${d.events} events, ${d.incidents} incidents of ${EVENTS}`,
            );
          runs[which].push(d);
        }
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const rate = (ds: Drained[]) => median(ds.map((d) => d.events / d.seconds));
      const rss = (ds: Drained[]) => median(ds.map((d) => d.peakRssMb));
      const s1 = (ds: Drained[], f: (d: Drained) => number) => median(ds.map(f)).toFixed(1);
      const theirs = runs.akamai;
      // A reader making the pattern's store calls, its own reading free: all but those calls gone.
      const ceiling = median(theirs.map((d) => d.seconds / d.storeSeconds));
      for (const f of FETCHERS) {
        const ds = runs[f.role];
        const inStore = `${s1(ds, (d) => d.storeSeconds)}${f.role === 'akamai' ? ` (store-bound at ${ceiling.toFixed(2)}x)` : ''}`;
        rows.push(
          `| ${limit} | ${f.name} | ${rate(ds).toFixed(0)} | ${rss(ds).toFixed(0)} | ${(rate(ds) / rate(theirs)).toFixed(2)}x | ${(rss(ds) / rss(theirs)).toFixed(2)}x | ${ds[0]!.requests} | ${s1(ds, (d) => d.cpuSeconds)} | ${s1(ds, (d) => d.siemCpuSeconds!)} | ${inStore} |`,
        );
        out(rows.at(-1)!);
      }
    }
  } finally {
    srv.send({ kind: 'stop' });
  }
  const load1 = loadavg();
  out(
    `\n${EVENTS} events drained per row, ${ROUNDS} round(s), medians; load average ${load0.map((l) => l.toFixed(1)).join(' ')} at start, ${load1.map((l) => l.toFixed(1)).join(' ')} at end`,
  );
  out(
    '| events per request | fetcher | events/s (stored) | peak RSS MB | speed vs pattern | RSS vs pattern | requests | client CPU s | SIEM CPU s | in the store s |',
  );
  out('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) out(r);
}

if (ROLE === 'server') await server();
else if (ROLE === 'siemlink' || ROLE === 'siemlink-thread' || ROLE === 'akamai' || ROLE === 'warm')
  await drainer(ROLE);
else await main();
