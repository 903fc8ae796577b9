import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';
import {
  createSiemClient,
  ConnectorError,
  FeedTruncatedError,
  HttpError,
  backoffDelay,
  parseRetryAfter,
  DEFAULT_RETRY_POLICY,
} from '../../src/client/index.ts';
import { fakeApi, instantClock, json, memoryLogger, OPERATIONS_TOKEN, SECURITY_TOKEN } from './helpers.ts';

const WHO = { accountName: 'siemlink-security', accountId: 100002 };

function client(url: string, extra: Record<string, unknown> = {}) {
  const clock = instantClock();
  const { logger, records } = memoryLogger();
  const c = createSiemClient(
    {
      apiUrl: url,
      securityToken: SECURITY_TOKEN,
      operationsToken: OPERATIONS_TOKEN,
      random: () => 0.5,
      ...extra,
    },
    { logger, clock },
  );
  return { c, clock, records };
}

test('429 with Retry-After in seconds is retried after exactly that delay', async (t) => {
  const api = await fakeApi(t, (_req, res, n) =>
    n === 1
      ? json(res, 429, { errorCode: 'TOO_MANY_REQUESTS', message: 'slow down' }, { 'retry-after': '7' })
      : json(res, 200, WHO),
  );
  const { c, clock } = client(api.url);
  t.after(() => c.close());
  assert.deepEqual(await c.whoami('security'), WHO);
  assert.equal(api.requests.length, 2);
  assert.deepEqual(clock.sleeps, [7000]);
});

test('Retry-After as an HTTP date is measured against the clock and capped', async (t) => {
  const clock0 = instantClock();
  const inFive = new Date(clock0.now() + 5000).toUTCString();
  assert.equal(parseRetryAfter(inFive, clock0.now()), 5000);
  assert.equal(parseRetryAfter('1.5', 0), 1500);
  assert.equal(parseRetryAfter('garbage', 0), undefined);
  assert.equal(parseRetryAfter(undefined, 0), undefined);
  const api = await fakeApi(t, (_req, res, n) =>
    n === 1 ? json(res, 503, {}, { 'retry-after': '100000' }) : json(res, 200, WHO),
  );
  const { c, clock } = client(api.url, { retry: { maxRetryAfterMs: 60_000 } });
  t.after(() => c.close());
  await c.whoami('security');
  assert.deepEqual(clock.sleeps, [60_000]);
});

test('5xx are retried with capped exponential backoff and full jitter, then given up', async (t) => {
  const api = await fakeApi(t, (_req, res) => json(res, 502, { message: 'bad gateway' }));
  const { c, clock, records } = client(api.url, {
    retry: { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 3000 },
  });
  t.after(() => c.close());
  const err = await c.whoami('security').then(
    () => assert.fail('should throw'),
    (e: unknown) => e as HttpError,
  );
  assert.ok(err instanceof HttpError);
  assert.equal(err.status, 502);
  assert.equal(err.code, 'SERVER_ERROR');
  assert.equal(err.kind, 'transient');
  assert.equal(api.requests.length, 4);
  // random() = 0.5 -> half of min(3000, 1000 * 2^(n-1))
  assert.deepEqual(clock.sleeps, [500, 1000, 1500]);
  assert.equal(records.filter((r) => String(r.msg).startsWith('retrying')).length, 3);
  assert.equal(
    backoffDelay({ ...DEFAULT_RETRY_POLICY, jitter: 'none' }, 30, undefined, () => 0),
    30_000,
  );
});

test('400 and 401 are not retried; the token never reaches the message', async (t) => {
  for (const status of [400, 401, 403]) {
    const api = await fakeApi(t, (req, res) =>
      json(res, status, { errorCode: 'INVALID_TOKEN', message: `bad token ${req.headers['x-api-token']}` }),
    );
    const { c, clock } = client(api.url);
    t.after(() => c.close());
    const err = (await c.whoami('operations').catch((e: unknown) => e)) as HttpError;
    assert.ok(err instanceof HttpError, String(err));
    assert.equal(err.status, status);
    assert.equal(err.kind, 'config');
    assert.equal(err.remoteCode, 'INVALID_TOKEN');
    assert.equal(api.requests.length, 1);
    assert.deepEqual(clock.sleeps, []);
    assert.ok(!err.message.includes(OPERATIONS_TOKEN), err.message);
    assert.match(err.message, /\*\*\*/);
  }
});

