import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FAULTS } from '../../../src/faults.ts';
import type { FakeClock } from '../../../src/clock.ts';
import { buildTestSiem, type TestSiem } from '../../helpers.ts';

const PATH = '/admin/faults';
const SEARCH = '/v2/security/rules/events/search';

async function siemWithFaults(t: import('node:test').TestContext, enabled = true) {
  const siem = await buildTestSiem({ config: { faultInjection: enabled } });
  t.after(() => siem.close());
  return siem;
}
const admin = (
  siem: TestSiem,
  method: 'GET' | 'PUT' | 'DELETE',
  body?: object,
  token: string | null = siem.siemToken,
) =>
  siem.api.inject({
    method,
    url: PATH,
    headers: token ? { 'x-api-token': token } : {},
    ...(body ? { payload: body } : {}),
  });
const search = (siem: TestSiem) =>
  siem.api.inject({ method: 'POST', url: SEARCH, headers: { 'x-api-token': siem.siemToken }, payload: {} });

test('the admin endpoint does not exist unless fault injection is enabled', async (t) => {
  const siem = await siemWithFaults(t, false);
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    const res = await admin(siem, method, method === 'PUT' ? { rate429: 1 } : undefined);
    assert.equal(res.statusCode, 404);
  }
  assert.equal(siem.ctx.faults.get().rate429, 0);
});

test('GET, PUT (merge) and DELETE (reset); main logs or SIEM token only', async (t) => {
  const siem = await siemWithFaults(t);
  const get = await admin(siem, 'GET');
  assert.equal(get.statusCode, 200);
  assert.deepEqual(get.json(), DEFAULT_FAULTS);
  const put = await admin(siem, 'PUT', { rate5xx: 0.25, paths: ['/siem/'] });
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual(put.json(), { ...DEFAULT_FAULTS, rate5xx: 0.25, paths: ['/siem/'] });
  const put2 = await admin(siem, 'PUT', { offsetMaxAgeSeconds: 60 });
  assert.equal(put2.json().rate5xx, 0.25);
  assert.equal(put2.json().offsetMaxAgeSeconds, 60);
  assert.equal(siem.ctx.faults.get(siem.siemAccountId).offsetMaxAgeSeconds, 60);
  // The main logs account may set faults too, but only its own.
  assert.deepEqual((await admin(siem, 'GET', undefined, siem.logsToken)).json(), DEFAULT_FAULTS);
  const del = await admin(siem, 'DELETE');
  assert.deepEqual(del.json(), DEFAULT_FAULTS);
  assert.equal((await admin(siem, 'GET', undefined, null)).statusCode, 401);
  assert.equal((await admin(siem, 'GET', undefined, 'bogus-token')).statusCode, 401);
});

test('bad settings are a 400 naming the field, and change nothing', async (t) => {
  const siem = await siemWithFaults(t);
  for (const [body, field] of [
    [{ rate429: 1.5 }, 'body.rate429'],
    [{ slowMs: -1 }, 'body.slowMs'],
    [{ rate_429: 1 }, 'body.rate_429'],
    [{ offsetMaxAgeSeconds: 0 }, 'body.offsetMaxAgeSeconds'],
  ] as const) {
    const res = await admin(siem, 'PUT', body);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().field, field);
  }
  assert.deepEqual(siem.ctx.faults.get(), DEFAULT_FAULTS);
});

test('rate429 answers 429 with Retry-After; rate5xx one of 500/502/503/504; the admin path is exempt', async (t) => {
  const siem = await siemWithFaults(t);
  await admin(siem, 'PUT', { rate429: 1 });
  const r = await search(siem);
  assert.equal(r.statusCode, 429);
  assert.equal(r.headers['retry-after'], '1');
  assert.equal(r.json().errorCode, 'TOO_MANY_REQUESTS');
  assert.equal((await admin(siem, 'GET')).statusCode, 200);
  await admin(siem, 'PUT', { rate429: 0, rate5xx: 1 });
  const seen = new Set<number>();
  for (let i = 0; i < 40; i++) seen.add((await search(siem)).statusCode);
  assert.deepEqual([...seen].sort(), [500, 502, 503, 504]);
  await admin(siem, 'DELETE');
  assert.equal((await search(siem)).statusCode, 200);
});

