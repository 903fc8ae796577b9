import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { SiemClient } from '../../src/client/types.ts';
import { backfillCommand, type BackfillDeps } from '../../src/commands/backfill.ts';
import { buildApiApp } from '../../src/api/app.ts';
import { fetchIncidentsOnce } from '../../src/fetch/fetcher.ts';
import { resolveFetchOptions } from '../../src/fetch/options.ts';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import type { FetchDeps } from '../../src/fetch/types.ts';
import { FakeSiem, MIN, silent, TestClock } from '../helpers.ts';
import { apiKeyHeaders } from '../api/key.ts';

const START = Date.UTC(2026, 0, 1, 12);

/** Fake SIEM + a real SQLite store whose file the test can read raw (cursor bytes). */
function setup(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-backfill-'));
  const path = join(dir, 'connector.db');
  const clock = new TestClock(START);
  const siem = new FakeSiem(clock);
  const store = openSqliteIncidentStore({ path });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const deps: BackfillDeps = {
    client: siem as unknown as SiemClient,
    clock,
    logger: silent,
    store,
  };
  const fetchDeps = (opts: Record<string, unknown> = {}): FetchDeps => ({
    client: siem,
    store,
    options: resolveFetchOptions(opts, silent),
    logger: silent,
    clock,
  });
  /** Every cursor row exactly as stored (value bytes and updated_at). */
  const cursorRows = () => {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return JSON.stringify(
        db.prepare('SELECT source, value, updated_at FROM cursors ORDER BY source').all(),
      );
    } finally {
      db.close();
    }
  };
  const storedIds = async () =>
    (await store.listIncidents({ page: 1, pageSize: 100_000 })).results.map((i) => i.alertEventId);
  return { clock, siem, store, deps, fetchDeps, cursorRows, storedIds };
}

const sorted = (a: string[]) => [...a].sort();

test('backfill inserts the missing events, skips stored ones, never moves the live cursor', async (t) => {
  const s = setup(t);
  const now = s.clock.now();
  const early = s.siem.add(5, { eventDate: now - 60 * MIN, step: 1000 });
  // The live loop takes the 3 oldest and pins its cursor.
  const live = await fetchIncidentsOnce(s.fetchDeps({ firstFetch: '2 hours', maxFetch: 3 }));
  assert.equal(live.count, 3);
  // Late-indexed events far behind the cursor: the live loop's overlap never reaches them.
  const late = s.siem.add(2, { eventDate: now - 100 * MIN, step: 1000 });
  const before = s.cursorRows();
  assert.match(before, /"source":"search"/);
  s.clock.advance(MIN);

  const r = await backfillCommand.invoke({ from: '2 hours ago', to: 'now' }, s.deps);
  assert.equal(r.scanned, 7);
  assert.equal(r.inserted, 4);
  assert.equal(r.alreadyPresent, 3);
  assert.deepEqual(r.window, {
    from: new Date(s.clock.now() - 120 * MIN).toISOString(),
    to: new Date(s.clock.now()).toISOString(),
  });
  assert.equal(s.cursorRows(), before, 'cursor bytes changed');
  assert.deepEqual(sorted(await s.storedIds()), sorted([...early, ...late].map((e) => e.alertEventId)));

  // Again: idempotent, still no cursor change.
  const again = await backfillCommand.invoke({ from: '2 hours ago', to: 'now' }, s.deps);
  assert.deepEqual([again.scanned, again.inserted, again.alreadyPresent], [7, 0, 7]);
  assert.equal(s.cursorRows(), before);

  // The live loop goes on from its own cursor and creates no duplicate.
  const next = await fetchIncidentsOnce(s.fetchDeps({ firstFetch: '2 hours', maxFetch: 3 }));
  assert.equal(next.count, 0);
  const ids = await s.storedIds();
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(ids.length, 7);
  // ... and moves its own cursor with the next new event.
  const fresh = s.siem.add(1, { eventDate: s.clock.now() - 10 * MIN });
  const moved = await fetchIncidentsOnce(s.fetchDeps({ firstFetch: '2 hours', maxFetch: 3 }));
  assert.deepEqual(
    moved.incidents.map((i) => i.alertEventId),
    [fresh[0]!.alertEventId],
  );
  assert.notEqual(s.cursorRows(), before);

  // Recorded as a backfill run, apart from the live runs.
  const run = await s.store.lastRun({ source: 'backfill' });
  assert.equal(run!.count, 0);
  assert.equal(run!.cursorBefore, null);
  assert.equal(run!.cursorAfter, null);
  assert.equal((await s.store.lastRun({ excludeSource: 'backfill' }))!.source, 'search');
});

