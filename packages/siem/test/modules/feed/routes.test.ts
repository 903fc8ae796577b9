import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { FeedEvent, PROBLEM_TYPE_BASE, ProblemBody } from '@siemlink/contracts';
import { signEdgeGrid } from '../../../src/modules/feed/edgegrid.ts';
import { buildFeedSiem, parseFeed, type FeedSiem } from './feed-helpers.ts';
import { createConfig } from '../events/seed.ts';

FormatRegistry.Set('uuid', (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));

const feed = (
  siem: FeedSiem,
  query: string,
  opts: { ids?: string; token?: string | null; headers?: Record<string, string> } = {},
) =>
  siem.api.inject({
    method: 'GET',
    url: `/siem/v1/configs/${opts.ids ?? siem.configId}${query ? `?${query}` : ''}`,
    headers: {
      ...(opts.token === null ? {} : { 'x-api-token': opts.token ?? siem.siemToken }),
      ...opts.headers,
    },
  });
const nowS = (siem: FeedSiem) => Math.floor(siem.clock.now() / 1000);

function assertProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  type: string,
) {
  assert.equal(res.statusCode, status);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json() as ProblemBody;
  assert.ok(Value.Check(ProblemBody, body), JSON.stringify(body));
  assert.equal(body.type, type.startsWith('https://') ? type : `${PROBLEM_TYPE_BASE}${type}`);
  assert.equal(body.status, status);
  for (const k of [
    'title',
    'detail',
    'instance',
    'method',
    'serverIp',
    'clientIp',
    'requestId',
    'requestTime',
  ] as const) {
    assert.equal(typeof body[k], 'string', k);
  }
  return body;
}

