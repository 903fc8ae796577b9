import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, gzipSync } from 'node:zlib';
import { buildTestSiem, type TestSiem } from '../../helpers.ts';

interface Row {
  seq: number;
  account_id: number;
  ts: number;
  stored_at: number;
  type: string;
  doc: string;
}

function rows(siem: TestSiem): (Row & { d: Record<string, unknown> })[] {
  return (siem.ctx.store.db.prepare('SELECT * FROM logs ORDER BY seq').all() as unknown as Row[]).map(
    (r) => ({
      ...r,
      d: JSON.parse(r.doc) as Record<string, unknown>,
    }),
  );
}

async function setup(t: { after(fn: () => Promise<void>): void }, config?: Record<string, unknown>) {
  const siem = await buildTestSiem({ config });
  t.after(() => siem.close());
  return siem;
}

const post = (
  siem: TestSiem,
  query: string,
  payload: string | Buffer,
  headers: Record<string, string> = {},
) =>
  siem.listener.inject({
    method: 'POST',
    url: `/?${query}`,
    payload,
    headers: { 'content-type': 'text/plain', ...headers },
  });

test('NDJSON lines are stored with @timestamp, type, storage time and a storage sequence; 200 empty body', async (t) => {
  const siem = await setup(t);
  const res = await post(
    siem,
    `token=${siem.shippingToken}&type=my-app`,
    '{"message":"hello","counter":1}\n{"message":"again","counter":2}\n',
  );
  assert.equal(res.statusCode, 200);
  assert.equal(res.body, '');
  const stored = rows(siem);
  assert.equal(stored.length, 2);
  const now = siem.clock.now();
  for (const r of stored) {
    assert.equal(r.account_id, siem.logsAccountId);
    assert.equal(r.type, 'my-app');
    assert.equal(r.d.type, 'my-app');
    assert.equal(r.ts, now);
    assert.equal(r.d['@timestamp'], new Date(now).toISOString());
    assert.equal(r.stored_at, now);
  }
  assert.deepEqual(
    stored.map((r) => r.d.counter),
    [1, 2],
  );
  assert.equal(stored[1].seq, stored[0].seq + 1);
});

test("the document's own type wins over the type parameter; http-bulk when neither names one", async (t) => {
  const siem = await setup(t);
  await post(
    siem,
    `token=${siem.shippingToken}&type=param-type`,
    '{"type":"nodejs","m":1}\n{"m":2}\n{"type":"","m":3}',
  );
  await post(siem, `token=${siem.shippingToken}`, '{"m":4}');
  await post(siem, `token=${siem.shippingToken}&type=`, '{"m":5}');
  assert.deepEqual(
    rows(siem).map((r) => [r.d.m, r.type, r.d.type]),
    [
      [1, 'nodejs', 'nodejs'],
      [2, 'param-type', 'param-type'],
      [3, 'param-type', 'param-type'],
      [4, 'http-bulk', 'http-bulk'],
      [5, 'http-bulk', 'http-bulk'],
    ],
  );
});

test('plain-text lines become {message}; CRLF endings and blank lines are tolerated', async (t) => {
  const siem = await setup(t);
  const res = await post(
    siem,
    `token=${siem.shippingToken}&type=syslog`,
    'Nov 22 10:00:00 web1 sshd[42]: Accepted publickey for ops\r\n\r\n[INFO] started\r\n42\n',
  );
  assert.equal(res.statusCode, 200);
  assert.deepEqual(
    rows(siem).map((r) => r.d.message),
    ['Nov 22 10:00:00 web1 sshd[42]: Accepted publickey for ops', '[INFO] started', '42'],
  );
});

test('@timestamp is kept (ISO, epoch s or ms, normalised to ISO UTC); else `timestamp`; else receipt time', async (t) => {
  const siem = await setup(t);
  const lines = [
    { n: 1, '@timestamp': '2026-01-01T10:00:00.123Z' },
    { n: 2, '@timestamp': '2026-01-01T12:00:00+02:00' },
    { n: 3, '@timestamp': 1767261600 },
    { n: 4, '@timestamp': 1767261600500 },
    { n: 5, timestamp: '2026-01-01T10:00:05Z' },
    { n: 6, timestamp: 'not a date' },
  ];
  const res = await post(siem, `token=${siem.shippingToken}`, lines.map((l) => JSON.stringify(l)).join('\n'));
  assert.equal(res.statusCode, 200);
  const got = rows(siem).map((r) => [r.d.n, r.d['@timestamp'], r.ts]);
  const iso = (ms: number) => new Date(ms).toISOString();
  const now = siem.clock.now();
  assert.deepEqual(got, [
    [1, '2026-01-01T10:00:00.123Z', Date.parse('2026-01-01T10:00:00.123Z')],
    [2, '2026-01-01T10:00:00.000Z', Date.parse('2026-01-01T10:00:00Z')],
    [3, iso(1767261600000), 1767261600000],
    [4, iso(1767261600500), 1767261600500],
    [5, '2026-01-01T10:00:05.000Z', Date.parse('2026-01-01T10:00:05Z')],
    [6, iso(now), now],
  ]);
});

