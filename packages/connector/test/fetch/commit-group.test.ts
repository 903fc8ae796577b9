import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFetchLoop } from '../../src/fetch/fetcher.ts';
import { HOLD_INCIDENTS, HOLD_MS } from '../../src/fetch/commit-group.ts';
import { searchSourceKey } from '../../src/fetch/cursor.ts';
import type { FetchRunResult } from '../../src/fetch/types.ts';
import type { CommitRunInput } from '../../src/store/types.ts';
import { harness, MIN, type Harness } from '../helpers.ts';

async function assertExactlyOnce(h: Harness) {
  const stored = await h.storedIds();
  assert.equal(new Set(stored).size, stored.length, 'no duplicates');
  assert.deepEqual(new Set(stored), new Set(h.siem.allIds()), 'nothing lost');
}

/** Every transaction the store runs for the fetch loop: the runs (inputs) it carried. */
function recordTransactions(h: Harness): { runs: CommitRunInput[][]; durable: () => number } {
  const runs: CommitRunInput[][] = [];
  let durable = 0;
  const many = h.store.commitRuns.bind(h.store);
  const one = h.store.commitRun.bind(h.store);
  h.store.commitRuns = async (inputs) => {
    const out = await many(inputs);
    runs.push([...inputs]);
    durable += out.reduce((n, o) => n + o.inserted.length, 0);
    return out;
  };
  h.store.commitRun = async (input) => {
    const out = await one(input);
    runs.push([input]);
    durable += out.inserted.length;
    return out;
  };
  return { runs, durable: () => durable };
}

/** The loop until a run is not full (or fails, when `untilError`); every run's result. */
async function loopUntilCaughtUp(h: Harness, untilError = false): Promise<FetchRunResult[]> {
  const stop = new AbortController();
  const results: FetchRunResult[] = [];
  const deps = h.deps({ intervalSeconds: 60 });
  deps.onRun = (r) => {
    results.push(r);
    if (r.error ? untilError : !r.full) stop.abort();
  };
  await runFetchLoop(deps, stop.signal);
  return results;
}

test("commit group: a backlog's full runs commit together, each with its own run record, announced once durable", async (t) => {
  const h = harness(t);
  h.siem.add(2630, { eventDate: h.clock.now() - 50 * MIN, step: 1000 });
  const tx = recordTransactions(h);
  const announced: { cumulative: number; durable: number }[] = [];
  let cumulative = 0;
  const stop = new AbortController();
  const deps = h.deps({ intervalSeconds: 60 });
  deps.onRun = (r) => {
    cumulative += r.count;
    announced.push({ cumulative, durable: tx.durable() });
    if (!r.full) stop.abort();
  };
  await runFetchLoop(deps, stop.signal);

  assert.equal(announced.length, 53, '52 full runs of 50 and one of 30');
  for (const a of announced) assert.ok(a.durable >= a.cumulative, 'no run is announced before it is durable');
  assert.deepEqual(
    tx.runs.map((group) => group.reduce((n, r) => n + r.incidents.length, 0)),
    [HOLD_INCIDENTS + 50, HOLD_INCIDENTS + 50, 530],
    'held up to HOLD_INCIDENTS, then committed with the next run; the run that caught up ends the last group',
  );
  const records = await h.store.listRuns(100);
  assert.equal(records.length, 53);
  assert.equal(
    records.reduce((n, r) => n + r.count, 0),
    2630,
  );
  await assertExactlyOnce(h);
});

