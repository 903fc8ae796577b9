/**
 * SIEM memory benchmark (issue 10, item 5): the server's resident set size (RSS)
 *   1. idle, just started on an empty data dir (the baseline of this run);
 *   2. while and after ingesting BENCH_RSS_LOGS logs (default 1,000,000, ~300 B each, indexed
 *      by the FTS triggers) through the log listener over loopback, 1,000 lines per request,
 *      4 requests at a time: peak, and steady (after a 2 s idle pause);
 *   3. while streaming one feed response of BENCH_RSS_EVENTS security events (default 600,000)
 *      to a client that reads it as it arrives: RSS before, peak, and the increase.
 * Goals: steady RSS <= 250 MB after 1M logs; <= +50 MB while streaming the 600k-event response.
 * The SIEM runs in a child process (this file with BENCH_RSS_ROLE=server) and samples its own
 * RSS every 20 ms, so the client's memory never counts.
 *
 *   npm run bench -- rss            BENCH_RSS_LOGS=200000 for a shorter run
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

const LOGS = Number(process.env.BENCH_RSS_LOGS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_RSS_EVENTS ?? 600_000);
const LINES_PER_REQUEST = 1000;
const CONCURRENCY = 4;
const MB = 1024 * 1024;
const mb = (n: number) => Math.round(n / MB);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

type Msg =
  | { kind: 'ready'; listener: string; api: string; shippingToken: string; idleRss: number }
  | { kind: 'ingested'; peakRss: number; steadyRss: number; stored: number; heapUsed: number }
  | {
      kind: 'events';
      token: string;
      configId: number;
      rssBefore: number;
      heapBefore: number;
      insertSeconds: number;
    }
  | { kind: 'streamed'; peakRss: number; rssAfter: number; atPeak: string };

const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function server(): Promise<void> {
  const { startSiem } = await import('../packages/siem/src/server.ts');
  const { createSqliteSecurityEventsWriter } =
    await import('../packages/siem/src/modules/events/repository.ts');
  const { createSqliteConfigurationsRepository } =
    await import('../packages/siem/src/modules/rules/configurations-repository.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'siemlink-bench-rss-'));
  const siem = await startSiem(
    { dataDir, port: 0, listenerPort: 0, rulesEngine: false },
    { logger: pino({ level: 'warn' }) },
  );
  let peak = 0;
  let atPeak = '';
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss <= peak) return;
    peak = rss;
    const m = process.memoryUsage();
    atPeak = `V8 heap ${mb(m.heapTotal)} MB (used ${mb(m.heapUsed)}), external ${mb(m.external)} MB`;
  }, 20);
  const send = (m: Msg) => process.send!(m);
  const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
    accounts: { type: string; accountId: number; apiToken: string; shippingToken?: string }[];
  };
  await idle(500);
  send({
    kind: 'ready',
    listener: siem.ctx.urls.listener,
    api: siem.ctx.urls.api,
    shippingToken: creds.accounts.find((a) => a.shippingToken)!.shippingToken!,
    idleRss: process.memoryUsage.rss(),
  });
  process.on('message', async (m: { kind: string }) => {
    if (m.kind === 'ingested') {
      const peakRss = peak;
      await idle(2000);
      const stored = (siem.ctx.store.db.prepare('SELECT count(*) AS n FROM logs').get() as { n: number }).n;
      send({
        kind: 'ingested',
        peakRss,
        steadyRss: process.memoryUsage.rss(),
        stored,
        heapUsed: process.memoryUsage().heapUsed,
      });
    } else if (m.kind === 'events') {
      const account = creds.accounts.find((a) => a.type === 'SIEM')!;
      const configId = createSqliteConfigurationsRepository(siem.ctx.store).create(
        account.accountId,
        'bench',
        Date.now(),
      ).id;
      const writer = createSqliteSecurityEventsWriter(siem.ctx.store);
      const storedAt = Date.now() - 60_000; // older than the feed's 5 s latency: visible at once
      const t0 = performance.now();
      for (let i = 0; i < EVENTS; i += 10_000) {
        const batch = [];
        for (let j = i; j < Math.min(EVENTS, i + 10_000); j++)
          batch.push(securityEvent(j, account.accountId, configId, storedAt));
        writer.insert(batch, storedAt);
      }
      const insertSeconds = (performance.now() - t0) / 1000;
      await idle(2000);
      peak = 0;
      send({
        kind: 'events',
        token: account.apiToken,
        configId,
        rssBefore: process.memoryUsage.rss(),
        heapBefore: process.memoryUsage().heapTotal,
        insertSeconds,
      });
    } else if (m.kind === 'streamed') {
      send({ kind: 'streamed', peakRss: peak, rssAfter: process.memoryUsage.rss(), atPeak });
      clearInterval(sampler);
      await siem.close();
      rmSync(dataDir, { recursive: true, force: true });
      process.disconnect();
    }
  });
}

function securityEvent(i: number, accountId: number, configId: number, nowMs: number) {
  const eventDate = nowMs - 3_600_000 + Math.floor(i / 10);
  return {
    alertEventId: randomUUID(),
    accountId,
    configId,
    ruleId: 450001 + (i % 5),
    name: ['SSH brute force', 'Password spraying', 'Privilege escalation'][i % 3]!,
    description: 'Investigate the source address and the accounts it tried; block it if unknown.',
    alertSummary: `Alert if query 'event.outcome:failure' results GREATER_THAN_OR_EQUALS 5.00 in 10 minutes.`,
    eventDate,
    windowStart: eventDate - 600_000,
    windowEnd: eventDate,
    severity: (['INFO', 'LOW', 'MEDIUM', 'HIGH', 'SEVERE'] as const)[i % 5]!,
    groupBy: {
      'source.ip': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      'user.name': `user${i % 997}`,
    },
    tags: ['authentication', 'brute_force'],
    mitreTags: ['T1110'],
    hits: 5 + (i % 50),
    isMuted: false,
    logSeqs: [] as number[],
  };
}

const PROCS = ['powershell.exe', 'cmd.exe', 'svchost.exe', 'chrome.exe', 'outlook.exe'];

/** One ~300-byte log line (auth, process or web), varied enough for a realistic FTS vocabulary. */
function logLine(i: number, baseMs: number): string {
  const ts = new Date(baseMs + i * 50).toISOString();
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  switch (i % 3) {
    case 0:
      return JSON.stringify({
        '@timestamp': ts,
        type: 'auth',
        user: `user${i % 997}`,
        outcome: i % 4 === 0 ? 'failure' : 'success',
        source: { ip },
        message: `${i % 4 === 0 ? 'Failed' : 'Accepted'} password for user${i % 997} from ${ip} port ${1024 + (i % 60000)} ssh2`,
      });
    case 1:
      return JSON.stringify({
        '@timestamp': ts,
        type: 'edr',
        host: `ws-${i % 50}`,
        process: {
          name: PROCS[i % 5],
          pid: 1000 + (i % 30000),
          command_line: `${PROCS[i % 5]} /c task-${i % 977}`,
        },
        message: `Process ${PROCS[i % 5]} started on ws-${i % 50}`,
      });
    default:
      return JSON.stringify({
        '@timestamp': ts,
        type: 'nginx',
        source: { ip },
        http: { method: 'GET', status: [200, 302, 404, 500][i % 4], bytes: 200 + (i % 5000) },
        url: `/api/orders/${i % 4000}`,
        message: `GET /api/orders/${i % 4000} ${[200, 302, 404, 500][i % 4]}`,
      });
  }
}

