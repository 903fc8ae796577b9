import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
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
  // Closing happens on the server's side of the sockets; poll briefly for the slots to free.
  let status = 0;
  for (let i = 0; i < 200 && status !== 200; i++) {
    const again = await open(siem, `from=${from}&limit=1`);
    status = again.res.statusCode ?? 0;
    await drain(again.res);
    if (status !== 200) await delay(10);
  }
  assert.equal(status, 200);
});

test('fault feedCutShare: the response is cut after some events, before the offset line', async (t) => {
  const siem = await buildFeedSiem(t, { listen: true });
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
  const siem = await buildFeedSiem(t, { listen: true });
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
    req.end();
    await delay(50); // the request is in the slow hook now
    req.destroy(); // the client times out and goes away
    await delay(50);
    await siem.fake.advance(60_000); // the hook wakes; the handler runs for a closed socket
    await delay(50);
  }
  siem.ctx.faults.set({ slowShare: 0 });
  const res = await drain((await open(siem, `from=${from}`)).res);
  assert.ok(res.complete, 'answered');
  assert.equal(parseFeed(res.body).events.length, 3);
});
