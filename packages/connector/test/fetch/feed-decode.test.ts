import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { FeedEvent } from '@siemlink/contracts';
import { ConnectorError, FeedTruncatedError } from '../../src/errors.ts';
import { readFeed } from '../../src/client/feed-reader.ts';
import type { DecodedBatch } from '../../src/fetch/feed-decode/batcher.ts';
import {
  IN_FLIGHT_BYTES,
  START_AFTER_EVENTS,
  createFeedDecoder,
  type FeedDecoder,
  type FeedSource,
} from '../../src/fetch/feed-decode/decoder.ts';
import { decodedIncident, incidentJson } from '../../src/fetch/feed-decode/decoded-incident.ts';
import { eventToIncident } from '../../src/fetch/mapping.ts';
import { encodeIncident } from '../../src/store/rows.ts';

const silent = pino({ level: 'silent' });
const SEVERITIES = ['LOW', 'HIGH', 'SEVERE', 'CRITICAL'] as const;

function event(i: number, id = `e${i}`): FeedEvent {
  return {
    alertEventId: id,
    alertId: 10 + (i % 3),
    name: i % 4 === 0 ? 'Brute force ✓' : `Rule ${i % 3}`,
    description: 'ünïcode description',
    alertSummary: 'summary',
    eventDate: 1_700_000_000 + i / 10,
    storedAt: 1_700_000_100 + i / 100,
    severity: SEVERITIES[i % 4] as FeedEvent['severity'],
    groupBy: { 'source.ip': `10.0.0.${i % 250}` },
    tags: ['t'],
    mitreTags: [],
    hits: i,
    configId: '1',
    accountId: 2,
  } as unknown as FeedEvent;
}

/** A feed body: `n` events (every 9th repeats the id before), the context line, in `size`-byte chunks. */
function body(n: number, size: number, repeats = true): Buffer[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++)
    lines.push(JSON.stringify(repeats && i % 9 === 8 ? event(i, `e${i - 1}`) : event(i)));
  lines.push(JSON.stringify({ total: n, offset: `o${n}` }));
  const all = Buffer.from(`${lines.join('\n')}\n`);
  const out: Buffer[] = [];
  for (let at = 0; at < all.length; at += size) out.push(all.subarray(at, at + size));
  return out;
}