test('commit group: held at most HOLD_MS on the fetch clock', async (t) => {
  const h = harness(t);
  h.siem.add(600, { eventDate: h.clock.now() - 50 * MIN, step: 1000 });
  // Each run's look-up of stored ids takes 300 ms of the fetch clock.
  const known = h.store.knownAlertEventIds.bind(h.store);
  h.store.knownAlertEventIds = async (ids) => {
    h.clock.advance(300);
    return known(ids);
  };
  const tx = recordTransactions(h);
  await loopUntilCaughtUp(h);
  assert.ok(tx.runs.length > 1 && tx.runs.length < 12, `grouped: ${tx.runs.map((g) => g.length)}`);
  for (const group of tx.runs) {
    const span = group.at(-1)!.now - group[0]!.now;
    // The last run of a group is the one that found the first held too old, or full.
    const heldSpan = group.length > 1 ? group.at(-2)!.now - group[0]!.now : 0;
    assert.ok(heldSpan < HOLD_MS, `held ${heldSpan} ms (group spans ${span} ms)`);
  }
  await assertExactlyOnce(h);
});

test('commit group: a run that fails after runs were held commits them first; its failure is recorded from their cursor', async (t) => {
  const h = harness(t);
  h.siem.add(400, { eventDate: h.clock.now() - 50 * MIN, step: 1000 });
  const source = searchSourceKey({});
  // The 4th run fails while planning (its look-up of stored ids).
  const known = h.store.knownAlertEventIds.bind(h.store);
  let calls = 0;
  h.store.knownAlertEventIds = async (ids) => {
    if (++calls === 4) throw new Error('database is locked');
    return known(ids);
  };
  const tx = recordTransactions(h);
  const runs = await loopUntilCaughtUp(h, true);
  const failed = runs.at(-1)!;
  assert.ok(failed.error, 'the loop stopped at the failed run');
  assert.deepEqual(
    runs.slice(0, -1).map((r) => r.count),
    [50, 50, 50],
    'the held runs came out, committed',
  );
  assert.equal(tx.runs.length, 1);
  assert.equal(await h.store.getCursor(source), runs.at(-2)!.cursorAfter);
  assert.equal(failed.cursorBefore, runs.at(-2)!.cursorAfter);
  // The next start goes on from there, exactly once.
  await loopUntilCaughtUp(h);
  await assertExactlyOnce(h);
});

test('commit group: a group whose commit fails writes nothing; the next run reads its events again, exactly once', async (t) => {
  const h = harness(t);
  h.siem.add(400, { eventDate: h.clock.now() - 50 * MIN, step: 1000 });
  const source = searchSourceKey({});
  const many = h.store.commitRuns.bind(h.store);
  let failures = 0;
  h.store.commitRuns = async (inputs) => {
    if (inputs.length > 1 && failures++ === 0) throw new Error('disk full');
    return many(inputs);
  };
  const runs = await loopUntilCaughtUp(h, true);
  assert.match(runs.at(-1)!.error ?? '', /disk full/);
  assert.equal(runs.length, 1, 'no held run was announced');
  assert.equal(await h.store.getCursor(source), null, 'nothing of the group was written');
  assert.equal((await h.storedIds()).length, 0);
  await loopUntilCaughtUp(h);
  await assertExactlyOnce(h);
});

test('commit group: the loop stopped between runs of a backlog commits what it holds', async (t) => {
  const h = harness(t);
  h.siem.add(400, { eventDate: h.clock.now() - 50 * MIN, step: 1000 });
  const source = searchSourceKey({});
  const stop = new AbortController();
  // Stopped while the 3rd request is answered: the run it serves is still planned and held.
  const answer = h.siem.searchSecurityEvents.bind(h.siem);
  let calls = 0;
  h.siem.searchSecurityEvents = async (req) => {
    if (++calls === 3) stop.abort();
    return answer(req);
  };
  const runs: FetchRunResult[] = [];
  const deps = h.deps({ intervalSeconds: 60 });
  deps.onRun = (r) => runs.push(r);
  await runFetchLoop(deps, stop.signal);
  assert.ok(runs.length >= 2, `held runs were committed at stop: ${runs.length}`);
  assert.equal(await h.store.getCursor(source), runs.at(-1)!.cursorAfter);
  assert.equal(
    (await h.storedIds()).length,
    runs.reduce((n, r) => n + r.count, 0),
  );
  await loopUntilCaughtUp(h);
  await assertExactlyOnce(h);
});
