import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { runDemo } from '../../src/demo/run.ts';
import { buildTestSiem, type TestSiem } from '../helpers.ts';

const MIN = 60_000;

const count = (siem: TestSiem, where = '1 = 1', ...args: number[]) =>
  (siem.ctx.store.db.prepare(`SELECT count(*) AS n FROM logs WHERE ${where}`).get(...args) as { n: number })
    .n;

/**
 * A fake clock that says when runDemo (the sleeper with its signal) next waits on it: its history
 * is written, or its tick is done, and it does nothing more until the clock moves.
 */
class DemoClock extends FakeClock {
  #waiters: { signal: AbortSignal; resolve: () => void }[] = [];
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const p = super.sleep(ms, signal);
    const woken = this.#waiters.filter((w) => w.signal === signal);
    this.#waiters = this.#waiters.filter((w) => w.signal !== signal);
    for (const w of woken) w.resolve();
    return p;
  }
  /** Call before the step that makes the demo run (start, advance). */
  idle(signal: AbortSignal): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiters.push({ signal, resolve });
    return promise;
  }
}

test('runDemo writes the history, then a steady stream each tick, and stops on abort', async (t) => {
  const clock = new DemoClock(Date.UTC(2026, 0, 1, 12));
  const siem = await buildTestSiem({ clock });
  t.after(() => siem.close());
  const start = clock.now();
  const stop = new AbortController();
  let idle = clock.idle(stop.signal);
  const done = runDemo(siem.ctx, stop.signal, {
    historyMs: 30 * MIN,
    historyRatePerSecond: 2,
    ratePerSecond: 20,
  });
  await idle;
  const history = count(siem);
  assert.ok(history >= 30 * 60 * 2, `history ${history}`);
  assert.equal(count(siem, 'ts < ? OR ts >= ?', start - 30 * MIN, start), 0);
  assert.equal(count(siem, 'account_id != ?', siem.logsAccountId), 0);

  for (let i = 0; i < 5; i++) {
    idle = clock.idle(stop.signal);
    await clock.advance(1000);
    await idle;
  }
  const live = count(siem, 'ts >= ?', start);
  assert.ok(live >= 100, `live ${live}`);
  assert.equal(count(siem, 'ts >= ?', start + 5000), 0);
  // Every stored doc carries @timestamp (matching ts) and type.
  const row = siem.ctx.store.db.prepare('SELECT ts, type, doc FROM logs ORDER BY seq DESC LIMIT 1').get() as {
    ts: number;
    type: string;
    doc: string;
  };
  const doc = JSON.parse(row.doc);
  assert.equal(Date.parse(doc['@timestamp']), row.ts);
  assert.equal(doc.type, row.type);

  stop.abort();
  await done;
  const after = count(siem);
  await clock.advance(5000);
  assert.equal(count(siem), after);
});

test('a restart fills only the gap since the newest stored log, never the history twice', async (t) => {
  const clock = new DemoClock(Date.UTC(2026, 0, 1, 12));
  const siem = await buildTestSiem({ clock });
  t.after(() => siem.close());
  const opts = { historyMs: 60 * MIN, historyRatePerSecond: 1, ratePerSecond: 0 };
  const first = new AbortController();
  const idle1 = clock.idle(first.signal);
  const run1 = runDemo(siem.ctx, first.signal, opts);
  await idle1;
  first.abort();
  await run1;
  const afterFirst = count(siem);
  assert.ok(afterFirst >= 3600);

  clock.set(clock.now() + 10 * MIN);
  const second = new AbortController();
  const idle2 = clock.idle(second.signal);
  const run2 = runDemo(siem.ctx, second.signal, opts);
  await idle2;
  second.abort();
  await run2;
  const added = count(siem) - afterFirst;
  // 10 minutes at 1/s plus a few scenario bursts, not another hour.
  assert.ok(added >= 600 && added < 1500, `added ${added}`);
});

test('runDemo with an aborted signal writes no live logs and returns', async (t) => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const siem = await buildTestSiem({ clock });
  t.after(() => siem.close());
  const stop = new AbortController();
  stop.abort();
  await runDemo(siem.ctx, stop.signal, { historyMs: 10 * MIN });
  assert.equal(count(siem), 0);
});
