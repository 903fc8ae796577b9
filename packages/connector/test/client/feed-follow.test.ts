import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeedContext } from '@siemlink/contracts';
import {
  createSiemClient,
  followFeed,
  FeedTruncatedError,
  OffsetExpiredError,
  type FeedBatch,
  type FeedGap,
  type FeedItem,
  type FeedRequest,
} from '../../src/client/index.ts';
import { fakeApi, instantClock, memoryLogger, SECURITY_TOKEN } from './helpers.ts';

type Step = { events?: number; context?: FeedContext; truncate?: boolean; expire?: boolean };

/** A scripted feed: each call consumes one step and records its request. */
function scripted(steps: Step[]) {
  const requests: FeedRequest[] = [];
  return {
    requests,
    client: {
      async *feed(req: FeedRequest): AsyncGenerator<FeedItem> {
        requests.push(req);
        const s = steps.shift();
        if (!s) throw new Error('no more steps');
        if (s.expire) throw new OffsetExpiredError(req.offset, 'HTTP 416');
        for (let i = 0; i < (s.events ?? 0); i++) {
          yield { kind: 'event', event: { alertEventId: `${requests.length}-${i}` } as never };
        }
        if (s.truncate) throw new FeedTruncatedError(s.events ?? 0);
        yield { kind: 'context', context: s.context! };
      },
    },
  };
}

async function drain(it: AsyncIterable<FeedBatch>) {
  const out: FeedBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

test('a truncated response is asked again from the same offset with half the limit, never yielded', async () => {
  const feed = scripted([
    { events: 3, truncate: true },
    { events: 2, truncate: true },
    { events: 2, context: { total: 2, offset: 'o2' } },
    { events: 0, context: { total: 0, offset: 'o3' } },
  ]);
  const { logger } = memoryLogger();
  const batches = await drain(
    followFeed(
      { client: feed.client, configIds: [1], offset: 'o1', limit: 1000, minLimit: 300 },
      { logger, clock: instantClock() },
    ),
  );
  assert.deepEqual(
    feed.requests.map((r) => [r.offset, r.limit]),
    [
      ['o1', 1000],
      ['o1', 500],
      ['o1', 300],
    ],
  );
  assert.equal(batches.length, 1);
  assert.equal(batches[0]!.events.length, 2);
  assert.equal(batches[0]!.context.offset, 'o2');
});

test('truncation forever gives up with FeedTruncatedError', async () => {
  const feed = scripted(Array(10).fill({ events: 1, truncate: true }));
  const { logger } = memoryLogger();
  await assert.rejects(
    drain(
      followFeed(
        { client: feed.client, configIds: [1], offset: 'o', maxTruncatedRetries: 2 },
        { logger, clock: instantClock() },
      ),
    ),
    FeedTruncatedError,
  );
  assert.equal(feed.requests.length, 3);
});

test('a full response continues at once with its offset and the limit grows back', async () => {
  const feed = scripted([
    { events: 1, truncate: true },
    { events: 5, context: { total: 5, offset: 'b', limit: 5 } },
    { events: 1, context: { total: 1, offset: 'c' } },
  ]);
  const { logger } = memoryLogger();
  const clock = instantClock();
  const batches = await drain(
    followFeed(
      { client: feed.client, configIds: ['1', '2'], from: 100, limit: 10, minLimit: 1 },
      { logger, clock },
    ),
  );
  assert.deepEqual(
    feed.requests.map((r) => [r.from, r.offset, r.limit]),
    [
      [100, undefined, 10],
      [100, undefined, 5],
      [undefined, 'b', 10],
    ],
  );
  assert.deepEqual(
    batches.map((b) => b.more),
    [true, false],
  );
  assert.deepEqual(clock.sleeps, []);
});

test('416 without onGap throws OffsetExpiredError for the caller to record', async () => {
  const feed = scripted([{ expire: true }]);
  const { logger } = memoryLogger();
  await assert.rejects(
    drain(
      followFeed({ client: feed.client, configIds: [1], offset: 'old' }, { logger, clock: instantClock() }),
    ),
    (e: OffsetExpiredError) => e.code === 'OFFSET_EXPIRED' && e.offset === 'old',
  );
});

test('416 with onGap reports the gap and resumes in time mode inside the 12 h window', async () => {
  const feed = scripted([{ expire: true }, { events: 1, context: { total: 1, offset: 'new' } }]);
  const { logger } = memoryLogger();
  const clock = instantClock();
  const gaps: FeedGap[] = [];
  const batches = await drain(
    followFeed(
      { client: feed.client, configIds: [7], offset: 'old', onGap: (g) => void gaps.push(g) },
      { logger, clock },
    ),
  );
  const now = clock.now() / 1000;
  assert.deepEqual(gaps, [
    {
      configIds: ['7'],
      lostFrom: 'old',
      resumeFrom: now - 12 * 3600 + 300,
      detectedAt: now,
      reason: 'expired',
    },
  ]);
  assert.deepEqual(feed.requests[1], { configIds: ['7'], from: now - 12 * 3600 + 300, limit: 10000 });
  assert.equal(batches.length, 1);
});

test('follow mode polls with the last offset every pollIntervalMs until aborted', async () => {
  const feed = scripted([
    { events: 1, context: { total: 1, offset: 'a' } },
    { events: 0, context: { total: 0, offset: 'a' } },
    { events: 2, context: { total: 2, offset: 'b' } },
  ]);
  const { logger } = memoryLogger();
  const clock = instantClock();
  const ac = new AbortController();
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const b of followFeed(
      { client: feed.client, configIds: [1], offset: 's', follow: true, pollIntervalMs: 5000 },
      { logger, clock, signal: ac.signal },
    )) {
      seen.push(b.context.offset);
      if (seen.length === 3) ac.abort(new Error('done'));
    }
  }, /done/);
  assert.deepEqual(seen, ['a', 'a', 'b']);
  assert.deepEqual(
    feed.requests.map((r) => r.offset),
    ['s', 'a', 'a'],
  );
  assert.deepEqual(clock.sleeps, [5000, 5000]);
});

test('over HTTP: 429 is backed off in the transport and a cut body is re-asked with a smaller limit', async (t) => {
  const api = await fakeApi(t, (req, res, n) => {
    if (n === 1) {
      res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/problem+json' });
      return res.end(
        '{"type":"https://problems.cloudsecurity.akamaiapis.net/siem/v1/too-many-requests","title":"Too many requests","detail":"x"}',
      );
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (n === 2) {
      // Flush the headers and two events, then cut the connection before the context line (end,
      // not destroy: the FIN follows the bytes already written, whatever the timing).
      res.write('{"alertEventId":"1"}\n{"alertEventId":"2"}\n', () => res.socket?.end());
      return;
    }
    assert.match(req.url, /limit=50(&|$)/);
    res.end('{"alertEventId":"1"}\n{ "total": 1, "offset": "z" }\n');
  });
  const { logger } = memoryLogger();
  const clock = instantClock();
  const c = createSiemClient({ apiUrl: api.url, securityToken: SECURITY_TOKEN }, { logger, clock });
  t.after(() => c.close());
  const batches = await drain(
    followFeed({ client: c, configIds: ['1'], offset: 'a', limit: 100, minLimit: 10 }, { logger, clock }),
  );
  assert.equal(batches.length, 1);
  assert.deepEqual(batches[0]!.events, [{ alertEventId: '1' }]);
  assert.deepEqual(clock.sleeps, [3000]);
  assert.equal(api.requests.length, 3);
  assert.match(api.requests[0]!.url, /^\/siem\/v1\/configs\/1\?offset=a&limit=100$/);
});
