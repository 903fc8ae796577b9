/**
 * Outbox benchmark: 50,000 incidents delivered by the dispatcher to a local webhook receiver (its
 * own process) and to NATS JetStream (127.0.0.1:4222), on SQLite, against a plain loop of the
 * same client (same concurrency, same bodies and headers, no store) in the same run.
 *   - throughput: the 50,000 are committed first (1,000 per transaction, as a fetch run would),
 *     then drained: deliveries/s from the first claim to the last settle;
 *   - latency: incidents committed at a steady pace (BENCH_OUTBOX_PACE per second, 100 per
 *     commit) with the dispatcher running and woken on each commit; p50/p95 from the commit to
 *     the target's answer (webhook 2xx, JetStream ack).
 * BENCH_OUTBOX_N scales the run (default 50000).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Agent } from 'undici';
import { systemClock } from '../packages/connector/src/context.ts';
import { createDispatcher, type DispatchedSink } from '../packages/connector/src/outbox/dispatcher.ts';
import {
  openSinks,
  closeSinks,
  resolveSinks,
  sinkRoutes,
  webhookSignature,
} from '../packages/connector/src/sinks/index.ts';
import { idempotencyKey, incidentBody } from '../packages/connector/src/sinks/payload.ts';
import { openSqliteIncidentStore } from '../packages/connector/src/store/sqlite.ts';
import type { Incident, NewIncident } from '../packages/connector/src/store/types.ts';

const N = Number(process.env.BENCH_OUTBOX_N ?? 50_000);
const LATENCY_N = Math.min(N, 10_000);
const logger = pino({ level: 'warn' });
const dir = mkdtempSync(join(tmpdir(), 'siemlink-bench-outbox-'));

function newIncident(run: string, n: number): NewIncident {
  const id = `${run}-${n}`;
  return {
    id: `logzio:${id}`,
    alertEventId: id,
    name: 'Brute force SSH',
    occurred: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
    severity: 3,
    fields: { tags: ['ssh'], 'groupBy.source.ip': `10.0.${n % 250}.${n % 200}`, hits: 5 },
    raw: { alertEventId: id, name: 'Brute force SSH', severity: 'HIGH', description: 'x'.repeat(200) },
  };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Result {
  perSecond: number;
  p50: number;
  p95: number;
}

/** The dispatcher over a fresh SQLite store for one sink config: throughput, then paced latency. */
async function viaOutbox(sinkEntry: Record<string, unknown>, pace: number): Promise<Result> {
  const [config] = resolveSinks([sinkEntry]);
  const run = randomBytes(4).toString('hex');
  const store = openSqliteIncidentStore({ path: join(dir, `${run}.db`), routes: sinkRoutes([config!]) });
  const sinks = await openSinks([config!], { logger, clock: systemClock, env: process.env });
  const latencies: number[] = [];
  // Commit -> target answered, measured around the sink's own deliver().
  const timed: DispatchedSink[] = sinks.map((s) => ({
    ...s,
    instance: {
      close: () => s.instance.close(),
      async deliver(item, signal) {
        const r = await s.instance.deliver(item, signal);
        if (r.ok) latencies.push(Date.now() - Date.parse(item.incident.createdAt));
        return r;
      },
    },
  }));
  const dispatcher = createDispatcher({
    outbox: store.outbox,
    sinks: timed,
    owner: 'bench',
    clock: systemClock,
    logger,
    pollMs: 20,
  });
  try {
    for (let i = 0; i < N; i += 1000) {
      store.insertIncidents(
        Array.from({ length: Math.min(1000, N - i) }, (_, k) => newIncident(run, i + k)),
        Date.now(),
      );
    }
    const t0 = performance.now();
    const settled = await dispatcher.drain();
    const seconds = (performance.now() - t0) / 1000;
    if (settled !== N) throw new Error(`settled ${settled} of ${N}`);
    const perSecond = N / seconds;

    latencies.length = 0;
    const stop = new AbortController();
    const loop = dispatcher.run(stop.signal);
    const base = N;
    const started = Date.now();
    for (let i = 0; i < LATENCY_N; i += 100) {
      const due = started + (i / pace) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await store.insertIncidents(
        Array.from({ length: 100 }, (_, k) => newIncident(run, base + i + k)),
        Date.now(),
      );
      dispatcher.wake();
    }
    while (latencies.length < LATENCY_N) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    await loop;
    const sorted = [...latencies].sort((a, b) => a - b);
    return { perSecond, p50: pct(sorted, 0.5), p95: pct(sorted, 0.95) };
  } finally {
    await closeSinks(sinks);
    await store.close();
  }
}

