/**
 * Feed benchmark: one `limit=600000` feed response end to end over loopback.
 *
 * The SIEM runs in a child process (this file with BENCH_FEED_ROLE=server): it bulk-inserts
 * BENCH_FEED_EVENTS events (default 600,000) into a fresh store, listens on 127.0.0.1, and
 * samples its own RSS every 20 ms while serving. The parent fetches the feed with `fetch`,
 * decodes the body stream and JSON.parses it line by line as it arrives, sampling its own RSS.
 * Baseline, same run, same process: JSON.stringify of the same feed events into NDJSON lines
 * plus JSON.parse of each line, in memory (batches of 10,000, so the baseline holds no more
 * than the streaming client does).
 *
 *   node --disable-warning=ExperimentalWarning bench/feed.ts
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

const EVENTS = Number(process.env.BENCH_FEED_EVENTS ?? 600_000);
const MB = 1024 * 1024;

interface Ready {
  kind: 'ready';
  url: string;
  token: string;
  configId: number;
  insertMs: number;
  rssAfterInsert: number;
}
interface Stats {
  kind: 'stats';
  peakRss: number;
}

const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'SEVERE'] as const;
const RULES = [
  'SSH brute force',
  'Password spraying',
  'Privilege escalation',
  'Suspicious process',
  'Web attack',
];

/** The i-th synthetic event (same generator for the server's store and the baseline). */
function syntheticEvent(i: number, accountId: number, configId: number, nowMs: number) {
  const eventDate = nowMs - 3_600_000 + Math.floor(i / 10);
  return {
    alertEventId: randomUUID(),
    accountId,
    configId,
    ruleId: 450001 + (i % RULES.length),
    name: RULES[i % RULES.length]!,
    description: 'Investigate the source address and the accounts it tried; block it if unknown.',
    alertSummary: `Alert if query 'event.outcome:failure' results GREATER_THAN_OR_EQUALS 5.00 in 10 minutes. Count on Group By '[source.ip, user.name]'`,
    eventDate,
    windowStart: eventDate - 600_000,
    windowEnd: eventDate,
    severity: SEVERITIES[i % 5]!,
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

async function server(): Promise<void> {
  const { loadSiemConfig } = await import('../packages/siem/src/config.ts');
  const { createSiemContext } = await import('../packages/siem/src/server.ts');
  const { buildSiemApp } = await import('../packages/siem/src/app.ts');
  const { bootstrapAccounts } = await import('../packages/siem/src/bootstrap.ts');
  const { createSqliteSecurityEventsWriter } =
    await import('../packages/siem/src/modules/events/repository.ts');
  const { createSqliteConfigurationsRepository } =
    await import('../packages/siem/src/modules/rules/configurations-repository.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'siemlink-bench-feed-'));
  const ctx = createSiemContext(loadSiemConfig({ dataDir, port: 0, listenerPort: 0, rulesEngine: false }), {
    logger: pino({ level: 'silent' }),
  });
  const creds = bootstrapAccounts(ctx);
  const siem = creds.accounts.find((a) => a.type === 'SIEM')!;
  const configId = createSqliteConfigurationsRepository(ctx.store).create(
    siem.accountId,
    'bench',
    Date.now(),
  ).id;
  const writer = createSqliteSecurityEventsWriter(ctx.store);
  const t0 = performance.now();
  const storedAt = Date.now() - 60_000; // visible at once (older than the 5 s latency)
  for (let i = 0; i < EVENTS; i += 50_000) {
    const batch = [];
    for (let j = i; j < Math.min(EVENTS, i + 50_000); j++)
      batch.push(syntheticEvent(j, siem.accountId, configId, storedAt));
    writer.insert(batch, storedAt);
  }
  const insertMs = performance.now() - t0;
  const app = await buildSiemApp(ctx);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  let peakRss = process.memoryUsage().rss;
  const rssAfterInsert = peakRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  process.on('message', async (m: { kind: string }) => {
    if (m.kind !== 'stats') return;
    clearInterval(sampler);
    process.send!({ kind: 'stats', peakRss } satisfies Stats);
    await app.close();
    ctx.store.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.disconnect();
  });
  process.send!({
    kind: 'ready',
    url,
    token: siem.apiToken,
    configId,
    insertMs,
    rssAfterInsert,
  } satisfies Ready);
}

async function client(): Promise<void> {
  const child = fork(import.meta.filename, [], {
    env: { ...process.env, BENCH_FEED_ROLE: 'server' },
    execArgv: ['--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(kind: string) =>
    new Promise<T>((resolve, reject) => {
      const onMsg = (m: { kind: string }) => {
        if (m.kind === kind) {
          child.off('message', onMsg);
          resolve(m as T);
        }
      };
      child.on('message', onMsg);
      child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    });
  const ready = await next<Ready>('ready');

  // Streamed fetch, parsed line by line as bytes arrive.
  let clientPeak = process.memoryUsage().rss;
  const clientStart = clientPeak;
  const sampler = setInterval(() => {
    clientPeak = Math.max(clientPeak, process.memoryUsage().rss);
  }, 20);
  const from = Math.floor(Date.now() / 1000) - 3600;
  const t0 = performance.now();
  const res = await fetch(`${ready.url}/siem/v1/configs/${ready.configId}?from=${from}&limit=600000`, {
    headers: { 'x-api-token': ready.token },
  });
  if (res.status !== 200) throw new Error(`feed answered ${res.status}: ${await res.text()}`);
  const decoder = new TextDecoder();
  let rest = '';
  let events = 0;
  let bytes = 0;
  let context: { total: number } | undefined;
  const take = (line: string) => {
    const obj = JSON.parse(line) as { total?: number; offset?: string; alertEventId?: string };
    if (obj.offset !== undefined && obj.alertEventId === undefined) context = obj as { total: number };
    else events++;
  };
  for await (const chunk of res.body!) {
    bytes += chunk.byteLength;
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  const feedMs = performance.now() - t0;
  clearInterval(sampler);
  child.send({ kind: 'stats' });
  const stats = await next<Stats>('stats');
  if (!context || context.total !== EVENTS || events !== EVENTS) {
    throw new Error(`expected ${EVENTS} events, got ${events} (context ${JSON.stringify(context)})`);
  }

  // Baseline: the same feed events, JSON.stringify to NDJSON + JSON.parse per line, in memory.
  const { createFeedLineWriter } = await import('../packages/siem/src/modules/feed/lines.ts');
  const lines = createFeedLineWriter();
  const nowMs = Date.now() - 60_000;
  let baseMs = 0;
  let baseBytes = 0;
  let parsed = 0;
  for (let i = 0; i < EVENTS; i += 10_000) {
    const objs: unknown[] = [];
    for (let j = i; j < Math.min(EVENTS, i + 10_000); j++) {
      const e = syntheticEvent(j, 100002, ready.configId, nowMs);
      // The exact object a feed line holds (built outside the timed part).
      const row = {
        seq: j + 1,
        alert_event_id: e.alertEventId,
        account_id: e.accountId,
        config_id: e.configId,
        rule_id: e.ruleId,
        name: e.name,
        description: e.description,
        alert_summary: e.alertSummary,
        event_date: e.eventDate,
        window_start: e.windowStart,
        window_end: e.windowEnd,
        severity: e.severity,
        severity_rank: 0,
        group_by: JSON.stringify(e.groupBy),
        tags: JSON.stringify(e.tags),
        mitre_tags: JSON.stringify(e.mitreTags),
        hits: e.hits,
        is_muted: 0,
        stored_at: nowMs,
      };
      objs.push(JSON.parse(lines.line(row)));
    }
    const b0 = performance.now();
    let ndjson = '';
    for (const o of objs) ndjson += `${JSON.stringify(o)}\n`;
    let start = 0;
    for (let nl = ndjson.indexOf('\n'); nl >= 0; nl = ndjson.indexOf('\n', start)) {
      JSON.parse(ndjson.slice(start, nl));
      parsed++;
      start = nl + 1;
    }
    baseMs += performance.now() - b0;
    baseBytes += Buffer.byteLength(ndjson);
  }
  if (parsed !== EVENTS) throw new Error('baseline parsed the wrong number of lines');

  const rate = (n: number, ms: number) => n / (ms / 1000);
  const feedEps = rate(events, feedMs);
  const baseEps = rate(EVENTS, baseMs);
  const out = {
    events: EVENTS,
    insert: {
      seconds: +(ready.insertMs / 1000).toFixed(2),
      eventsPerSecond: Math.round(rate(EVENTS, ready.insertMs)),
    },
    feed: {
      seconds: +(feedMs / 1000).toFixed(2),
      eventsPerSecond: Math.round(feedEps),
      MBps: +(bytes / MB / (feedMs / 1000)).toFixed(1),
      bodyMB: +(bytes / MB).toFixed(1),
      serverPeakRssMB: Math.round(stats.peakRss / MB),
      serverRssBeforeServingMB: Math.round(ready.rssAfterInsert / MB),
      clientPeakRssMB: Math.round(clientPeak / MB),
      clientRssBeforeMB: Math.round(clientStart / MB),
    },
    baseline: {
      what: 'JSON.stringify to NDJSON + JSON.parse per line, in memory, one process',
      seconds: +(baseMs / 1000).toFixed(2),
      eventsPerSecond: Math.round(baseEps),
      MBps: +(baseBytes / MB / (baseMs / 1000)).toFixed(1),
    },
    ratio: { feedVsBaselineThroughput: +(feedEps / baseEps).toFixed(2) },
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

if (process.env.BENCH_FEED_ROLE === 'server') await server();
else await client();
