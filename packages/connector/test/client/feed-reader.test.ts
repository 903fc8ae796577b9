import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFeed, FeedTruncatedError, ConnectorError, type FeedItem } from '../../src/client/index.ts';

async function* chunks(parts: (string | Buffer)[], fail?: Error) {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p) : p;
  if (fail) throw fail;
}

async function collect(src: AsyncIterable<Uint8Array>, max?: number) {
  const items: FeedItem[] = [];
  try {
    for await (const i of readFeed(src, { maxLineBytes: max })) items.push(i);
    return { items, error: undefined };
  } catch (error) {
    return { items, error: error as ConnectorError };
  }
}

const ev = (id: string) => JSON.stringify({ alertEventId: id, name: 'ünïcode ✓' });

test('lines split anywhere across chunks (even inside a UTF-8 character) are reassembled', async () => {
  const body = Buffer.from(`${ev('a')}\n${ev('b')}\n\n{ "total": 2, "offset": "o;2", "limit": 2 }\n`);
  const oneByteChunks = Array.from(body, (b) => Buffer.from([b]));
  const { items, error } = await collect(chunks(oneByteChunks));
  assert.equal(error, undefined);
  assert.deepEqual(items, [
    { kind: 'event', event: { alertEventId: 'a', name: 'ünïcode ✓' } },
    { kind: 'event', event: { alertEventId: 'b', name: 'ünïcode ✓' } },
    { kind: 'context', context: { total: 2, offset: 'o;2', limit: 2 } },
  ]);
});

test('the XSOAR-style empty context `{ "total": 0, "offset": "x" }` parses; last line without \\n accepted', async () => {
  const { items, error } = await collect(chunks(['{ "total": 0, "offset": "x" }']));
  assert.equal(error, undefined);
  assert.deepEqual(items, [{ kind: 'context', context: { total: 0, offset: 'x' } }]);
});

test('a body that ends without a context line yields its events then throws FeedTruncatedError', async () => {
  const { items, error } = await collect(chunks([`${ev('a')}\n${ev('b')}\n{"alertEve`]));
  assert.equal(items.length, 2);
  assert.ok(error instanceof FeedTruncatedError);
  assert.equal(error.code, 'FEED_TRUNCATED');
  assert.equal(error.eventsRead, 2);
});

test('a body that breaks mid-stream (socket reset) is a truncation with the cause kept', async () => {
  const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  const { items, error } = await collect(chunks([`${ev('a')}\n`], reset));
  assert.equal(items.length, 1);
  assert.ok(error instanceof FeedTruncatedError);
  assert.equal(error.cause, reset);
});

test('a line longer than the cap is an error, without buffering on', async () => {
  const big = 'x'.repeat(600);
  const { error } = await collect(chunks([`${ev('a')}\n`, `{"a":"${big}`, big, '"}\n']), 1000);
  assert.equal(error?.code, 'FEED_LINE_TOO_LARGE');
  const inOneChunk = await collect(chunks([`{"a":"${big}${big}"}\n{ "total": 1, "offset": "x" }\n`]), 1000);
  assert.equal(inOneChunk.error?.code, 'FEED_LINE_TOO_LARGE');
});

test('garbage lines and lines after the context are BAD_RESPONSE', async () => {
  assert.equal((await collect(chunks(['not json\n']))).error?.code, 'BAD_RESPONSE');
  assert.equal((await collect(chunks(['[1]\n']))).error?.code, 'BAD_RESPONSE');
  const after = await collect(chunks([`{ "total": 0, "offset": "x" }\n${ev('a')}\n`]));
  assert.equal(after.error?.code, 'BAD_RESPONSE');
});

test('an event line without a string alertEventId is BAD_RESPONSE (ids are what dedup and incident ids rest on)', async () => {
  for (const line of ['{"name":"no id"}', '{"alertEventId":""}', '{"alertEventId":42}']) {
    const r = await collect(chunks([`${ev('a')}\n${line}\n${line}\n{ "total": 3, "offset": "x" }\n`]));
    assert.equal(r.error?.code, 'BAD_RESPONSE', line);
    assert.match(r.error!.message, /line 2.*alertEventId/);
  }
});