/** `count` calls of `fn` with `concurrency` in flight: calls/s. */
async function plainLoop(
  count: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await fn(next++);
    }),
  );
  return count / ((performance.now() - t0) / 1000);
}

const fakeIncident = (run: string, n: number): Incident => ({
  ...newIncident(run, n),
  originalSeverity: newIncident(run, n).severity,
  status: 'new',
  owner: null,
  tags: [],
  closeReason: null,
  closeNotes: null,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  acknowledgedAt: null,
  closedAt: null,
  timeToAcknowledgeSeconds: null,
  timeToCloseSeconds: null,
});

const rows: string[] = [];
const receiver = spawn(
  process.execPath,
  ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, 'outbox-receiver.ts')],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
try {
  const url = await new Promise<string>((resolve) =>
    createInterface({ input: receiver.stdout! }).once('line', resolve),
  );
  const count = async () => (await (await fetch(url)).json()) as { unique: number; requests: number };

  // Webhook: the same concurrency for the dispatcher and the plain loop.
  const concurrency = 16;
  process.env.BENCH_HOOK_SECRET = 'bench-secret';
  const hook = await viaOutbox(
    { kind: 'webhook', name: 'hook', url, secretEnv: 'BENCH_HOOK_SECRET', concurrency, batchSize: 500 },
    Number(process.env.BENCH_OUTBOX_PACE ?? 1000),
  );
  const agent = new Agent({ connections: 64 });
  const u = new URL(url);
  const run = randomBytes(4).toString('hex');
  const plainHook = await plainLoop(N, concurrency, async (i) => {
    const inc = fakeIncident(run, i);
    const body = JSON.stringify(incidentBody('hook', inc));
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await agent.request({
      origin: u.origin,
      path: u.pathname,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey(inc),
        'x-siemlink-timestamp': ts,
        'x-siemlink-signature': webhookSignature('bench-secret', ts, body),
      },
      body,
    });
    await res.body.text();
  });
  await agent.close();
  const c = await count();
  rows.push(
    `| webhook (own process), concurrency ${concurrency} | ${fmt(hook.perSecond)} | ${fmt(plainHook)} | ${(hook.perSecond / plainHook).toFixed(2)} | ${hook.p50} ms | ${hook.p95} ms |`,
  );
  console.log(`receiver: ${c.unique} unique of ${c.requests} requests`);

  // JetStream: a fresh stream; same pipelining for both.
  const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  const stream = `BENCH_${randomBytes(4).toString('hex')}`;
  const subject = `bench.${stream}`;
  await jsm.streams.add({ name: stream, subjects: [subject] });
  try {
    const pipeline = 256;
    const js = await viaOutbox(
      { kind: 'nats', name: 'js', subject, concurrency: pipeline, batchSize: 2000 },
      Number(process.env.BENCH_OUTBOX_JS_PACE ?? 5000),
    );
    const client = jetstream(nc);
    const jrun = randomBytes(4).toString('hex');
    const plainJs = await plainLoop(N, pipeline, async (i) => {
      const inc = fakeIncident(jrun, i);
      await client.publish(subject, JSON.stringify(incidentBody('js', inc)), { msgID: inc.id });
    });
    rows.push(
      `| JetStream, ${pipeline} publishes in flight | ${fmt(js.perSecond)} | ${fmt(plainJs)} | ${(js.perSecond / plainJs).toFixed(2)} | ${js.p50} ms | ${js.p95} ms |`,
    );
    const info = await jsm.streams.info(stream);
    console.log(`stream: ${info.state.messages} messages`);
  } finally {
    await jsm.streams.delete(stream).catch(() => {});
    await nc.close();
  }
} finally {
  receiver.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `\n${N} incidents per target; latency over ${LATENCY_N} paced incidents (commit -> target answered)\n`,
);
console.log('| target | outbox deliveries/s | plain loop/s | ratio | p50 | p95 |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
