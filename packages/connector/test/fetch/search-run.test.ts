import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchIncidentsOnce } from '../../src/fetch/fetcher.ts';
import { loadSearchCursor } from '../../src/fetch/cursor.ts';
import { OVERLAP_COUNT_EVERY } from '../../src/fetch/search-run.ts';
import { harness, MIN } from '../helpers.ts';

const noDup = (ids: string[]) => assert.equal(new Set(ids).size, ids.length, 'duplicate incidents');
const sameSet = (a: string[], b: string[]) => assert.deepEqual([...a].sort(), [...b].sort());

test('a burst sharing one eventDate larger than maxFetch: the next run takes the rest, none skipped', async (t) => {
  const h = harness(t);
  h.siem.add(60, { eventDate: h.clock.now() - 30 * MIN });
  const r1 = await fetchIncidentsOnce(h.deps());
  assert.equal(r1.count, 50);
  assert.equal(r1.full, true);
  const c1 = loadSearchCursor('search', r1.cursorAfter)!;
  assert.equal(c1.eventDate, h.clock.now() - 30 * MIN);
  assert.equal(c1.idsAtDate.length, 50);
  const r2 = await fetchIncidentsOnce(h.deps());
  assert.equal(r2.count, 10);
  assert.equal(r2.full, false);
  assert.equal(loadSearchCursor('search', r2.cursorAfter)!.idsAtDate.length, 60);
  const ids = await h.storedIds();
  noDup(ids);
  sameSet(ids, h.siem.allIds());
  assert.equal((await fetchIncidentsOnce(h.deps())).count, 0);
});

test('results are oldest first and at most maxFetch per run', async (t) => {
  const h = harness(t);
  h.siem.add(30, { eventDate: h.clock.now() - 50 * MIN, step: 1000 });
  const r = await fetchIncidentsOnce(h.deps({ maxFetch: 7 }));
  assert.equal(r.count, 7);
  const occurred = r.incidents.map((i) => Date.parse(i.occurred));
  assert.deepEqual(
    occurred,
    [...occurred].sort((a, b) => a - b),
  );
  assert.equal(occurred[0], h.clock.now() - 50 * MIN);
});

test('a late-indexed event older than the cursor but inside the overlap is picked up', async (t) => {
  const h = harness(t);
  h.siem.add(5, { eventDate: h.clock.now() - 20 * MIN, step: 60_000 });
  assert.equal((await fetchIncidentsOnce(h.deps())).count, 5);
  const cursor = loadSearchCursor('search', await h.store.getCursor('search'))!;
  // Indexed now, dated 4 minutes before the cursor (overlap is 10 minutes).
  const [late] = h.siem.add(1, { eventDate: cursor.eventDate - 4 * MIN });
  h.clock.advance(MIN);
  const r = await fetchIncidentsOnce(h.deps());
  assert.deepEqual(
    r.incidents.map((i) => i.alertEventId),
    [late!.alertEventId],
  );
  // The cursor never moves backwards for a late event.
  assert.equal(loadSearchCursor('search', r.cursorAfter)!.eventDate, cursor.eventDate);
  noDup(await h.storedIds());
});

test('known limit: a late event older than cursor - overlap is not seen in search mode', async (t) => {
  const h = harness(t);
  h.siem.add(1, { eventDate: h.clock.now() - 30 * MIN });
  await fetchIncidentsOnce(h.deps({ overlapMinutes: 10 }));
  h.siem.add(1, { eventDate: h.clock.now() - 45 * MIN });
  h.clock.advance(MIN);
  assert.equal((await fetchIncidentsOnce(h.deps({ overlapMinutes: 10 }))).count, 0);
  // ...and a wider overlap does cover it.
  assert.equal((await fetchIncidentsOnce(h.deps({ overlapMinutes: 20 }))).count, 1);
});

