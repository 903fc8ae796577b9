import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchIncidentsOnce } from '../../src/fetch/fetcher.ts';
import { loadFeedCursor } from '../../src/fetch/cursor.ts';
import { harness, MIN, type Harness } from '../helpers.ts';

const FEED = { source: 'feed', configIds: '1' } as const;
const key = 'feed:1';

test('feed mode: first run in time mode, then by offset; every event once', async (t) => {
  const h = harness(t);
  h.siem.add(30, { eventDate: h.clock.now() - 10 * MIN, storedAt: h.clock.now() - 10 * MIN });
  const r1 = await fetchIncidentsOnce(h.deps({ ...FEED, feedBatchLimit: 20 }));
  assert.equal(h.siem.feedRequests[0]!.offset, undefined);
  assert.equal(h.siem.feedRequests[0]!.from, Math.ceil((h.clock.now() - 60 * MIN) / 1000));
  assert.equal(r1.count, 20);
  assert.equal(r1.full, true);
  const r2 = await fetchIncidentsOnce(h.deps({ ...FEED, feedBatchLimit: 20 }));
  assert.equal(h.siem.feedRequests[1]!.offset, loadFeedCursor(key, r1.cursorAfter)!.offset);
  assert.equal(r2.count, 10);
  assert.equal(r2.full, false);
  const ids = await h.storedIds();
  assert.deepEqual([...ids].sort(), [...h.siem.allIds()].sort());
});

test('feed mode: first fetch is clamped into the 12-hour replay window', async (t) => {
  const h = harness(t);
  await fetchIncidentsOnce(h.deps({ ...FEED, firstFetch: '7 days' }));
  const from = h.siem.feedRequests[0]!.from!;
  assert.ok(from * 1000 >= h.clock.now() - 12 * 3600_000 + 60_000);
  assert.ok(from * 1000 <= h.clock.now() - 12 * 3600_000 + 61_000);
});

test('feed mode: late-indexed events (old eventDate, new storage) are read by offset', async (t) => {
  const h = harness(t);
  h.siem.add(3, { eventDate: h.clock.now() - 5 * MIN });
  await fetchIncidentsOnce(h.deps(FEED));
  h.siem.add(1, { eventDate: h.clock.now() - 5 * 3600_000 });
  const r = await fetchIncidentsOnce(h.deps(FEED));
  assert.equal(r.count, 1);
});

test('feed mode: a truncated response is re-read from the same offset with a smaller limit', async (t) => {
  const h = harness(t);
  h.siem.add(5, { eventDate: h.clock.now() - 5 * MIN });
  await fetchIncidentsOnce(h.deps(FEED));
  const before = loadFeedCursor(key, await h.store.getCursor(key))!.offset;
  h.siem.add(40, { eventDate: h.clock.now() - 4 * MIN });
  h.siem.truncateFeed = 2;
  const r = await fetchIncidentsOnce(h.deps({ ...FEED, feedBatchLimit: 40 }));
  const reqs = h.siem.feedRequests.slice(-3);
  assert.deepEqual(
    reqs.map((q) => [q.offset, q.limit]),
    [
      [before, 40],
      [before, 20],
      [before, 10],
    ],
  );
  // The 20 events that arrived whole before the first cut are real: committed, not thrown away.
  assert.equal(r.count, 20);
  for (let i = 0; i < 5; i++) await fetchIncidentsOnce(h.deps({ ...FEED, feedBatchLimit: 40 }));
  const ids = await h.storedIds();
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), [...h.siem.allIds()].sort());
});

test('feed mode: an expired offset (416) records a gap and resumes in time mode; nothing duplicated', async (t) => {
  const h = harness(t);
  h.siem.add(3, { eventDate: h.clock.now() - 5 * MIN });
  await fetchIncidentsOnce(h.deps(FEED));
  const lastStoredAt = loadFeedCursor(key, await h.store.getCursor(key))!.lastStoredAt!;
  h.clock.advance(13 * 3600_000);
  h.siem.add(4, { eventDate: h.clock.now() - 5 * MIN });
  h.siem.expireOffsets = true;
  const r = await fetchIncidentsOnce(h.deps(FEED));
  assert.equal(r.count, 4);
  const gaps = await h.store.listGaps();
  assert.equal(gaps.length, 1);
  assert.equal(gaps[0]!.source, key);
  assert.equal(Date.parse(gaps[0]!.from), lastStoredAt);
  const resume = h.siem.feedRequests.at(-1)!;
  assert.equal(resume.offset, undefined);
  assert.equal(resume.from! * 1000, Date.parse(gaps[0]!.to));
  assert.ok(resume.from! * 1000 >= h.clock.now() - 12 * 3600_000);
  assert.match(gaps[0]!.reason, /416/);
  const ids = await h.storedIds();
  assert.equal(ids.length, 7);
});

test('feed mode: a 416 inside the replay window records an empty gap and replays without duplicates', async (t) => {
  const h = harness(t);
  h.siem.add(3, { eventDate: h.clock.now() - 5 * MIN });
  await fetchIncidentsOnce(h.deps(FEED));
  h.siem.expireOffsets = true;
  h.siem.add(2, { eventDate: h.clock.now() - 1 * MIN });
  const r = await fetchIncidentsOnce(h.deps(FEED));
  assert.equal(r.count, 2);
  const [gap] = await h.store.listGaps();
  assert.equal(gap!.from, gap!.to);
  // Resumes at the newest event already committed, not 12 hours back (that replay could not progress
  // when offsets expire quickly).
  assert.equal(h.siem.feedRequests.at(-1)!.from, Math.floor(Date.parse(gap!.from) / 1000));
  assert.match(gap!.reason, /nothing skipped/);
  assert.equal((await h.storedIds()).length, 5);
});

