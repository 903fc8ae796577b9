import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSearchPool } from '../../src/modules/search/pool.ts';
import type { SearchPool } from '../../src/modules/search/pool.ts';
import type { SearchJob } from '../../src/modules/search/search-worker.ts';
import { buildTestSiem } from '../helpers.ts';

const GATE = new URL('./fixtures/gate-worker.ts', import.meta.url);

/** The search pool's settings, over the gate worker: jobs that answer at once or hold a worker. */
async function gatePool(t: { after: (fn: () => unknown) => void }, search: Record<string, unknown>) {
  const s = await buildTestSiem({ config: { search } });
  t.after(() => s.close());
  const pool = createSearchPool(s.ctx, GATE)!;
  t.after(() => pool.close('cancel'));
  const run = (job: { echo?: unknown; hold?: boolean }, signal?: AbortSignal) =>
    (pool as unknown as SearchPool).run(job as unknown as SearchJob, signal) as Promise<unknown>;
  return { pool, run };
}

test('back-pressure: with every worker busy and the queue full, one more search is a clear 503 with Retry-After', async (t) => {
  const { run } = await gatePool(t, { workers: 1, maxQueued: 1 });
  const holding = new AbortController();
  const held = run({ hold: true }, holding.signal);
  const queued = run({ echo: 'queued' });
  await assert.rejects(run({ echo: 'refused' }), (err: Record<string, unknown>) => {
    assert.equal(err.code, 'SEARCH_QUEUE_FULL');
    assert.equal(err.status, 503);
    assert.deepEqual(err.headers, { 'retry-after': '1' });
    assert.match(String(err.message), /1 broad searches are waiting for a worker already; retry after 1 s/);
    return true;
  });
  // Cancelling the running search frees its worker (kept, not replaced) for the queued one;
  // the caller hears once the worker has stopped.
  holding.abort(new Error('client gone'));
  await assert.rejects(held, /client gone/);
  assert.equal(await queued, 'queued');
  assert.equal(await run({ echo: 'after' }), 'after');
});

test('with no queue (maxQueued 0) a search runs when a worker is free and is refused when none is', async (t) => {
  const { run } = await gatePool(t, { workers: 1, maxQueued: 0 });
  assert.equal(await run({ echo: 1 }), 1);
  const holding = new AbortController();
  const held = run({ hold: true }, holding.signal);
  await assert.rejects(run({ echo: 2 }), { code: 'SEARCH_QUEUE_FULL' });
  holding.abort(new Error('stop'));
  await assert.rejects(held, /stop/);
  assert.equal(await run({ echo: 3 }), 3);
});

test('cancellation: a waiting search leaves the queue and never runs; an aborted signal is refused at once', async (t) => {
  const { run } = await gatePool(t, { workers: 1, maxQueued: 2 });
  const holding = new AbortController();
  const held = run({ hold: true }, holding.signal);
  const leaving = new AbortController();
  const waiting = run({ echo: 'never' }, leaving.signal);
  leaving.abort(new Error('left the queue'));
  await assert.rejects(waiting, /left the queue/);
  // Its queue place is free again: two more fit.
  const a = run({ echo: 'a' });
  const b = run({ echo: 'b' });
  await assert.rejects(run({ echo: 'c' }), { code: 'SEARCH_QUEUE_FULL' });
  await assert.rejects(run({ echo: 'd' }, AbortSignal.abort(new Error('already'))), /already/);
  holding.abort(new Error('done'));
  await assert.rejects(held, /done/);
  assert.deepEqual(await Promise.all([a, b]), ['a', 'b']);
});

test('shutdown: drain finishes queued searches; cancel rejects what runs and waits; then searches are refused', async (t) => {
  const drained = await gatePool(t, { workers: 1, maxQueued: 4 });
  const answers = [drained.run({ echo: 1 }), drained.run({ echo: 2 }), drained.run({ echo: 3 })];
  await drained.pool.close('drain');
  assert.deepEqual(await Promise.all(answers), [1, 2, 3]);
  await assert.rejects(drained.run({ echo: 4 }), { code: 'SEARCH_STOPPING', status: 503 });

  const cancelled = await gatePool(t, { workers: 1, maxQueued: 4 });
  const held = assert.rejects(cancelled.run({ hold: true }), { code: 'SEARCH_STOPPING' });
  const waiting = assert.rejects(cancelled.run({ echo: 5 }), { code: 'SEARCH_STOPPING' });
  await cancelled.pool.close('cancel');
  await held;
  await waiting;
});

test('no pool for an in-memory store or workers: 0 (searches stay on the event loop)', async (t) => {
  const s = await buildTestSiem({ config: { search: { workers: 0 } } });
  t.after(() => s.close());
  assert.equal(createSearchPool(s.ctx), null);
});