test('gzip and deflate bodies are decompressed; a corrupt gzip body is a 400 and stores nothing', async (t) => {
  const siem = await setup(t);
  const body = Array.from({ length: 50 }, (_, i) => JSON.stringify({ i })).join('\n');
  const res = await post(siem, `token=${siem.shippingToken}`, gzipSync(body), { 'content-encoding': 'gzip' });
  assert.equal(res.statusCode, 200);
  assert.equal(rows(siem).length, 50);
  const res1 = await post(siem, `token=${siem.shippingToken}`, deflateSync(body), {
    'content-encoding': 'deflate',
  });
  assert.equal(res1.statusCode, 200);
  assert.equal(rows(siem).length, 100);
  const bad = gzipSync(body).subarray(0, 40);
  const res2 = await post(siem, `token=${siem.shippingToken}`, Buffer.concat([bad, Buffer.from('garbage')]), {
    'content-encoding': 'gzip',
  });
  assert.equal(res2.statusCode, 400);
  assert.equal(res2.json().errorCode, 'INVALID_COMPRESSION');
  assert.equal(rows(siem).length, 100);
  const res3 = await post(siem, `token=${siem.shippingToken}`, 'x', { 'content-encoding': 'br' });
  assert.equal(res3.statusCode, 415);
  assert.match(res3.json().message, /Content-Encoding/);
});

test('any content type (or none) is accepted', async (t) => {
  const siem = await setup(t);
  for (const ct of [
    'application/json',
    'application/x-ndjson',
    'text/plain; charset=utf-8',
    'application/octet-stream',
  ]) {
    const res = await post(siem, `token=${siem.shippingToken}`, JSON.stringify({ ct }), {
      'content-type': ct,
    });
    assert.equal(res.statusCode, 200, ct);
  }
  for (const ct of ['', 'not a media type;;']) {
    const res = await post(siem, `token=${siem.shippingToken}`, JSON.stringify({ ct }), {
      'content-type': ct,
    });
    assert.equal(res.statusCode, 200, ct);
  }
  // No Content-Type header at all.
  const res = await siem.listener.inject({
    method: 'POST',
    url: `/?token=${siem.shippingToken}`,
    payload: Buffer.from('{"ct":"none"}'),
  });
  assert.equal(res.statusCode, 200);
  assert.equal(rows(siem).length, 7);
});

test('mixed good and bad lines: bad ones are reported by line number, good ones are stored (400)', async (t) => {
  const siem = await setup(t);
  const body = [
    '{"ok":1}',
    '{"broken": ',
    '[1,2,3]',
    '"just a string"',
    '{"ok":2,"@timestamp":"yesterday-ish"}',
    '',
    '{"ok":3}',
  ].join('\n');
  const res = await post(siem, `token=${siem.shippingToken}`, body);
  assert.equal(res.statusCode, 400);
  const r = res.json();
  assert.equal(r.successfulLines, 2);
  assert.equal(r.malformedLines, 4);
  assert.equal(r.oversizedLines, 0);
  assert.equal(r.emptyLogLines, 1);
  assert.deepEqual(
    r.errors.map((e: { line: number }) => e.line),
    [2, 3, 4, 5],
  );
  assert.match(r.errors[0].reason, /not valid JSON/);
  assert.match(r.errors[1].reason, /not an object/);
  assert.match(r.errors[3].reason, /@timestamp/);
  assert.deepEqual(
    rows(siem).map((x) => x.d.ok),
    [1, 3],
  );
});

test('a deeply nested line is malformed; it neither fails the request nor drops the good lines', async (t) => {
  const siem = await setup(t);
  const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const ts = new Date(siem.clock.now()).toISOString();
  const body = [
    '{"ok":1}',
    // Would overflow JSON.stringify (the listener adds type and @timestamp)...
    `{"x":${nest(100_000)}}`,
    // ...and, stored as sent, SQLite's json_tree (over 1000 levels) in the free-text trigger.
    JSON.stringify({ '@timestamp': ts, type: 'deep' }).slice(0, -1) + `,"x":${nest(2000)}}`,
    `{"ok":2,"x":${nest(99)}}`,
  ].join('\n');
  const res = await post(siem, `token=${siem.shippingToken}`, body);
  assert.equal(res.statusCode, 400, res.body);
  const r = res.json();
  assert.equal(r.successfulLines, 2);
  assert.equal(r.malformedLines, 2);
  assert.deepEqual(
    r.errors.map((e: { line: number }) => e.line),
    [2, 3],
  );
  assert.match(r.errors[0].reason, /nested more than 100 levels/);
  assert.deepEqual(
    rows(siem).map((x) => x.d.ok),
    [1, 2],
  );
});