/** The harness's SIEM as a client whose feed counts the events it has handed out so far. */
function countingFeed(h: Harness) {
  let handedOut = 0;
  const client = {
    ...h.siem,
    searchSecurityEvents: h.siem.searchSecurityEvents.bind(h.siem),
    async *feed(req: Parameters<typeof h.siem.feed>[0]) {
      for await (const item of h.siem.feed(req)) {
        if (item.kind === 'event') handedOut++;
        yield item;
      }
    },
  };
  return { client, handedOut: () => handedOut };
}

test('feed mode: a promise onCommit returns holds the response back until it settles (a slow consumer)', async (t) => {
  const h = harness(t);
  h.siem.add(5, { eventDate: h.clock.now() - 6 * MIN, storedAt: h.clock.now() - 6 * MIN });
  await fetchIncidentsOnce(h.deps(FEED));
  h.siem.add(20, { eventDate: h.clock.now() - 5 * MIN, storedAt: h.clock.now() - 4 * MIN });
  const { client, handedOut } = countingFeed(h);
  // The consumer takes its time (many turns of the event loop) over each batch: the feed must not
  // be read meanwhile.
  const whileConsuming: [number, number][] = [];
  const r = await fetchIncidentsOnce({
    ...h.deps({ ...FEED, feedBatchLimit: 100, feedCommitEvents: 5 }),
    client,
    onCommit: async () => {
      const before = handedOut();
      for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
      whileConsuming.push([before, handedOut()]);
    },
  });
  assert.equal(r.count, 20);
  assert.deepEqual(whileConsuming, [
    [5, 5],
    [10, 10],
    [15, 15],
    [20, 20],
  ]);
});

test('feed mode: filters apply client-side', async (t) => {
  const h = harness(t);
  h.siem.add(2, { eventDate: h.clock.now() - 5 * MIN, severity: 'LOW' });
  h.siem.add(3, { eventDate: h.clock.now() - 5 * MIN, severity: 'SEVERE' });
  const r = await fetchIncidentsOnce(h.deps({ ...FEED, severities: ['SEVERE'] }));
  assert.equal(r.count, 3);
});

test('feed mode: a response is committed in batches as it streams, never read ahead of the commit', async (t) => {
  const h = harness(t);
  h.siem.add(5, { eventDate: h.clock.now() - 6 * MIN, storedAt: h.clock.now() - 6 * MIN });
  await fetchIncidentsOnce(h.deps(FEED));
  const start = loadFeedCursor(key, await h.store.getCursor(key))!;
  h.siem.add(23, { eventDate: h.clock.now() - 5 * MIN, storedAt: h.clock.now() - 4 * MIN });
  // Count the events the feed has handed out when each commit starts.
  const { client, handedOut } = countingFeed(h);
  const commits: { handedOut: number; incidents: number; cursor: string | null; run: boolean }[] = [];
  const realCommit = h.store.commitRun.bind(h.store);
  h.store.commitRun = async (input) => {
    commits.push({
      handedOut: handedOut(),
      incidents: input.incidents.length,
      cursor: input.cursorAfter,
      run: input.run !== undefined,
    });
    return realCommit(input);
  };
  const seen: number[] = [];
  const r = await fetchIncidentsOnce({
    ...h.deps({ ...FEED, feedBatchLimit: 100, feedCommitEvents: 7 }),
    client,
    onCommit: (inserted) => {
      seen.push(inserted.length);
    },
  });
  assert.deepEqual(
    commits.map((c) => [c.handedOut, c.incidents, c.run]),
    [
      [7, 7, false],
      [14, 7, false],
      [21, 7, false],
      [23, 2, true],
    ],
  );
  // Mid-response batches keep the offset (only the context line carries a new one) and move the
  // storage time they covered; the last one moves the offset.
  for (const c of commits.slice(0, 3)) {
    const cur = loadFeedCursor(key, c.cursor)!;
    assert.equal(cur.offset, start.offset);
    assert.equal(cur.lastStoredAt, h.clock.now() - 4 * MIN);
  }
  assert.notEqual(loadFeedCursor(key, commits[3]!.cursor)!.offset, start.offset);
  assert.deepEqual(seen, [7, 7, 7, 2]);
  assert.equal(r.count, 23);
  assert.equal(r.incidents.length, 23);
  assert.equal(r.cursorBefore, JSON.stringify(start));
  const runs = await h.store.listRuns(10);
  assert.equal(runs.length, 2);
  assert.equal(runs[0]!.count, 23);
});

test('feed mode: a run that fails mid-response keeps its committed batches; the next run re-reads and drops them by id', async (t) => {
  const h = harness(t);
  h.siem.add(3, { eventDate: h.clock.now() - 6 * MIN });
  await fetchIncidentsOnce(h.deps(FEED));
  h.siem.add(20, { eventDate: h.clock.now() - 5 * MIN });
  const realCommit = h.store.commitRun.bind(h.store);
  let calls = 0;
  h.store.commitRun = async (input) => {
    if (++calls === 3) throw new Error('disk full');
    return realCommit(input);
  };
  const opts = { ...FEED, feedCommitEvents: 6 };
  await assert.rejects(fetchIncidentsOnce(h.deps(opts)), /disk full/);
  assert.equal((await h.storedIds()).length, 3 + 12);
  const failed = (await h.store.listRuns(10))[0]!;
  assert.match(failed.error!, /disk full/);
  assert.equal(failed.count, 12);
  h.store.commitRun = realCommit;
  const r = await fetchIncidentsOnce(h.deps(opts));
  assert.equal(r.count, 8);
  const ids = await h.storedIds();
  assert.equal(new Set(ids).size, 23);
  assert.deepEqual([...ids].sort(), [...h.siem.allIds()].sort());
});