/** Chunks as a body; `fail` after `failAfter` chunks; `pulled` counts what was read. */
function source(chunks: Buffer[], o: { fail?: Error; failAfter?: number } = {}) {
  const state = { pulled: 0, returned: false };
  const it: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      let k = 0;
      return {
        async next() {
          if (o.fail && k === (o.failAfter ?? chunks.length)) throw o.fail;
          if (k >= chunks.length) return { done: true, value: undefined };
          state.pulled += chunks[k]!.length;
          return { done: false, value: chunks[k++]! };
        },
        async return() {
          state.returned = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { src: { body: it } as FeedSource, state };
}

async function drain(d: FeedDecoder, src: FeedSource, perCommit: number, filters = {}) {
  const batches: DecodedBatch[] = [];
  try {
    for await (const b of d.decode(src, { perCommit, ...filters })) batches.push(b);
    return { batches, error: undefined };
  } catch (error) {
    return { batches, error: error as ConnectorError };
  }
}

/** What a batch amounts to, thread or not. */
const shape = (bs: DecodedBatch[]) =>
  bs.map((b) => ({
    events: b.events,
    lastStoredAt: b.lastStoredAt,
    ids: b.incidents.map((i) => i.values[0]),
    warnings: b.warnings.length,
    context: b.context,
  }));

test('feed decoder: the thread decodes what the main thread would, batch for batch', async (t) => {
  const threaded = createFeedDecoder({ logger: silent, threads: true, startAfterEvents: 0 });
  t.after(() => threaded.close());
  const inProcess = createFeedDecoder({ logger: silent, threads: false });
  // Largest batches first: a thread is started again only for larger batches than its heap's.
  for (const [n, perCommit, chunk] of [
    [200, 50, 1],
    [200, 7, 333],
    [57, 10, 4096],
  ] as const) {
    const filters = { searchTerm: 'RULE', severities: ['LOW', 'HIGH', 'CRITICAL'] };
    const a = await drain(inProcess, source(body(n, chunk)).src, perCommit, filters);
    const before = threaded.stats().threadBatches;
    const b = await drain(threaded, source(body(n, chunk)).src, perCommit, filters);
    assert.equal(a.error, undefined);
    assert.equal(b.error, undefined);
    assert.ok(
      threaded.stats().threadBatches > before,
      'past its first batch, the response went to the thread',
    );
    assert.deepEqual(shape(b.batches), shape(a.batches));
    assert.deepEqual(
      b.batches.flatMap((x) => x.incidents),
      a.batches.flatMap((x) => x.incidents),
    );
    // Every batch but the last has perCommit events; the last carries the context.
    assert.ok(a.batches.slice(0, -1).every((x) => x.events === perCommit && !x.context));
    assert.equal(a.batches.at(-1)!.context!.offset, `o${n}`);
    assert.equal(
      a.batches.reduce((s, x) => s + x.events, 0),
      n,
    );
  }
  assert.equal(threaded.stats().threadStarts, 1, 'one thread serves response after response');
});

test('feed decoder: what it encodes is what the store would encode from the event itself', async (t) => {
  const d = createFeedDecoder({ logger: silent, threads: true, startAfterEvents: 0 });
  t.after(() => d.close());
  const { batches } = await drain(d, source(body(30, 100, false)).src, 4);
  const events = new Map<string, FeedEvent>();
  for (const line of Buffer.concat(body(30, 100, false))
    .toString()
    .trim()
    .split('\n')
    .slice(0, -1)) {
    const e = JSON.parse(line) as FeedEvent;
    events.set(e.alertEventId, e);
  }
  assert.equal(batches.flatMap((b) => b.incidents).length, 30);
  for (const enc of batches.flatMap((b) => b.incidents)) {
    const mapped = eventToIncident(events.get(enc.values[1])!, silent);
    assert.deepEqual(enc, encodeIncident(mapped));
    // The incident handed to the store reads as the mapped one, and prints the same.
    const i = decodedIncident(enc);
    assert.deepEqual({ ...i }, { ...mapped });
    assert.equal(JSON.stringify(i), JSON.stringify(mapped));
    assert.equal(incidentJson(i), JSON.stringify(mapped));
    assert.equal(incidentJson(mapped), JSON.stringify(mapped));
    assert.equal(i.encoded, enc);
  }
});

test('feed decoder: a body that breaks off on the thread yields what was whole, then FEED_TRUNCATED with the cause', async (t) => {
  const d = createFeedDecoder({ logger: silent, threads: true, startAfterEvents: 0 });
  t.after(() => d.close());
  const chunks = body(100, 250);
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const { src, state } = source(chunks, { fail: reset, failAfter: 10 });
  const { batches, error } = await drain(d, src, 5);
  assert.ok(error instanceof FeedTruncatedError, String(error));
  assert.equal((error.cause as Error).message, 'socket hang up');
  assert.ok(d.stats().threadBatches > 0);
  // Exactly the whole lines of the first 10 chunks, in batches (the last one cut short).
  const whole = Buffer.concat(chunks.slice(0, 10)).toString().split('\n').length - 1;
  assert.equal(
    batches.reduce((s, b) => s + b.events, 0),
    whole,
  );
  assert.equal(error.eventsRead, whole);
  assert.ok(batches.every((b) => !b.context));
  assert.equal(state.returned, true, 'the body is let go');
});

test('feed decoder: on the thread, a body without its context line is FEED_TRUNCATED; a bad line is BAD_RESPONSE naming it', async (t) => {
  const d = createFeedDecoder({ logger: silent, threads: true, startAfterEvents: 0 });
  t.after(() => d.close());
  const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify(event(i)));
  const noContext = await drain(
    d,
    source([Buffer.from(`${lines.join('\n')}\n`)].flatMap((b) => [b.subarray(0, 500), b.subarray(500)])).src,
    5,
  );
  assert.ok(noContext.error instanceof FeedTruncatedError);
  assert.equal(noContext.error.eventsRead, 40);
  assert.equal(
    noContext.batches.reduce((s, b) => s + b.events, 0),
    40,
  );
  assert.ok(d.stats().threadBatches > 0);

  const bad = [...lines.slice(0, 30), '{"not json', ...lines.slice(30)].join('\n');
  const garbled = await drain(
    d,
    source([Buffer.from(bad)].flatMap((b) => [b.subarray(0, 500), b.subarray(500)])).src,
    5,
  );
  assert.ok(garbled.error instanceof ConnectorError);
  assert.equal(garbled.error.code, 'BAD_RESPONSE');
  assert.match(garbled.error.message, /line 31 is not JSON/);

  const long = `${lines.slice(0, 20).join('\n')}\n${'x'.repeat(3000)}`;
  const tooLong = await (async () => {
    try {
      for await (const _ of d.decode(
        source(
          [Buffer.from(long)].flatMap((b) => [b.subarray(0, 500), b.subarray(500, 2000), b.subarray(2000)]),
        ).src,
        { perCommit: 5, maxLineBytes: 2048 },
      ));
    } catch (err) {
      return err as ConnectorError;
    }
  })();
  assert.equal(tooLong?.code, 'FEED_LINE_TOO_LARGE');
  assert.match(tooLong!.message, /line 21/);
});

test('feed decoder: the body is not read while the caller holds a batch, past what the thread may hold', async (t) => {
  const d = createFeedDecoder({ logger: silent, threads: true, startAfterEvents: 0 });
  t.after(() => d.close());
  const chunks = body(20_000, 16 * 1024);
  const total = chunks.reduce((s, c) => s + c.length, 0);
  assert.ok(total > 4 * IN_FLIGHT_BYTES);
  const { src, state } = source(chunks);
  const it = d.decode(src, { perCommit: 100 });
  let held = 0;
  let maxPulledWhileHeld = 0;
  for await (const b of it) {
    held++;
    // The caller takes its time over each batch (many turns of the event loop).
    const at = state.pulled;
    for (let k = 0; k < 20; k++) await new Promise<void>((r) => setImmediate(r));
    maxPulledWhileHeld = Math.max(maxPulledWhileHeld, state.pulled - at);
    if (b.context) break;
  }
  assert.ok(d.stats().threadBatches > 100);
  assert.equal(maxPulledWhileHeld, 0, 'nothing read while a batch is held');
  assert.equal(state.pulled, total);
  assert.ok(held >= 200);
});

test('feed decoder: a response abandoned half-way leaves nothing behind for the next one', async (t) => {
  const d = createFeedDecoder({ logger: silent, threads: true, startAfterEvents: 0 });
  t.after(() => d.close());
  const first = source(body(500, 1000));
  let n = 0;
  for await (const _ of d.decode(first.src, { perCommit: 10 })) if (++n === 5) break;
  assert.equal(first.state.returned, true);
  const inProcess = createFeedDecoder({ logger: silent, threads: false });
  const a = await drain(inProcess, source(body(120, 700)).src, 10);
  const b = await drain(d, source(body(120, 700)).src, 10);
  assert.equal(b.error, undefined);
  assert.deepEqual(shape(b.batches), shape(a.batches));
});

test('feed decoder: a thread that dies fails the response (FEED_DECODER_FAILED); the next one decodes in-process', async () => {
  const logged: unknown[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) });
  const d = createFeedDecoder({
    logger,
    threads: true,
    startAfterEvents: 0,
    workerUrl: new URL('./fixtures/dying-decoder.ts', import.meta.url),
  });
  const dead = await drain(d, source(body(100, 500)).src, 10);
  assert.equal(dead.error?.code, 'FEED_DECODER_FAILED');
  assert.equal(dead.batches.length, 1, 'the first batch was decoded before the thread started');
  const next = await drain(d, source(body(100, 500)).src, 10);
  assert.equal(next.error, undefined);
  assert.equal(
    next.batches.reduce((s, b) => s + b.events, 0),
    100,
  );
  assert.equal(d.stats().threadStarts, 1);
  assert.ok(logged.some((l) => /decoding in-process/.test((l as { msg: string }).msg)));
  await d.close();
});

