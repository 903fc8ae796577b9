import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFetchLoop } from '../../src/fetch/fetcher.ts';
import type { FetchRunResult } from '../../src/fetch/types.ts';
import { harness, MIN } from '../helpers.ts';

test('loop: a full run is followed at once, then every intervalSeconds (backlog drains)', async (t) => {
  const h = harness(t);
  h.siem.add(120, { eventDate: h.clock.now() - 30 * MIN, step: 100 });
  const ac = new AbortController();
  const runs: FetchRunResult[] = [];
  const deps = h.deps({ intervalSeconds: 60 });
  deps.onRun = (r) => {
    runs.push(r);
    if (runs.length === 5) ac.abort();
  };
  await runFetchLoop(deps, ac.signal);
  assert.deepEqual(
    runs.map((r) => r.count),
    [50, 50, 20, 0, 0],
  );
  // No sleep after the two full runs; one interval after each of the others.
  assert.deepEqual(h.clock.sleeps, [60_000, 60_000]);
});

test('loop: a failing run is recorded and retried with capped exponential backoff; the loop goes on', async (t) => {
  const h = harness(t);
  h.siem.add(3, { eventDate: h.clock.now() - 30 * MIN });
  h.siem.failSearch.push(new Error('boom 1'), new Error('boom 2'), new Error('boom 3'));
  const ac = new AbortController();
  const runs: FetchRunResult[] = [];
  const deps = h.deps({ intervalSeconds: 60 });
  deps.onRun = (r) => {
    runs.push(r);
    if (runs.length === 4) ac.abort();
  };
  await runFetchLoop(deps, ac.signal);
  assert.deepEqual(
    runs.map((r) => r.error ?? r.count),
    ['boom 1', 'boom 2', 'boom 3', 3],
  );
  assert.deepEqual(h.clock.sleeps, [60_000, 120_000, 240_000]);
  const stored = await h.store.listRuns(10);
  assert.equal(stored.filter((r) => r.error).length, 3);
});

test('loop: disabled fetching does nothing', async (t) => {
  const h = harness(t);
  h.siem.add(3, { eventDate: h.clock.now() - 30 * MIN });
  await runFetchLoop(h.deps({ enabled: false }), new AbortController().signal);
  assert.equal(h.siem.searchRequests.length, 0);
});

test('loop: stopping mid-run records no failed run and leaves the cursor', async (t) => {
  const h = harness(t);
  h.siem.add(3, { eventDate: h.clock.now() - 30 * MIN });
  const ac = new AbortController();
  const deps = h.deps();
  // As the real client does: the in-flight request rejects with the signal's reason.
  h.siem.searchSecurityEvents = async () => {
    ac.abort(new Error('shutting down'));
    throw ac.signal.reason;
  };
  await runFetchLoop(deps, ac.signal);
  assert.equal(await h.store.lastRun(), null);
  assert.equal(await h.store.getCursor('search'), null);
});