test('more than maxFetch known events in the overlap do not starve progress (pages past them)', async (t) => {
  const h = harness(t);
  const base = h.clock.now() - 9 * MIN;
  h.siem.add(120, { eventDate: base, step: 1000 });
  for (let i = 0; i < 3; i++) await fetchIncidentsOnce(h.deps({ searchPageSize: 25 }));
  assert.equal((await h.storedIds()).length, 120);
  const fresh = h.siem.add(3, { eventDate: base + 200_000 });
  h.clock.advance(MIN);
  const r = await fetchIncidentsOnce(h.deps({ searchPageSize: 25 }));
  sameSet(
    r.incidents.map((i) => i.alertEventId),
    fresh.map((e) => e.alertEventId),
  );
  // Nothing arrived late: the known events are counted by the SIEM, not read again.
  assert.ok((r.detail!.scanned as number) <= 5, `read ${String(r.detail!.scanned)}`);
  // A late event among them: the overlap is read, paging past the known ones to it.
  const [late] = h.siem.add(1, { eventDate: base + 60_500 });
  h.clock.advance(MIN);
  const r2 = await fetchIncidentsOnce(h.deps({ searchPageSize: 25 }));
  assert.deepEqual(
    r2.incidents.map((i) => i.alertEventId),
    [late!.alertEventId],
  );
  assert.ok((r2.detail!.pages as number) > 2, 'paged through the known events');
});

test('events inside the buffer (last 3 minutes) wait for a later run; toDate = now - buffer', async (t) => {
  const h = harness(t);
  h.siem.add(1, { eventDate: h.clock.now() - 2 * MIN });
  assert.equal((await fetchIncidentsOnce(h.deps())).count, 0);
  const req = h.siem.searchRequests.at(-1)!;
  assert.equal(req.filter!.timeRange!.toDate, (h.clock.now() - 3 * MIN) / 1000);
  assert.deepEqual(req.sort, [{ field: 'DATE', descending: false }]);
  h.clock.advance(2 * MIN);
  assert.equal((await fetchIncidentsOnce(h.deps())).count, 1);
});

test('first fetch: looks back firstFetch only; an empty first run pins the start (no lookback slide)', async (t) => {
  const h = harness(t);
  const t0 = h.clock.now();
  h.siem.add(1, { eventDate: t0 - 3 * 3600_000 });
  const r1 = await fetchIncidentsOnce(h.deps({ firstFetch: '2 hours' }));
  assert.equal(r1.count, 0);
  assert.equal(loadSearchCursor('search', r1.cursorAfter)!.eventDate, t0 - 2 * 3600_000);
  // An event from the start of the lookback becomes visible an hour later: still fetched.
  h.clock.advance(60 * MIN);
  h.siem.add(1, { eventDate: t0 - 2 * 3600_000 + 1000 });
  const r2 = await fetchIncidentsOnce(h.deps({ firstFetch: '2 hours' }));
  assert.equal(r2.count, 1);
});

test('filters: searchTerm and severities go to the SIEM', async (t) => {
  const h = harness(t);
  h.siem.add(2, { eventDate: h.clock.now() - 10 * MIN, name: 'SSH brute force', severity: 'HIGH' });
  h.siem.add(2, { eventDate: h.clock.now() - 10 * MIN, name: 'SSH brute force', severity: 'LOW' });
  h.siem.add(2, { eventDate: h.clock.now() - 10 * MIN, name: 'Port scan', severity: 'HIGH' });
  const r = await fetchIncidentsOnce(h.deps({ searchTerm: 'ssh', severities: 'HIGH,SEVERE' }));
  assert.equal(r.count, 2);
  const f = h.siem.searchRequests.at(-1)!.filter!;
  assert.equal(f.searchTerm, 'ssh');
  assert.deepEqual(f.severities, ['HIGH', 'SEVERE']);
});

test('a run that fails before committing leaves the cursor; the retry neither loses nor duplicates', async (t) => {
  const h = harness(t);
  h.siem.add(40, { eventDate: h.clock.now() - 20 * MIN, step: 100 });
  const realCommit = h.store.commitRun.bind(h.store);
  let failNext = true;
  h.store.commitRun = async (input) => {
    if (failNext) {
      failNext = false;
      throw new Error('disk full');
    }
    return realCommit(input);
  };
  await assert.rejects(fetchIncidentsOnce(h.deps()), /disk full/);
  assert.equal(await h.store.getCursor('search'), null);
  const run = await h.store.lastRun();
  assert.match(run!.error!, /disk full/);
  assert.equal((await fetchIncidentsOnce(h.deps())).count, 40);
  const ids = await h.storedIds();
  noDup(ids);
  sameSet(ids, h.siem.allIds());
});