test('feed decoder: release lets the thread go; the next backlog starts another', async () => {
  const d = createFeedDecoder({ logger: silent, threads: true, startAfterEvents: 0 });
  await drain(d, source(body(50, 400)).src, 10);
  await d.release();
  await drain(d, source(body(50, 400)).src, 10);
  assert.equal(d.stats().threadStarts, 2);
  await d.close();
});

test('feed decoder: a client that yields parsed items is batched the same (no thread)', async () => {
  const d = createFeedDecoder({ logger: silent, threads: true, startAfterEvents: 0 });
  const raw = source(body(80, 300)).src as { body: AsyncIterable<Uint8Array> };
  const items = readFeed(raw.body);
  const a = await drain(d, { items }, 9);
  const b = await drain(createFeedDecoder({ logger: silent, threads: false }), source(body(80, 300)).src, 9);
  assert.deepEqual(shape(a.batches), shape(b.batches));
  assert.equal(d.stats().threadStarts, 0);
  await d.close();
});

test('feed decoder: a line of several MB (under the reader’s cap) decodes on the thread', async (t) => {
  const d = createFeedDecoder({ logger: silent, threads: true, startAfterEvents: 0 });
  t.after(() => d.close());
  const big = { ...event(7), description: 'x'.repeat(6 * 1024 * 1024) };
  const lines = [...Array.from({ length: 12 }, (_, i) => JSON.stringify(event(i))), JSON.stringify(big)];
  lines.push(JSON.stringify({ total: 13, offset: 'o13' }));
  const all = Buffer.from(`${lines.join('\n')}\n`);
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += 64 * 1024) chunks.push(all.subarray(at, at + 64 * 1024));
  const { batches, error } = await drain(d, source(chunks).src, 5);
  assert.equal(error, undefined);
  assert.ok(d.stats().threadBatches > 0);
  const incidents = batches.flatMap((b) => b.incidents);
  // e7 twice, in two batches: each batch keeps it (the store drops the second by id).
  assert.equal(incidents.length, 13);
  assert.equal(JSON.parse(incidents.at(-1)!.values[6]).description.length, 6 * 1024 * 1024);
});