test('backfill pages oldest first past many events sharing one eventDate (small pages), none skipped', async (t) => {
  const s = setup(t);
  const now = s.clock.now();
  const same = s.siem.add(7, { eventDate: now - 30 * MIN });
  const after = s.siem.add(4, { eventDate: now - 20 * MIN, step: 1 });
  const r = await backfillCommand.invoke({ from: '1 hour ago', pageSize: 2 }, s.deps);
  assert.deepEqual([r.scanned, r.inserted, r.alreadyPresent], [11, 11, 0]);
  assert.deepEqual(sorted(await s.storedIds()), sorted([...same, ...after].map((e) => e.alertEventId)));
  for (const req of s.siem.searchRequests) {
    assert.deepEqual(req.sort, [{ field: 'DATE', descending: false }]);
    assert.equal(req.pagination!.pageSize, 2);
  }
});

test('backfill applies the configured filters unless the arguments name their own', async (t) => {
  const s = setup(t);
  const now = s.clock.now();
  const high = s.siem.add(2, { eventDate: now - 30 * MIN, severity: 'HIGH', name: 'SSH brute force' });
  s.siem.add(2, { eventDate: now - 30 * MIN, severity: 'LOW', name: 'Port scan' });
  const r = await backfillCommand.invoke(
    { from: '1 hour ago' },
    { ...s.deps, filters: { severities: ['HIGH'], searchTerm: 'ssh' } },
  );
  assert.equal(r.inserted, 2);
  assert.deepEqual(sorted(await s.storedIds()), sorted(high.map((e) => e.alertEventId)));
  assert.deepEqual(s.siem.searchRequests[0]!.filter!.severities, ['HIGH']);
  const all = await backfillCommand.invoke(
    { from: '1 hour ago', severities: ['LOW', 'HIGH'], searchTerm: '' },
    { ...s.deps, filters: { severities: ['HIGH'], searchTerm: 'ssh' } },
  );
  assert.equal(all.inserted, 2);
});

test('backfill of a recorded feed gap widens it by the margin, marks it backfilled, shows in health', async (t) => {
  const s = setup(t);
  const now = s.clock.now();
  const gapFrom = now - 120 * MIN;
  const gapTo = now - 60 * MIN;
  await s.store.commitRun({
    source: 'feed:1',
    incidents: [],
    cursorBefore: null,
    cursorAfter: JSON.stringify({ v: 1, offset: '9', lastStoredAt: gapTo }),
    run: {
      source: 'feed:1',
      startedAt: now,
      endedAt: now,
      count: 0,
      cursorBefore: null,
      cursorAfter: null,
      error: null,
      lagMs: 0,
      full: false,
    },
    gaps: [{ source: 'feed:1', from: gapFrom, to: gapTo, reason: 'offset expired (416)' }],
    now,
  });
  const [gap] = await s.store.listGaps();
  assert.equal(gap!.backfilledAt, null);
  const inMargin = s.siem.add(1, { eventDate: gapFrom - 5 * MIN });
  const inGap = s.siem.add(3, { eventDate: gapFrom + 10 * MIN, step: MIN });
  const outside = s.siem.add(1, { eventDate: gapFrom - 15 * MIN });
  const before = s.cursorRows();
  s.clock.advance(MIN);

  const r = await backfillCommand.invoke({ gapId: gap!.id }, s.deps);
  assert.equal(r.gapId, gap!.id);
  assert.deepEqual(r.window, {
    from: new Date(gapFrom - 10 * MIN).toISOString(),
    to: new Date(gapTo + 10 * MIN).toISOString(),
  });
  assert.equal(r.inserted, 4);
  assert.match(r.notes[0]!, /widened by 10 min/);
  const ids = await s.storedIds();
  assert.deepEqual(sorted(ids), sorted([...inMargin, ...inGap].map((e) => e.alertEventId)));
  assert.ok(!ids.includes(outside[0]!.alertEventId));
  assert.equal(s.cursorRows(), before, 'the feed cursor must not move');
  const marked = await s.store.getGap(gap!.id);
  assert.equal(marked!.backfilledAt, new Date(s.clock.now()).toISOString());

  const app = await buildApiApp({ store: s.store, logger: silent, clock: s.clock, fetching: true });
  t.after(() => app.close());
  const headers = await apiKeyHeaders(s.store, s.clock);
  const h = (await app.inject({ url: '/api/health', headers })).json();
  assert.equal(h.gaps[0].backfilledAt, marked!.backfilledAt);
  assert.equal(h.lastBackfill.source, 'backfill');
  assert.equal(h.lastBackfill.count, 4);
  assert.equal(h.lastRun.source, 'feed:1', 'a backfill is not the live loop');

  // A custom margin; a re-run says the gap was already backfilled.
  const narrow = await backfillCommand.invoke({ gapId: gap!.id, marginMinutes: 0 }, s.deps);
  assert.equal(narrow.window.from, new Date(gapFrom).toISOString());
  assert.equal(narrow.inserted, 0);
  assert.match(narrow.notes.join('\n'), /already backfilled/);
});