test('an event already stored (e.g. from the feed) is never taken again', async (t) => {
  const h = harness(t);
  const [e] = h.siem.add(1, { eventDate: h.clock.now() - 20 * MIN });
  await fetchIncidentsOnce(h.deps({ source: 'feed', configIds: '1' }));
  const r = await fetchIncidentsOnce(h.deps());
  assert.equal(r.count, 0);
  assert.deepEqual(await h.storedIds(), [e!.alertEventId]);
});

test('a corrupt cursor is a clear error, never silently reset', async (t) => {
  const h = harness(t);
  await h.store.commitRun({
    source: 'search',
    incidents: [],
    cursorBefore: null,
    cursorAfter: '{"v":1,"eventDate":"yesterday","idsAtDate":[]}',
    now: h.clock.now(),
    run: {
      source: 'search',
      startedAt: 0,
      endedAt: 0,
      count: 0,
      cursorBefore: null,
      cursorAfter: null,
      error: null,
      lagMs: null,
      full: false,
    },
  });
  h.siem.add(1, { eventDate: h.clock.now() - 20 * MIN });
  await assert.rejects(fetchIncidentsOnce(h.deps()), (err: { code?: string; message: string }) => {
    assert.equal(err.code, 'CORRUPT_CURSOR');
    assert.match(err.message, /eventDate/);
    return true;
  });
  assert.equal(await h.store.getCursor('search'), '{"v":1,"eventDate":"yesterday","idsAtDate":[]}');
  assert.equal((await h.storedIds()).length, 0);
});

test('lag: behind = now - newest taken; caught up = the buffer', async (t) => {
  const h = harness(t);
  h.siem.add(60, { eventDate: h.clock.now() - 40 * MIN, step: 1000 });
  const r1 = await fetchIncidentsOnce(h.deps());
  assert.equal(r1.lagMs, h.clock.now() - (h.clock.now() - 40 * MIN + 49_000));
  const r2 = await fetchIncidentsOnce(h.deps());
  assert.equal(r2.lagMs, 3 * MIN);
});

test('narrowing then widening the filters never skips what only the wider filter matches', async (t) => {
  const h = harness(t);
  h.siem.add(3, { eventDate: h.clock.now() - 50 * MIN, severity: 'LOW' });
  h.siem.add(2, { eventDate: h.clock.now() - 40 * MIN, severity: 'SEVERE' });
  // Narrowed to SEVERE: the LOW ones are not taken, and that filter's cursor moves past them.
  const narrow = await fetchIncidentsOnce(h.deps({ severities: ['SEVERE'] }));
  assert.equal(narrow.count, 2);
  h.clock.advance(60 * MIN);
  assert.equal((await fetchIncidentsOnce(h.deps({ severities: ['SEVERE'] }))).count, 0);
  // Widened again (no filter): its own cursor starts at the first-fetch range, so the LOW events
  // are taken; the SEVERE ones are already stored and not duplicated.
  const wide = await fetchIncidentsOnce(h.deps({ firstFetch: '3 hours' }));
  assert.equal(wide.count, 3);
  assert.equal(wide.source, 'search');
  assert.equal(narrow.source, 'search?severities=SEVERE');
  const ids = await h.storedIds();
  noDup(ids);
  sameSet(ids, h.siem.allIds());
});

test('draining a backlog reads about what it takes: the overlap is counted by the SIEM, not re-read', async (t) => {
  const h = harness(t);
  // 600 events over 50 minutes, bursts of 12 sharing one eventDate every minute.
  const base = h.clock.now() - 55 * MIN;
  for (let m = 0; m < 50; m++) h.siem.add(12, { eventDate: base + m * MIN });
  let read = 0;
  let made = 0;
  for (;;) {
    const r = await fetchIncidentsOnce(h.deps());
    read += r.detail!.scanned as number;
    made += r.count;
    if (!r.full) break;
  }
  assert.equal(made, 600);
  sameSet(await h.storedIds(), h.siem.allIds());
  assert.ok(read <= 2 * made, `read ${read} events to make ${made} incidents`);
});

