import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { FakeClock } from '../../../src/clock.ts';
import { buildFeedSiem, parseFeed, type FeedSiem } from './feed-helpers.ts';

function open(siem: FeedSiem, query: string): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${siem.ctx.urls.api}/siem/v1/configs/${siem.configId}?${query}`, {
      headers: { 'x-api-token': siem.siemToken },
    });
    req.on('response', (res) => resolve({ req, res }));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Resolves once `n` responses to requests whose URL includes `match`, started from now on, have
 * closed on the server's side (the route frees its slot in that same 'close' event, before this
 * promise's continuation runs).
 */
function closedResponses(siem: FeedSiem, n: number, match: string): Promise<void> {
  const all = Promise.withResolvers<void>();
  let closed = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.includes(match)) return;
    res.once('close', () => {
      if (++closed === n) {
        siem.api.server.off('request', onRequest);
        all.resolve();
      }
    });
  };
  siem.api.server.on('request', onRequest);
  return all.promise;
}

/** Resolves when something next sleeps on the fake clock (here: the fault hook holding a request). */
function nextSleep(clock: FakeClock): Promise<void> {
  const sleep = clock.sleep;
  const asleep = Promise.withResolvers<void>();
  clock.sleep = (ms, signal) => {
    clock.sleep = sleep;
    asleep.resolve();
    return sleep.call(clock, ms, signal);
  };
  return asleep.promise;
}

/** Reads a response to its end or its cut; `complete` is false when the socket died mid-body. */
function drain(res: IncomingMessage): Promise<{ body: string; complete: boolean; chunks: number }> {
  return new Promise((resolve) => {
    let body = '';
    let chunks = 0;
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      body += c;
      chunks++;
    });
    const done = () => resolve({ body, complete: res.complete, chunks });
    res.on('end', done);
    res.on('error', done);
    res.on('aborted', done);
    res.on('close', done);
  });
}

test('a large response is streamed in many chunks and parses line by line', async (t) => {
  const siem = await buildFeedSiem(t, { listen: true });
  const from = Math.floor(siem.clock.now() / 1000) - 10;
  for (let i = 0; i < 5; i++) siem.add(6000);
  await siem.fake.advance(6000);
  const { res } = await open(siem, `from=${from}&limit=600000`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['transfer-encoding'], 'chunked');
  const { body, complete, chunks } = await drain(res);
  assert.ok(complete);
  assert.ok(chunks > 10, `${chunks} chunks`);
  const parsed = parseFeed(body);
  assert.equal(parsed.events.length, 30_000);
  assert.equal(parsed.context!.total, 30_000);
  assert.equal(parsed.context!.limit, undefined);
});

test('more than 4 concurrent feed responses for one account: 429 too-many-requests; slots free on close', async (t) => {
  const siem = await buildFeedSiem(t, { listen: true });
  const from = Math.floor(siem.clock.now() / 1000) - 10;
  for (let i = 0; i < 4; i++) siem.add(6000); // ~30 MB per response: the socket fills, the slot stays taken
  await siem.fake.advance(6000);
  const serverClosed = closedResponses(siem, 4, 'limit=600000');
  const held = await Promise.all([1, 2, 3, 4].map(() => open(siem, `from=${from}&limit=600000`)));
  for (const h of held) {
    assert.equal(h.res.statusCode, 200);
    h.res.pause();
  }
  const fifth = await open(siem, `from=${from}&limit=1`);
  assert.equal(fifth.res.statusCode, 429);
  assert.equal(fifth.res.headers['retry-after'], '1');
  assert.match(String(fifth.res.headers['content-type']), /^application\/problem\+json/);
  const problem = JSON.parse((await drain(fifth.res)).body);
  assert.equal(problem.type, 'https://problems.cloudsecurity.akamaiapis.net/siem/v1/too-many-requests');
  for (const h of held) h.req.destroy();
  // The slots free when the server sees its side of those sockets close.
  await serverClosed;
  const again = await open(siem, `from=${from}&limit=1`);
  await drain(again.res);
  assert.equal(again.res.statusCode, 200);
});

test('fault feedCutShare: the response is cut after some events, before the offset line', async (t) => {
  const siem = await buildFeedSiem(t, { listen: true, config: { faultInjection: true } });
  const from = Math.floor(siem.clock.now() / 1000) - 10;
  siem.add(30);
  await siem.fake.advance(6000);
  siem.ctx.faults.set({ feedCutShare: 1 });
  const { res } = await open(siem, `from=${from}&limit=10`);
  assert.equal(res.statusCode, 200);
  const cut = await drain(res);
  assert.equal(cut.complete, false);
  const lines = cut.body.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 5);
  for (const l of lines) assert.ok(!('offset' in JSON.parse(l)));
  siem.ctx.faults.set({ feedCutShare: 0 });
  const whole = await drain((await open(siem, `from=${from}&limit=10`)).res);
  assert.ok(whole.complete);
  assert.equal(parseFeed(whole.body).context!.total, 10);
});

test('over HTTP/1.1 the 416 status line reads "Requested Range Not Satisfiable"', async (t) => {
  const siem = await buildFeedSiem(t, { listen: true, config: { faultInjection: true } });
  const first = await drain((await open(siem, `from=${Math.floor(siem.clock.now() / 1000) - 10}`)).res);
  const offset = parseFeed(first.body).context!.offset;
  siem.ctx.faults.set({ offsetMaxAgeSeconds: 1 });
  await siem.fake.advance(2000);
  const { res } = await open(siem, `offset=${offset}`);
  assert.equal(res.statusCode, 416);
  assert.equal(res.statusMessage, 'Requested Range Not Satisfiable');
  const body = JSON.parse((await drain(res)).body);
  assert.equal(body.type, 'https://problems.cloudsecurity.akamaiapis.net/siem/v1/offset-too-old');
});

test('a client gone before the handler runs (a slow request it gave up on) does not keep its slot', async (t) => {
  const siem = await buildFeedSiem(t, { listen: true, config: { faultInjection: true } });
  const from = Math.floor(siem.clock.now() / 1000) - 10;
  siem.add(3);
  await siem.fake.advance(6000);
  siem.ctx.faults.set({ slowShare: 1, slowMs: 60_000 });
  for (let i = 0; i < 5; i++) {
    const req = httpRequest(`${siem.ctx.urls.api}/siem/v1/configs/${siem.configId}?from=${from}`, {
      headers: { 'x-api-token': siem.siemToken },
    });
    req.on('error', () => {});
    const held = nextSleep(siem.fake);
    const gone = closedResponses(siem, 1, `/configs/${siem.configId}?`);
    req.end();
    await held; // the request is in the slow hook now
    req.destroy(); // the client times out and goes away
    await gone; // the server has seen it go
    // The hook wakes; the handler runs for a closed socket (all of it before the next I/O, so
    // before the request below arrives).
    await siem.fake.advance(60_000);
  }
  siem.ctx.faults.set({ slowShare: 0 });
  const res = await drain((await open(siem, `from=${from}`)).res);
  assert.ok(res.complete, 'answered');
  assert.equal(parseFeed(res.body).events.length, 3);
});