test('a backfill that fails midway records a failed backfill run and leaves the gap open', async (t) => {
  const s = setup(t);
  const now = s.clock.now();
  s.siem.add(5, { eventDate: now - 30 * MIN, step: 1000 });
  let calls = 0;
  const client = {
    searchSecurityEvents: async (...a: Parameters<FakeSiem['searchSecurityEvents']>) => {
      if (++calls === 2) throw new Error('SIEM unavailable');
      return s.siem.searchSecurityEvents(...a);
    },
  } as unknown as SiemClient;
  await assert.rejects(
    backfillCommand.invoke({ from: '1 hour ago', pageSize: 2 }, { ...s.deps, client }),
    /SIEM unavailable/,
  );
  const run = await s.store.lastRun({ source: 'backfill' });
  assert.equal(run!.error, 'SIEM unavailable');
  assert.equal(run!.count, 2, 'the first page is written and counted');
  // Running it again completes it without duplicates.
  const r = await backfillCommand.invoke({ from: '1 hour ago', pageSize: 2 }, s.deps);
  assert.deepEqual([r.inserted, r.alreadyPresent], [3, 2]);
});

test('bad arguments are clear errors naming the flag; nothing is written', async (t) => {
  const s = setup(t);
  const cases: [Record<string, unknown>, string, RegExp, string?][] = [
    [{ from: '1 hour ago', to: '2 hours ago' }, '--from', /is not before --to/],
    [{ from: '2026-01-01T11:00:00Z', to: '2026-01-01T11:00:00Z' }, '--from', /is not before --to/],
    [{ from: '1 hour ago', to: '2026-01-01T13:00:00Z' }, '--to', /is in the future/],
    [{ from: 'soonish' }, '--from', /is not a time/],
    [{}, '--from', /is required \(or --gap ID\)/],
    [{ gapId: 42 }, '--gap', /no recorded gap with id 42/, 'UNKNOWN_GAP'],
    [{ gapId: 1, from: '1 hour ago' }, '--gap', /not both/],
    [{ from: '1 hour ago', pageSize: 1001 }, '--page-size', /1000/],
    [{ from: '1 hour ago', severities: ['CRITICAL'] }, '--severities', /CRITICAL/],
  ];
  for (const [args, field, message, code] of cases) {
    await assert.rejects(
      backfillCommand.invoke(args, s.deps),
      (err: { code: string; field: string; message: string }) => {
        assert.equal(err.field, field, JSON.stringify(args));
        assert.equal(err.code, code ?? 'INVALID_ARGUMENT');
        assert.match(err.message, message);
        assert.ok(err.message.startsWith(`${field}: `));
        return true;
      },
    );
  }
  assert.equal(s.siem.searchRequests.length, 0);
  assert.equal(await s.store.lastRun(), null);
});
