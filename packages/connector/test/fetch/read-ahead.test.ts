import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchIncidentsOnce, runFetchLoop } from '../../src/fetch/fetcher.ts';
import { createSearchReadAhead } from '../../src/fetch/read-ahead.ts';
import type { FetchDeps, FetchRunResult } from '../../src/fetch/types.ts';
import { harness, MIN, type Harness } from '../helpers.ts';

/** Runs back to back (as the loop does after a full run) until one is not full. */
async function drain(deps: FetchDeps): Promise<FetchRunResult[]> {
  const runs: FetchRunResult[] = [];
  for (;;) {
    const r = await fetchIncidentsOnce(deps);
    runs.push(r);
    if (!r.full) return runs;
  }
}

async function assertExactlyOnce(h: Harness) {
  const stored = await h.storedIds();
  assert.equal(new Set(stored).size, stored.length, 'no duplicates');
  assert.deepEqual(new Set(stored), new Set(h.siem.allIds()), 'nothing lost');
}

test('read-ahead: each run after a full one starts with the page asked for while the full one committed', async (t) => {
  const h = harness(t);
  h.siem.add(230, { eventDate: h.clock.now() - 60 * MIN, step: 1000 });
  const ac = new AbortController();
  const runs: FetchRunResult[] = [];
  const deps = h.deps({ intervalSeconds: 60 });
  deps.onRun = (r) => {
    runs.push(r);
    if (!r.full) ac.abort();
  };
  await runFetchLoop(deps, ac.signal);
  assert.deepEqual(
    runs.map((r) => r.count),
    [50, 50, 50, 50, 30],
  );
  assert.deepEqual(
    runs.map((r) => r.detail?.readAhead),
    [0, 1, 1, 1, 1],
  );
  await assertExactlyOnce(h);

  // The same backlog without a read-ahead: a request per run, where the window asked once.
  const control = harness(t);
  for (const s of h.siem.events) control.siem.events.push(structuredClone(s));
  control.clock.ms = h.clock.now();
  const controlRuns = await drain(control.deps());
  assert.deepEqual(
    controlRuns.map((r) => r.count),
    [50, 50, 50, 50, 30],
  );
  assert.ok(
    h.siem.searchRequests.length < control.siem.searchRequests.length,
    `${h.siem.searchRequests.length} requests with the window, ${control.siem.searchRequests.length} without`,
  );
  assert.ok(
    h.siem.searchRequests.some((r) => r.pagination?.pageSize === 1000),
    'read ahead in chunks of searchPageSize',
  );
});

test('read-ahead: a run with another maxFetch takes its page from the same window', async (t) => {
  const h = harness(t);
  h.siem.add(60, { eventDate: h.clock.now() - 60 * MIN, step: 1000, severity: 'HIGH' });
  h.siem.add(60, { eventDate: h.clock.now() - 59 * MIN, step: 1000, severity: 'LOW' });
  const readAhead = createSearchReadAhead();
  const first = await fetchIncidentsOnce({ ...h.deps(), readAhead });
  assert.equal(first.full, true);
  const asked = h.siem.searchRequests.length;
  // Same source key (search term and severities are part of it): a smaller maxFetch instead.
  const second = await fetchIncidentsOnce({ ...h.deps({ maxFetch: 40 }), readAhead });
  assert.equal(second.detail?.readAhead, 1);
  assert.equal(second.count, 40);
  assert.ok(
    !h.siem.searchRequests
      .slice(asked)
      .some((r) => r.filter?.timeRange?.fromDate === (second.detail!.fromMs as number) / 1000),
    'no head page of its own (only its overlap check)',
  );
  await drain({ ...h.deps(), readAhead });
  await assertExactlyOnce(h);
});

test("read-ahead: a window whose filters differ from the run's is not used", async (t) => {
  const h = harness(t);
  h.siem.add(120, { eventDate: h.clock.now() - 60 * MIN, step: 1000 });
  const readAhead = createSearchReadAhead();
  const first = await fetchIncidentsOnce({ ...h.deps(), readAhead });
  assert.equal(first.full, true);
  // Another search term is another source: its run starts from its own first fetch.
  const other = await fetchIncidentsOnce({ ...h.deps({ searchTerm: 'rule' }), readAhead });
  assert.equal(other.detail?.readAhead, 0);
  const last = h.siem.searchRequests.at(-1)!;
  assert.equal(last.filter?.searchTerm, 'rule', 'asked with its own filters');
});

test('read-ahead: a failed one is asked again by the run that wanted it; no failed run', async (t) => {
  const h = harness(t);
  h.siem.add(120, { eventDate: h.clock.now() - 60 * MIN, step: 1000 });
  // The first run's head page is call 1, the read-ahead it sends while committing is call 2.
  const answer = h.siem.searchSecurityEvents.bind(h.siem);
  let calls = 0;
  h.siem.searchSecurityEvents = async (req) => {
    if (++calls === 2) throw new Error('connection reset');
    return answer(req);
  };
  const runs = await drain({ ...h.deps(), readAhead: createSearchReadAhead() });
  assert.deepEqual(
    runs.map((r) => [r.count, r.detail?.readAhead]),
    [
      [50, 0],
      [50, 0],
      [20, 1],
    ],
  );
  assert.equal((await h.store.listRuns(20)).filter((r) => r.error).length, 0);
  await assertExactlyOnce(h);
});

test('read-ahead: an event indexed after the page was asked for is still taken exactly once', async (t) => {
  const h = harness(t);
  const base = h.clock.now() - 60 * MIN;
  h.siem.add(150, { eventDate: base, step: 1000 });
  const readAhead = createSearchReadAhead();
  const deps = { ...h.deps(), readAhead };
  await fetchIncidentsOnce(deps); // takes 50, asks for the next page
  // Late-indexed events inside the range the read-ahead already read, and one at its edge.
  h.siem.add(3, { eventDate: base + 70_000, step: 1 });
  h.siem.add(1, { eventDate: base + 49_000 });
  h.clock.advance(10_000);
  const runs = await drain(deps);
  assert.equal(runs[0]!.detail?.readAhead, 1);
  // Caught-up runs check the overlap every run: the late events come in.
  h.clock.advance(60_000);
  await drain(deps);
  await assertExactlyOnce(h);
});