test('a late event arriving while a backlog drains (every run full) is taken within OVERLAP_COUNT_EVERY runs', async (t) => {
  const h = harness(t);
  const base = h.clock.now() - 50 * MIN;
  // Enough for every run below to be full (runs of 50), inside the 47 minutes before the buffer.
  const n = (OVERLAP_COUNT_EVERY + 10) * 50;
  h.siem.add(n, { eventDate: base, step: Math.floor((45 * MIN) / n) });
  const r1 = await fetchIncidentsOnce(h.deps());
  assert.equal(r1.full, true);
  const cursor = loadSearchCursor('search', r1.cursorAfter)!;
  const [late] = h.siem.add(1, { eventDate: cursor.eventDate - 2 * MIN + 1 });
  // Full runs leave the count to a later run (one request each) ...
  const runs = [];
  for (let i = 0; i < OVERLAP_COUNT_EVERY; i++) runs.push(await fetchIncidentsOnce(h.deps()));
  assert.ok(runs.every((r) => r.full));
  const deferred = runs.filter((r) => r.detail!.overlap === 'deferred');
  assert.equal(deferred.length, OVERLAP_COUNT_EVERY - 1);
  assert.ok(deferred.every((r) => r.detail!.pages === 1));
  // ... but within OVERLAP_COUNT_EVERY runs one counts, reads below the cursor it was counted
  // at, and takes the late event first (it is the oldest), though the cursor moved on since.
  const found = runs.find((r) => r.detail!.overlap === 'scanned')!;
  assert.equal(found.incidents[0]!.alertEventId, late!.alertEventId);
  assert.ok(loadSearchCursor('search', found.cursorBefore)!.eventDate - late!.eventDate * 1000 > 10 * MIN);
  for (let r = found; r.full;) r = await fetchIncidentsOnce(h.deps());
  const ids = await h.storedIds();
  noDup(ids);
  sameSet(ids, h.siem.allIds());
});

test('a cursor written before the overlap count existed is read; its first run re-reads the overlap once', async (t) => {
  const h = harness(t);
  const [old] = h.siem.add(1, { eventDate: h.clock.now() - 20 * MIN });
  const [late] = h.siem.add(1, { eventDate: h.clock.now() - 25 * MIN });
  const legacy = JSON.stringify({
    v: 1,
    eventDate: h.clock.now() - 20 * MIN,
    idsAtDate: [old!.alertEventId],
  });
  await h.store.commitRun({
    source: 'search',
    incidents: [],
    cursorBefore: null,
    cursorAfter: legacy,
    now: h.clock.now(),
    run: {
      source: 'search',
      startedAt: 0,
      endedAt: 0,
      count: 0,
      cursorBefore: null,
      cursorAfter: legacy,
      error: null,
      lagMs: null,
      full: false,
    },
  });
  const r1 = await fetchIncidentsOnce(h.deps());
  assert.equal(r1.detail!.overlap, 'scanned');
  assert.deepEqual(
    r1.incidents.map((i) => i.alertEventId),
    [late!.alertEventId],
  );
  const r2 = await fetchIncidentsOnce(h.deps());
  assert.equal(r2.detail!.overlap, 'counted');
  assert.equal(r2.count, 0);
});

test('an overlap the SIEM counts differently from what is stored is re-read (never trusted blindly)', async (t) => {
  const h = harness(t);
  h.siem.add(5, { eventDate: h.clock.now() - 20 * MIN, step: 1000 });
  await fetchIncidentsOnce(h.deps());
  // An event vanishes from the SIEM's answers (a count below the known one), then one arrives
  // late below the cursor (a count above it): each forces a read of the overlap.
  h.siem.events.shift();
  const r = await fetchIncidentsOnce(h.deps());
  assert.equal(r.detail!.overlap, 'scanned');
  const [late] = h.siem.add(1, { eventDate: h.clock.now() - 20 * MIN + 3500 });
  const r2 = await fetchIncidentsOnce(h.deps());
  assert.equal(r2.detail!.overlap, 'scanned');
  assert.deepEqual(
    r2.incidents.map((i) => i.alertEventId),
    [late!.alertEventId],
  );
});