test('a line over the per-line limit is rejected as oversized; the other lines are stored', async (t) => {
  const siem = await setup(t, { listener: { maxLineBytes: 100 } });
  const big = JSON.stringify({ big: 'x'.repeat(500) });
  const res = await post(siem, `token=${siem.shippingToken}`, `{"a":1}\n${big}\n{"a":2}`);
  assert.equal(res.statusCode, 400);
  const r = res.json();
  assert.equal(r.oversizedLines, 1);
  assert.equal(r.successfulLines, 2);
  assert.deepEqual(r.errors, [{ line: 2, reason: `line is ${big.length} bytes; the per-line limit is 100` }]);
  assert.deepEqual(
    rows(siem).map((x) => x.d.a),
    [1, 2],
  );
});

test('a request over the limit is a 413 and stores nothing, compressed or not', async (t) => {
  const siem = await setup(t, { listener: { maxRequestBytes: 4096 } });
  const body = Array.from({ length: 200 }, (_, i) => JSON.stringify({ i, pad: 'p'.repeat(20) })).join('\n');
  const res = await post(siem, `token=${siem.shippingToken}`, body);
  assert.equal(res.statusCode, 413);
  assert.equal(res.json().errorCode, 'PAYLOAD_TOO_LARGE');
  // Small on the wire, large once decompressed: the decompressed size is limited too.
  const gz = gzipSync(body);
  assert.ok(gz.length < 4096);
  const res2 = await post(siem, `token=${siem.shippingToken}`, gz, { 'content-encoding': 'gzip' });
  assert.equal(res2.statusCode, 413);
  assert.match(res2.json().message, /decompressed/);
  assert.equal(rows(siem).length, 0);
});

test('missing, unknown or non-shipping tokens are 401 and store nothing', async (t) => {
  const siem = await setup(t);
  const cases: [string, string][] = [
    ['', 'MISSING_TOKEN'],
    ['token=', 'MISSING_TOKEN'],
    ['token=00000000-0000-0000-0000-000000000000', 'INVALID_TOKEN'],
    [`token=${siem.logsToken}`, 'INVALID_TOKEN'],
  ];
  for (const [q, code] of cases) {
    const res = await post(siem, q, '{"a":1}');
    assert.equal(res.statusCode, 401, q);
    assert.equal(res.json().errorCode, code);
    assert.ok(!res.body.includes(siem.logsToken));
  }
  assert.equal(rows(siem).length, 0);
});

test('a type parameter with spaces is a 400 naming it', async (t) => {
  const siem = await setup(t);
  const res = await post(siem, `token=${siem.shippingToken}&type=has%20space`, '{"a":1}');
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().field, 'querystring.type');
  assert.equal(rows(siem).length, 0);
});

test('a failing store write leaves nothing behind from the request (one transaction)', async (t) => {
  const siem = await setup(t);
  // 200 lines, the last one pushes the store into failure via a trigger: no row may remain.
  siem.ctx.store.db.exec(
    "CREATE TRIGGER fail_last BEFORE INSERT ON logs WHEN json_extract(NEW.doc, '$.i') = 199 BEGIN SELECT RAISE(ABORT, 'boom'); END",
  );
  const body = Array.from({ length: 200 }, (_, i) => JSON.stringify({ i })).join('\n');
  const res = await post(siem, `token=${siem.shippingToken}`, body);
  assert.equal(res.statusCode, 500);
  assert.equal(rows(siem).length, 0);
});

test('on a real socket an over-limit body gets its 413 and the connection is closed; the listener keeps serving', async (t) => {
  const siem = await buildTestSiem({ listen: true, config: { listener: { maxRequestBytes: 64 * 1024 } } });
  t.after(() => siem.close());
  const url = `${siem.ctx.urls.listener}/?token=${siem.shippingToken}`;
  const body = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(100) })).join('\n');
  for (const streamed of [false, true]) {
    const res = await fetch(url, {
      method: 'POST',
      body: streamed ? new Blob([body]).stream() : body,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413, `streamed: ${streamed}`);
    assert.equal(res.headers.get('connection'), 'close');
    assert.equal(((await res.json()) as { errorCode: string }).errorCode, 'PAYLOAD_TOO_LARGE');
  }
  const ok = await fetch(url, { method: 'POST', body: '{"a":1}' });
  assert.equal(ok.status, 200);
  assert.equal(rows(siem).length, 1);
});

test('a 1000-line request is stored in order under consecutive storage sequence numbers', async (t) => {
  const siem = await setup(t);
  const body = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ i, type: 't' })).join('\n');
  assert.equal((await post(siem, `token=${siem.shippingToken}`, body)).statusCode, 200);
  const stored = rows(siem);
  assert.equal(stored.length, 1000);
  stored.forEach((r, i) => {
    assert.equal(r.d.i, i);
    assert.equal(r.seq, stored[0].seq + i);
  });
});

test('an empty body is a 200 that stores nothing', async (t) => {
  const siem = await setup(t);
  assert.equal((await post(siem, `token=${siem.shippingToken}`, '')).statusCode, 200);
  assert.equal((await post(siem, `token=${siem.shippingToken}`, '\n\n')).statusCode, 200);
  assert.equal(rows(siem).length, 0);
});