test('a connection reset is retried', async (t) => {
  const api = await fakeApi(t, (_req, res, n) => {
    if (n === 1) res.socket?.destroy();
    else json(res, 200, WHO);
  });
  const { c, clock } = client(api.url);
  t.after(() => c.close());
  assert.deepEqual(await c.whoami('security'), WHO);
  assert.equal(api.requests.length, 2);
  assert.equal(clock.sleeps.length, 1);
});

test('a request that gets no answer times out, is retried, and fails with TIMEOUT at the end', async (t) => {
  const api = await fakeApi(t, () => {
    /* never answer */
  });
  const { c } = client(api.url, { timeoutMs: 150, retry: { maxAttempts: 2 } });
  t.after(() => c.close());
  const err = (await c.whoami('security').catch((e: unknown) => e)) as ConnectorError;
  assert.equal(err.code, 'TIMEOUT');
  assert.equal(err.kind, 'transient');
  assert.equal(api.requests.length, 2);
});

test("the caller's AbortSignal stops retries", async (t) => {
  const api = await fakeApi(t, (_req, res) => json(res, 503, {}));
  const ac = new AbortController();
  const { logger } = memoryLogger();
  const clock = instantClock();
  const sleep = clock.sleep;
  clock.sleep = async (ms, signal) => {
    ac.abort(new Error('stopped by caller'));
    return sleep(ms, signal);
  };
  const c = createSiemClient({ apiUrl: api.url, securityToken: SECURITY_TOKEN }, { logger, clock });
  t.after(() => c.close());
  await assert.rejects(c.whoami('security', { signal: ac.signal }), /stopped by caller/);
  assert.equal(api.requests.length, 1);
});

test('creating a SIEM account is retried on 429 only, never on 5xx', async (t) => {
  const account = {
    accountId: 7,
    accountName: 'x',
    accountsToScan: [],
    createdAt: '2026-01-01T00:00:00Z',
    isUsingRepositoryAccount: false,
  };
  const api = await fakeApi(t, (_req, res, n) => {
    if (n === 1) return json(res, 429, {}, { 'retry-after': '1' });
    if (n === 2) return json(res, 503, {});
    json(res, 200, account);
  });
  const { c } = client(api.url);
  t.after(() => c.close());
  const err = (await c
    .createSiemAccount({ accountName: 'x', email: 'a@b.c' })
    .catch((e: unknown) => e)) as HttpError;
  assert.equal(err.status, 503);
  assert.equal(api.requests.length, 2);
});

test('gzip bodies are asked for and decoded (JSON and the streamed feed)', async (t) => {
  const api = await fakeApi(t, (req, res) => {
    assert.match(String(req.headers['accept-encoding']), /gzip/);
    const body = req.url.startsWith('/siem/')
      ? '{"alertEventId":"a"}\n{ "total": 1, "offset": "z" }\n'
      : JSON.stringify(WHO);
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(gzipSync(body));
  });
  const { c } = client(api.url);
  t.after(() => c.close());
  assert.deepEqual(await c.whoami('security'), WHO);
  const items = [];
  for await (const i of c.feed({ configIds: [1], offset: 'a' })) items.push(i);
  assert.deepEqual(items, [
    { kind: 'event', event: { alertEventId: 'a' } },
    { kind: 'context', context: { total: 1, offset: 'z' } },
  ]);
});

test('a body that stops mid-way times out: a JSON call is retried, a feed stream ends truncated', async (t) => {
  const api = await fakeApi(t, (req, res, n) => {
    if (req.url.startsWith('/siem/')) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"alertEventId":"a"}\n'); // then nothing more
      return;
    }
    if (n === 1) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"accountName":'); // then nothing more
      return;
    }
    json(res, 200, WHO);
  });
  const { c, clock } = client(api.url, { timeoutMs: 150 });
  t.after(() => c.close());
  assert.deepEqual(await c.whoami('security'), WHO);
  assert.equal(clock.sleeps.length, 1);
  const items: unknown[] = [];
  const err = await (async () => {
    for await (const i of c.feed({ configIds: [1], offset: 'a' })) items.push(i);
  })().then(
    () => assert.fail('should throw'),
    (e: unknown) => e as FeedTruncatedError,
  );
  assert.ok(err instanceof FeedTruncatedError, String(err));
  assert.equal((err.cause as Error).name, 'TimeoutError');
  assert.deepEqual(items, [{ kind: 'event', event: { alertEventId: 'a' } }]);
});