test('shares are honoured through the injectable random source; paths filter by prefix', async (t) => {
  const siem = await siemWithFaults(t);
  const draws = [0.1, 0.3, 0.6, 0.9];
  let i = 0;
  siem.ctx.faults.random = () => draws[i++ % draws.length]!;
  siem.ctx.faults.set({ rate429: 0.5 });
  const codes = [];
  for (let k = 0; k < 4; k++) codes.push((await search(siem)).statusCode);
  assert.deepEqual(codes, [429, 429, 200, 200]);
  siem.ctx.faults.set({ rate429: 1, paths: ['/siem/v1/'] });
  assert.equal((await search(siem)).statusCode, 200);
});

test('slowShare delays a request by slowMs of the injected clock', async (t) => {
  const siem = await siemWithFaults(t);
  const clock = siem.clock as FakeClock;
  siem.ctx.faults.set({ slowShare: 1, slowMs: 30_000 });
  // Advance only once the request is asleep, or the advance would happen before the sleep.
  const sleep = clock.sleep.bind(clock);
  const asleep = Promise.withResolvers<number>();
  clock.sleep = (ms, signal) => {
    asleep.resolve(ms);
    return sleep(ms, signal);
  };
  let done = false;
  const pending = search(siem).then((r) => {
    done = true;
    return r;
  });
  assert.equal(await asleep.promise, 30_000);
  await clock.advance(29_000);
  assert.equal(done, false);
  await clock.advance(1_000);
  const res = await pending;
  assert.equal(done, true);
  assert.equal(res.statusCode, 200);
});

test('fault settings are per account: one tenant cannot make another tenant’s requests fail', async (t) => {
  const siem = await siemWithFaults(t);
  const whoami = (token: string) =>
    siem.api.inject({ method: 'GET', url: '/v2/whoami', headers: { 'x-api-token': token } });
  const put = await admin(siem, 'PUT', { rate5xx: 1 });
  assert.equal(put.statusCode, 200);
  assert.equal((await search(siem)).statusCode >= 500, true);
  // The logs account, an unauthenticated caller and the instance-wide settings are untouched.
  assert.equal((await whoami(siem.logsToken)).statusCode, 200);
  assert.equal((await siem.api.inject({ method: 'GET', url: '/v2/whoami' })).statusCode, 401);
  assert.deepEqual(siem.ctx.faults.get(), DEFAULT_FAULTS);
  assert.deepEqual(siem.ctx.faults.get(siem.logsAccountId), DEFAULT_FAULTS);
  // And the logs account's own settings do not reach the SIEM account.
  await admin(siem, 'DELETE');
  await admin(siem, 'PUT', { rate429: 1 }, siem.logsToken);
  assert.equal((await whoami(siem.logsToken)).statusCode, 429);
  assert.equal((await search(siem)).statusCode, 200);
  await admin(siem, 'DELETE', undefined, siem.logsToken);
  assert.equal((await whoami(siem.logsToken)).statusCode, 200);
});

test('instance-wide settings (set in-process) apply to every account without its own', async (t) => {
  const siem = await siemWithFaults(t);
  siem.ctx.faults.set({ rate429: 1 });
  assert.equal((await search(siem)).statusCode, 429);
  // An account's own settings start from the instance-wide ones and then replace them for it.
  await admin(siem, 'PUT', { rate429: 0 });
  assert.equal((await search(siem)).statusCode, 200);
  siem.ctx.faults.reset();
  await admin(siem, 'DELETE');
  assert.equal((await search(siem)).statusCode, 200);
});

test('without fault injection nothing reads the settings: no request hook, the store’s own writer and feed', async (t) => {
  const siem = await siemWithFaults(t, false);
  siem.ctx.faults.set({
    rate429: 1,
    rate5xx: 1,
    slowShare: 1,
    slowMs: 60_000,
    burstSize: 3,
    feedCutShare: 1,
  });
  assert.equal((await search(siem)).statusCode, 200, 'no request is faulted');
  assert.equal(siem.api.hasPlugin('siemlink-faults'), false);
  assert.equal(siem.ctx.securityEvents.flush(Date.now()), 0);
  assert.equal(siem.ctx.feed.offsetMaxAgeSeconds(siem.siemAccountId), DEFAULT_FAULTS.offsetMaxAgeSeconds);
  const on = await siemWithFaults(t, true);
  assert.equal(on.api.hasPlugin('siemlink-faults'), true);
  on.ctx.faults.set({ offsetMaxAgeSeconds: 30 });
  assert.equal(on.ctx.feed.offsetMaxAgeSeconds(on.siemAccountId), 30);
});
