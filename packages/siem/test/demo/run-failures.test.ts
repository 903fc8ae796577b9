import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { runDemo } from '../../src/demo/run.ts';
import { buildTestSiem, type TestSiem } from '../helpers.ts';

const count = (siem: TestSiem) =>
  (siem.ctx.store.db.prepare('SELECT count(*) AS n FROM logs').get() as { n: number }).n;

/** Turns of the event loop until the demo waits on the fake clock again (bounded). */
async function settle() {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
}

const health = async (siem: TestSiem) => {
  const res = await siem.api.inject({ method: 'GET', url: '/health' });
  return { status: res.statusCode, body: res.json(), retryAfter: res.headers['retry-after'] };
};

test('a full disk makes the demo retry with backoff, visible in GET /health; it resumes when space returns', async (t) => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const siem = await buildTestSiem({ clock });
  t.after(() => siem.close());
  const stop = new AbortController();
  const done = runDemo(siem.ctx, stop.signal, {
    historyMs: 60_000,
    historyRatePerSecond: 1,
    ratePerSecond: 50,
  });
  t.after(async () => {
    stop.abort();
    await done;
  });
  await settle();
  const afterHistory = count(siem);
  assert.ok(afterHistory > 0);
  assert.equal((await health(siem)).body.services.demo.state, 'running');

  const db = siem.ctx.store.db;
  const { page_count } = db.prepare('PRAGMA page_count').get() as { page_count: number };
  db.exec(`PRAGMA max_page_count = ${page_count}`);
  for (let i = 0; i < 20; i++) {
    await clock.advance(1000);
    await settle();
  }
  const h = await health(siem);
  assert.equal(h.status, 503);
  assert.equal(h.retryAfter, '5');
  assert.equal(h.body.status, 'degraded');
  assert.equal(h.body.services.demo.state, 'retrying');
  assert.match(h.body.services.demo.lastError, /disk is full/);
  assert.ok(h.body.services.demo.consecutiveFailures >= 2, 'it kept trying');
  assert.ok(h.body.services.demo.consecutiveFailures <= 5, 'with growing waits, not every tick');
  assert.equal(count(siem), afterHistory);

  db.exec('PRAGMA max_page_count = 1073741823');
  for (let i = 0; i < 70 && (await health(siem)).body.services.demo.state !== 'running'; i++) {
    await clock.advance(1000);
    await settle();
  }
  const ok = await health(siem);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.status, 'ok');
  assert.equal(ok.body.services.demo.consecutiveFailures, 0);
  assert.ok(count(siem) > afterHistory, 'writing again');
  // The listener answers the same health.
  assert.equal((await siem.listener.inject({ method: 'GET', url: '/health' })).statusCode, 200);
});