test('time mode: NDJSON lines in storage order, each line a FeedEvent, exact context line, trailing newline', async (t) => {
  const siem = await buildFeedSiem(t);
  const from = nowS(siem);
  const ids = [...siem.add(2), ...siem.add(1)];
  await siem.fake.advance(6000);
  const res = await feed(siem, `from=${from}`);
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.ok(res.body.endsWith('\n'));
  const parsed = parseFeed(res.body);
  assert.deepEqual(
    parsed.events.map((e) => e.alertEventId),
    ids,
  );
  for (const e of parsed.events) {
    assert.ok(Value.Check(FeedEvent, e), JSON.stringify([...Value.Errors(FeedEvent, e)][0]));
    assert.equal(e.configId, String(siem.configId));
    assert.equal(e.accountId, siem.siemAccountId);
    assert.equal(typeof e.storedAt, 'number');
  }
  assert.match(parsed.lastLine, /^\{ "total": 3, "offset": "[^"]+" \}$/);
  // XSOAR's legacy parser: everything but the context line and the trailing '' are events.
  assert.equal(res.body.split('\n').slice(0, -2).length, 3);
  assert.ok(!res.body.includes('{ "total": 0'));
});

test('Akamai envelope: integer-string httpMessage.start, decodable rule members, required keys', async (t) => {
  const siem = await buildFeedSiem(t);
  const from = nowS(siem);
  siem.add(1);
  await siem.fake.advance(6000);
  const [e] = parseFeed((await feed(siem, `from=${from}`)).body).events as Record<
    string,
    Record<string, string>
  >[];
  assert.equal(e!.type as unknown, 'akamai_siem');
  assert.equal(e!.format as unknown, 'json');
  assert.match(e!.httpMessage!.start!, /^\d+$/);
  assert.equal(Number(e!.httpMessage!.start), Math.floor(e!.eventDate as unknown as number));
  assert.equal(e!.httpMessage!.requestId, e!.alertEventId as unknown as string);
  const decode = (v: string) =>
    decodeURIComponent(v)
      .split(';')
      .map((b) => Buffer.from(b, 'base64').toString('utf8'));
  assert.deepEqual(decode(e!.attackData!.ruleMessages!), [e!.name as unknown as string]);
  assert.deepEqual(decode(e!.attackData!.ruleActions!), ['alert']);
  assert.deepEqual(decode(e!.attackData!.rules!), [String(e!.alertId)]);
  assert.equal(e!.attackData!.clientIP, '122.17.45.15');
  assert.equal(e!.attackData!.configId, String(siem.configId));
  for (const k of ['asn', 'city', 'continent', 'country', 'regionCode'])
    assert.equal(typeof e!.geo![k], 'string');
});

test('the 5-second latency: time mode never serves it, offset mode picks it up later', async (t) => {
  const siem = await buildFeedSiem(t);
  const from = nowS(siem);
  const early = siem.add(2);
  await siem.fake.advance(3000);
  const late = siem.add(1); // stored 3 s before... 2 s from the cutoff below
  await siem.fake.advance(4000); // early: 7 s old (served), late: 4 s old (not yet)
  const time = parseFeed((await feed(siem, `from=${from}`)).body);
  assert.deepEqual(
    time.events.map((e) => e.alertEventId),
    early,
  );
  // Time mode with an explicit `to` of now - 5 s: same answer.
  const timeTo = parseFeed((await feed(siem, `from=${from}&to=${nowS(siem) - 5}`)).body);
  assert.deepEqual(
    timeTo.events.map((e) => e.alertEventId),
    early,
  );
  const off1 = parseFeed((await feed(siem, `offset=${time.context!.offset}`)).body);
  assert.equal(off1.context!.total, 0);
  await siem.fake.advance(1500);
  const off2 = parseFeed((await feed(siem, `offset=${off1.context!.offset}`)).body);
  assert.deepEqual(
    off2.events.map((e) => e.alertEventId),
    late,
  );
});

test('an event committed later with an older storage time never lets the offset skip a pending one', async (t) => {
  const siem = await buildFeedSiem(t);
  const from = nowS(siem);
  const first = parseFeed((await feed(siem, `from=${from - 10}`)).body).context!.offset;
  const pending = siem.add(1); // seq n, stored now: invisible for 5 s
  const stale = siem.add(1, { storedAt: siem.clock.now() - 60_000 }); // seq n+1, visible at once
  const r1 = parseFeed((await feed(siem, `offset=${first}`)).body);
  assert.equal(r1.context!.total, 0, 'must not serve seq n+1 before seq n is visible');
  await siem.fake.advance(5001);
  const r2 = parseFeed((await feed(siem, `offset=${r1.context!.offset}`)).body);
  assert.deepEqual(
    r2.events.map((e) => e.alertEventId),
    [...pending, ...stale],
  );
});

test('limit: default 10000, "limit" in the context only when reached, offset continues exactly', async (t) => {
  const siem = await buildFeedSiem(t);
  const from = nowS(siem);
  const ids = siem.add(7);
  await siem.fake.advance(6000);
  const p1 = parseFeed((await feed(siem, `from=${from}&limit=3`)).body);
  assert.equal(p1.events.length, 3);
  assert.match(p1.lastLine, /^\{ "total": 3, "offset": "[^"]+", "limit": 3 \}$/);
  const p2 = parseFeed((await feed(siem, `offset=${encodeURIComponent(p1.context!.offset)}&limit=3`)).body);
  const p3 = parseFeed((await feed(siem, `offset=${p2.context!.offset}&limit=3`)).body);
  assert.equal(p3.context!.limit, undefined);
  assert.deepEqual(
    [...p1.events, ...p2.events, ...p3.events].map((e) => e.alertEventId),
    ids,
  );
  const p4 = await feed(siem, `offset=${p3.context!.offset}`);
  assert.match(p4.body, /^\{ "total": 0, "offset": "[^"]+" \}\n$/);
  // Default limit: everything, no "limit" key.
  assert.equal(parseFeed((await feed(siem, `from=${from}`)).body).context!.limit, undefined);
});

test('time mode offset lets a client switch to offset mode without repeats', async (t) => {
  const siem = await buildFeedSiem(t);
  const from = nowS(siem);
  const a = siem.add(2);
  await siem.fake.advance(6000);
  const time = parseFeed((await feed(siem, `from=${from}`)).body);
  assert.deepEqual(
    time.events.map((e) => e.alertEventId),
    a,
  );
  const b = siem.add(2);
  await siem.fake.advance(6000);
  const next = parseFeed((await feed(siem, `offset=${time.context!.offset}`)).body);
  assert.deepEqual(
    next.events.map((e) => e.alertEventId),
    b,
  );
});

test('empty responses carry a fresh offset, so a quiet feed polled for 12 h never expires', async (t) => {
  const siem = await buildFeedSiem(t);
  let offset = parseFeed((await feed(siem, `from=${nowS(siem) - 10}`)).body).context!.offset;
  for (let i = 0; i < 5; i++) {
    await siem.fake.advance(4 * 3600_000);
    const res = await feed(siem, `offset=${offset}`);
    assert.equal(res.statusCode, 200, res.body);
    offset = parseFeed(res.body).context!.offset;
  }
  const ids = siem.add(1);
  await siem.fake.advance(6000);
  assert.deepEqual(
    parseFeed((await feed(siem, `offset=${offset}`)).body).events.map((e) => e.alertEventId),
    ids,
  );
});

test('offset older than 12 h: 416 "Requested Range Not Satisfiable", problem type offset-too-old', async (t) => {
  const siem = await buildFeedSiem(t);
  siem.add(1);
  await siem.fake.advance(6000);
  const offset = parseFeed((await feed(siem, `from=${nowS(siem) - 10}&limit=1`)).body).context!.offset;
  await siem.fake.advance(12 * 3600_000 + 60_000);
  const res = await feed(siem, `offset=${offset}`);
  assert.equal(res.statusMessage, 'Requested Range Not Satisfiable');
  const body = assertProblem(res, 416, 'offset-too-old');
  assert.equal(body.title, 'Expired offset parameter in the request');
});

test('fault: offsetMaxAgeSeconds expires offsets early', async (t) => {
  const siem = await buildFeedSiem(t, { config: { faultInjection: true } });
  const offset = parseFeed((await feed(siem, `from=${nowS(siem) - 10}`)).body).context!.offset;
  await siem.fake.advance(120_000);
  assert.equal((await feed(siem, `offset=${offset}`)).statusCode, 200);
  siem.ctx.faults.set({ offsetMaxAgeSeconds: 60 });
  assertProblem(await feed(siem, `offset=${offset}`), 416, 'offset-too-old');
});

test("config ids: several separated by ; or %3B; unknown or another account's -> 404 not-found", async (t) => {
  const siem = await buildFeedSiem(t);
  const other = createConfig(siem, siem.siemAccountId, 'second');
  const from = nowS(siem);
  const a = siem.add(1);
  const b = siem.add(1, { configId: other });
  await siem.fake.advance(6000);
  for (const ids of [
    `${siem.configId};${other}`,
    `${siem.configId}%3B${other}`,
    `${siem.configId}%3b${other};`,
  ]) {
    const res = await feed(siem, `from=${from}`, { ids });
    assert.equal(res.statusCode, 200, `${ids}: ${res.body}`);
    assert.deepEqual(
      parseFeed(res.body).events.map((e) => e.alertEventId),
      [...a, ...b],
    );
  }
  const only = parseFeed((await feed(siem, `from=${from}`, { ids: String(other) })).body);
  assert.deepEqual(
    only.events.map((e) => e.alertEventId),
    b,
  );
  assertProblem(await feed(siem, `from=${from}`, { ids: `${siem.configId};999999999` }), 404, 'not-found');
  const foreign = createConfig(siem, siem.logsAccountId, 'not yours');
  siem.add(1, { configId: foreign, accountId: siem.logsAccountId });
  assertProblem(await feed(siem, `from=${from}`, { ids: String(foreign) }), 404, 'not-found');
  const bad = assertProblem(await feed(siem, `from=${from}`, { ids: 'abc' }), 400, 'missing-parameters');
  assert.equal(bad.errors?.[0]?.field, 'configId');
});

test('parameter rules: each illegal combination is 400 missing-parameters naming the field', async (t) => {
  const siem = await buildFeedSiem(t);
  const n = nowS(siem);
  const offset = parseFeed((await feed(siem, `from=${n - 10}`)).body).context!.offset;
  const cases: [string, string][] = [
    ['', 'offset'],
    ['limit=10', 'offset'],
    [`to=${n - 10}`, 'from'],
    [`offset=${offset}&from=${n - 10}`, 'from'],
    [`offset=${offset}&to=${n - 10}`, 'to'],
    [`from=${n - 10}&to=${n - 20}`, 'from'],
    [`from=${n - 13 * 3600}&to=${n - 10}`, 'from'],
    [`from=${n + 60}`, 'from'], // in the future
    [`from=${n * 1000}`, 'from'], // milliseconds are not guessed
    [`from=${n - 10}&limit=600001`, 'limit'],
    [`from=${n - 10}&limit=0`, 'limit'],
    [`from=${n - 10}&limit=ten`, 'limit'],
    [`from=yesterday`, 'from'],
    [`from=true`, 'from'],
    [`from=${n - 10}&to=${n - 5}&to=${n - 4}`, 'to'], // repeated: which one?
    [`from=${n - 10}&limit=1.5`, 'limit'],
    ['offset=garbage', 'offset'],
    // Change the last character to a different one (a fixed 'x' is a no-op 1 time in 16).
    [`offset=${offset.slice(0, -1)}${offset.endsWith('x') ? 'y' : 'x'}`, 'offset'],
  ];
  for (const [q, field] of cases) {
    const body = assertProblem(await feed(siem, q), 400, 'missing-parameters');
    assert.equal(body.errors?.[0]?.field, field, `${q}: ${JSON.stringify(body)}`);
  }
  assert.equal((await feed(siem, `from=${n - 10}&to=${n - 5}&limit=600000`)).statusCode, 200);
});

test('leniency: to past now - 5 s is clamped, empty parameters are absent, fractions floored, a fresh from is an empty window', async (t) => {
  const siem = await buildFeedSiem(t);
  const n0 = nowS(siem);
  const early = siem.add(2);
  await siem.fake.advance(10_000);
  const fresh = siem.add(1); // stored 0 s ago: never served before now - 5 s
  const n = nowS(siem);
  const served = (q: string) => {
    return feed(siem, q).then((res) => {
      assert.equal(res.statusCode, 200, `${q}: ${res.body}`);
      return parseFeed(res.body).events.map((e) => e.alertEventId);
    });
  };
  for (const q of [
    `from=${n0}&to=${n}`, // XSOAR get-events with a relative time: to = now
    `from=${n0}&to=${n - 4}`,
    `from=${n0}&to=${n + 3600}`,
    `from=${n0}&to=`,
    `offset=&from=${n0}`,
    `from=${n0}&limit=`,
    `from=${n0}.75&to=${n}.2`,
  ]) {
    assert.deepEqual(await served(q), early, q);
  }
  assert.deepEqual(await served(`from=${n - 2}`), []);
  const window = parseFeed((await feed(siem, `from=${n - 2}&to=${n}`)).body);
  assert.equal(window.context!.total, 0);
  await siem.fake.advance(6000);
  // The empty window's offset continues in offset mode with what it left out.
  assert.deepEqual(
    parseFeed((await feed(siem, `offset=${window.context!.offset}`)).body).events.map((e) => e.alertEventId),
    fresh,
  );
});

test('XSOAR test button: from=1488816442&limit=1 without to is clamped to the last 12 h', async (t) => {
  const siem = await buildFeedSiem(t);
  siem.add(1, { storedAt: siem.clock.now() - 13 * 3600_000 });
  const recent = siem.add(1, { storedAt: siem.clock.now() - 11 * 3600_000 });
  siem.add(1, { storedAt: siem.clock.now() - 10 * 3600_000 });
  const res = await feed(siem, 'from=1488816442&limit=1');
  assert.equal(res.statusCode, 200, res.body);
  const parsed = parseFeed(res.body);
  assert.deepEqual(
    parsed.events.map((e) => e.alertEventId),
    recent,
  );
  assert.equal(parsed.context!.limit, 1);
  // An empty answer is the substring XSOAR looks for.
  const empty = await feed(siem, `from=${nowS(siem) - 8}`);
  assert.ok(empty.body.startsWith('{ "total": 0, "offset": "'));
});

test('auth: none 401, unknown 401, logs account 403 (problem+json unauthorized)', async (t) => {
  const siem = await buildFeedSiem(t);
  const q = `from=${nowS(siem) - 10}`;
  assertProblem(await feed(siem, q, { token: null }), 401, 'unauthorized');
  assertProblem(await feed(siem, q, { token: 'bogus-token-123' }), 401, 'unauthorized');
  const logs = assertProblem(await feed(siem, q, { token: siem.logsToken }), 403, 'unauthorized');
  assert.equal(logs.title, 'Unauthorized');
  assert.ok(!JSON.stringify(logs).includes(siem.logsToken));
});

test('EdgeGrid: a correctly signed request (client_secret = access_token = SIEM token) is accepted', async (t) => {
  const siem = await buildFeedSiem(t);
  const path = `/siem/v1/configs/${siem.configId}?from=${nowS(siem) - 10}&limit=5`;
  const host = 'siem.local:8080';
  const sign = (over: { secret?: string; nowMs?: number; path?: string } = {}) =>
    signEdgeGrid(
      { method: 'GET', scheme: 'http', host, pathAndQuery: over.path ?? path },
      {
        clientToken: 'akab-client',
        accessToken: siem.siemToken,
        clientSecret: over.secret ?? siem.siemToken,
      },
      { nowMs: over.nowMs ?? siem.clock.now(), nonce: 'c2b5b1a8-0d3e-4f0e-9a3f-5c1d2e3f4a5b' },
    );
  const get = (authorization: string) =>
    siem.api.inject({ method: 'GET', url: path, headers: { host, authorization } });
  const ok = await get(sign());
  assert.equal(ok.statusCode, 200, ok.body);
  assertProblem(await get(sign({ secret: 'wrong-secret' })), 401, 'unauthorized');
  assertProblem(await get(sign({ path: path.replace('limit=5', 'limit=6') })), 401, 'unauthorized');
  const skew = assertProblem(
    await get(sign({ nowMs: siem.clock.now() - 60_000 })),
    400,
    'https://problems.luna.akamaiapis.net/-/pep-authn/request-error',
  );
  assert.equal(skew.detail, 'Invalid timestamp');
  assertProblem(await get('EG1-HMAC-SHA256 client_token=a;access_token=b'), 401, 'unauthorized');
});

test('fault: rate429/rate5xx answer feed requests as problem+json; the admin path is never faulted', async (t) => {
  const siem = await buildFeedSiem(t, { config: { faultInjection: true } });
  const q = `from=${nowS(siem) - 10}`;
  siem.ctx.faults.set({ rate429: 1 });
  const r = await feed(siem, q);
  assertProblem(r, 429, 'too-many-requests');
  assert.equal(r.headers['retry-after'], '1');
  siem.ctx.faults.set({ rate429: 0, rate5xx: 1 });
  const s = await feed(siem, q);
  assert.ok([500, 502, 503, 504].includes(s.statusCode));
  assert.match(String(s.headers['content-type']), /^application\/problem\+json/);
  siem.ctx.faults.set({ rate5xx: 1, paths: ['/v2/'] });
  assert.equal((await feed(siem, q)).statusCode, 200);
});

test('a clock that steps back never lets a time-mode offset skip an event stored before it', async (t) => {
  const siem = await buildFeedSiem(t);
  const from = nowS(siem) - 120;
  const before = siem.add(1); // seq n, stored now
  siem.fake.set(siem.clock.now() - 60_000); // the system clock steps back a minute
  const after = siem.add(1); // seq n+1, committed later
  await siem.fake.advance(10_000); // only the second is older than the 5-second cutoff
  const time = parseFeed((await feed(siem, `from=${from}`)).body);
  await siem.fake.advance(120_000);
  const next = parseFeed((await feed(siem, `offset=${time.context!.offset}`)).body);
  const served = [...time.events, ...next.events].map((e) => e.alertEventId);
  assert.deepEqual(served, [...before, ...after], 'every event once, in commit order');
});

test('an offset is bound to its configuration set: reused for another set it is a 400, never a silent skip', async (t) => {
  const siem = await buildFeedSiem(t);
  const other = createConfig(siem, siem.siemAccountId, 'added later');
  const from = nowS(siem);
  const b = siem.add(1, { configId: other }); // stored before the offset below was issued
  const a = siem.add(1);
  await siem.fake.advance(6000);
  const one = parseFeed((await feed(siem, `from=${from}`)).body);
  assert.deepEqual(
    one.events.map((e) => e.alertEventId),
    a,
  );
  // e.g. an XSOAR instance whose config ids were edited keeps its stored offset
  const both = `${siem.configId};${other}`;
  const reused = assertProblem(
    await feed(siem, `offset=${one.context!.offset}`, { ids: both }),
    400,
    'missing-parameters',
  );
  assert.equal(reused.errors?.[0]?.field, 'offset');
  const fresh = parseFeed((await feed(siem, `from=${from}`, { ids: both })).body);
  assert.deepEqual(
    fresh.events.map((e) => e.alertEventId),
    [...b, ...a],
  );
  // The same set in another order or spelling is the same set.
  const again = await feed(siem, `offset=${fresh.context!.offset}`, { ids: `${other}%3B${siem.configId};` });
  assert.equal(again.statusCode, 200, again.body);
});

test('time mode: from and to are whole inclusive seconds; its offset continues right after to, every event once', async (t) => {
  const siem = await buildFeedSiem(t);
  const sec = nowS(siem) - 60;
  const at = (ms: number) => siem.add(1, { storedAt: ms });
  const before = at(sec * 1000 - 1);
  const first = at(sec * 1000);
  const last = [...at(sec * 1000 + 999), ...at(sec * 1000 + 999)]; // same millisecond
  const after = at(sec * 1000 + 1000);
  const time = parseFeed((await feed(siem, `from=${sec}&to=${sec}`)).body);
  assert.deepEqual(
    time.events.map((e) => e.alertEventId),
    [...first, ...last],
  );
  const next = parseFeed((await feed(siem, `offset=${time.context!.offset}`)).body);
  assert.deepEqual(
    next.events.map((e) => e.alertEventId),
    after,
  );
  assert.ok(!next.events.some((e) => before.includes(e.alertEventId as string)));
});
