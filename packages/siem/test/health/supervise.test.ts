import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { FakeClock } from '../../src/clock.ts';
import { backoffMs } from '../../src/health/backoff.ts';
import { createHealth } from '../../src/health/health.ts';
import { supervise } from '../../src/health/supervise.ts';

test('backoff doubles from 1 s and is capped at 60 s', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => backoffMs(n)),
    [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000],
  );
});

test('a failing service is restarted after a capped backoff and its state is reported', async () => {
  const clock = new FakeClock();
  const health = createHealth(clock);
  const stop = new AbortController();
  let attempts = 0;
  const done = supervise({
    name: 'svc',
    reporter: health.service('svc'),
    clock,
    logger: pino({ level: 'silent' }),
    signal: stop.signal,
    run: async () => {
      attempts++;
      if (attempts <= 2) throw new Error(`disk full #${attempts}`);
      health.service('svc').running();
      await clock.sleep(3_600_000, stop.signal).catch(() => {});
    },
  });
  await clock.advance(0);
  assert.equal(attempts, 1);
  assert.equal(health.snapshot().svc!.state, 'retrying');
  assert.equal(health.snapshot().svc!.lastError, 'disk full #1');
  assert.equal(health.snapshot().svc!.nextAttemptAt, new Date(clock.now() + 1000).toISOString());
  await clock.advance(999);
  assert.equal(attempts, 1, 'waits out the backoff');
  await clock.advance(1);
  assert.equal(attempts, 2);
  assert.equal(health.snapshot().svc!.consecutiveFailures, 2);
  await clock.advance(1999);
  assert.equal(attempts, 2, 'the second wait is twice as long');
  await clock.advance(1);
  assert.equal(attempts, 3);
  const s = health.snapshot().svc!;
  assert.equal(s.state, 'running');
  assert.equal(s.consecutiveFailures, 0);
  assert.equal(s.lastError, 'disk full #2', 'the last failure stays visible');
  stop.abort();
  await done;
  assert.equal(health.snapshot().svc!.state, 'stopped');
});