test('feed decoder: a thread is started only once START_AFTER_EVENTS were read since the feed caught up; a running one takes the next response after its first batch', async (t) => {
  const d = createFeedDecoder({ logger: silent, threads: true });
  t.after(() => d.close());
  const short = () => drain(d, source(body(START_AFTER_EVENTS - 100, 4096)).src, 50);
  assert.equal((await short()).error, undefined);
  await d.release(); // the run caught up
  assert.equal((await short()).error, undefined);
  assert.deepEqual(d.stats(), { threadStarts: 0, threadBatches: 0 }, 'a trickle never starts a thread');
  // The run before was full: this response is more of the same backlog.
  const third = await short();
  assert.equal(third.error, undefined);
  assert.equal(d.stats().threadStarts, 1);
  // In-process until START_AFTER_EVENTS in all (100 events in: two batches of 50), then the
  // thread: the other 36 batches of 50 and the one with the context.
  assert.equal(d.stats().threadBatches, 37);
  assert.equal(
    third.batches.reduce((n, b) => n + b.events, 0),
    START_AFTER_EVENTS - 100,
  );
  const next = await drain(d, source(body(300, 4096)).src, 50);
  assert.equal(next.error, undefined);
  assert.equal(d.stats().threadBatches, 37 + 6, 'all but the first batch of the next response');
  assert.equal(d.stats().threadStarts, 1);
});

test('feed decoder: the thread compiles from the compile cache the process enabled in-process', async (t) => {
  // As bin/siemlink.js: module.enableCompileCache(), no NODE_COMPILE_CACHE. Without it passed on,
  // the thread strips its modules' types at every start.
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-thread-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { NODE_COMPILE_CACHE: _, ...env } = process.env;
  const run = spawnSync(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      fileURLToPath(new URL('./fixtures/cached-thread.ts', import.meta.url)),
      dir,
    ],
    { env: { ...env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }, encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { events: 50, threadStarts: 1 });
  // The thread's own entry module went through the cache (compiled, then persisted).
  assert.match(run.stderr, /compile cache\].*feed-decode\/worker\.ts/);
});