async function client(): Promise<void> {
  const child = fork(import.meta.filename, [], {
    env: { ...process.env, BENCH_RSS_ROLE: 'server' },
    execArgv: ['--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <K extends Msg['kind']>(kind: K) =>
    new Promise<Extract<Msg, { kind: K }>>((resolve, reject) => {
      const onMsg = (m: Msg) => {
        if (m.kind === kind) {
          child.off('message', onMsg);
          child.off('exit', onExit);
          resolve(m as Extract<Msg, { kind: K }>);
        }
      };
      const onExit = (code: number | null) => reject(new Error(`server exited (${code})`));
      child.on('message', onMsg);
      child.once('exit', onExit);
    });
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(
    `SIEM RSS benchmark: ${LOGS.toLocaleString('en-US')} logs, a ${EVENTS.toLocaleString('en-US')}-event feed response; load ${load()}`,
  );
  const ready = await next('ready');

  // Ingest through the listener, a few requests in flight.
  const url = `${ready.listener}/?token=${ready.shippingToken}&type=bench`;
  const baseMs = Date.now() - 86_400_000;
  const requests = Math.ceil(LOGS / LINES_PER_REQUEST);
  let nextRequest = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (nextRequest < requests) {
      const r = nextRequest++;
      const lines: string[] = [];
      for (let i = r * LINES_PER_REQUEST; i < Math.min(LOGS, (r + 1) * LINES_PER_REQUEST); i++)
        lines.push(logLine(i, baseMs));
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: lines.join('\n'),
      });
      if (res.status !== 200) throw new Error(`listener answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ingestSeconds = (performance.now() - t0) / 1000;
  child.send({ kind: 'ingested' });
  const ingested = await next('ingested');
  if (ingested.stored !== LOGS) throw new Error(`stored ${ingested.stored} logs, sent ${LOGS}`);

  child.send({ kind: 'events' });
  const events = await next('events');
  const from = Math.floor(Date.now() / 1000) - 3 * 3600;
  const t1 = performance.now();
  const res = await fetch(`${ready.api}/siem/v1/configs/${events.configId}?from=${from}&limit=${EVENTS}`, {
    headers: { 'x-api-token': events.token },
  });
  if (res.status !== 200) throw new Error(`feed answered ${res.status}: ${await res.text()}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body!) {
    bytes += chunk.byteLength;
    for (const b of chunk) if (b === 10) lines++;
  }
  const feedSeconds = (performance.now() - t1) / 1000;
  if (lines !== EVENTS + 1) throw new Error(`feed gave ${lines} lines, expected ${EVENTS + 1}`);
  child.send({ kind: 'streamed' });
  const streamed = await next('streamed');

  const steadyGoal = 250;
  const feedGoal = 50;
  const rise = mb(streamed.peakRss) - mb(events.rssBefore);
  out('');
  out('stage                                                     RSS        vs idle');
  out(`idle, empty data dir (baseline)                        ${String(mb(ready.idleRss)).padStart(5)} MB`);
  out(
    `ingest of ${LOGS.toLocaleString('en-US')} logs (${Math.round(LOGS / ingestSeconds).toLocaleString('en-US')} logs/s), peak      ${String(mb(ingested.peakRss)).padStart(5)} MB ${(ingested.peakRss / ready.idleRss).toFixed(1).padStart(8)}x`,
  );
  out(
    `after ingest, steady (2 s idle; V8 heap ${mb(ingested.heapUsed)} MB)       ${String(mb(ingested.steadyRss)).padStart(5)} MB ${(ingested.steadyRss / ready.idleRss).toFixed(1).padStart(8)}x   goal <= ${steadyGoal} MB: ${mb(ingested.steadyRss) <= steadyGoal ? 'met' : 'not met'}`,
  );
  out(
    `${EVENTS.toLocaleString('en-US')} security events stored (${events.insertSeconds.toFixed(1)} s), before the feed  ${String(mb(events.rssBefore)).padStart(5)} MB ${(events.rssBefore / ready.idleRss).toFixed(1).padStart(8)}x`,
  );
  out(
    `streaming the feed (${(bytes / MB).toFixed(0)} MB in ${feedSeconds.toFixed(1)} s), peak       ${String(mb(streamed.peakRss)).padStart(5)} MB   +${rise} MB   goal <= +${feedGoal} MB: ${rise <= feedGoal ? 'met' : 'not met'}`,
  );
  out(`  (at the peak: ${streamed.atPeak}; V8 heap before the feed ${mb(events.heapBefore)} MB)`);
  out(
    `after the feed                                         ${String(mb(streamed.rssAfter)).padStart(5)} MB`,
  );
  out(`(load average at end ${load()})`);
}

if (process.env.BENCH_RSS_ROLE === 'server') await server();
else await client();
