import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pino from 'pino';
import { fetchIncidentsOnce } from '../../src/fetch/fetcher.ts';
import type { FetchDeps } from '../../src/fetch/types.ts';
import { compare, startRealSiem, storedIds, type RealSiem, type TakingStore } from '../real-siem.ts';
import { MIN } from '../helpers.ts';

/**
 * The fault matrix: each case drives the real SIEM's fault injection (or writes the awkward
 * events directly) and proves zero lost and zero duplicate incidents against the SIEM's events.
 */

interface Drained {
  runs: number;
  failures: number;
}

/** Runs until `quiet` successful runs in a row took nothing (failures are recorded and retried). */
async function drain(
  deps: FetchDeps,
  opts: { maxRuns?: number; quiet?: number; between?: () => Promise<void> } = {},
) {
  const out: Drained = { runs: 0, failures: 0 };
  let quiet = 0;
  while (quiet < (opts.quiet ?? 2) && out.runs < (opts.maxRuns ?? 400)) {
    out.runs++;
    try {
      const r = await fetchIncidentsOnce(deps);
      quiet = r.count === 0 && !r.full ? quiet + 1 : 0;
    } catch {
      out.failures++;
      quiet = 0;
    }
    await opts.between?.();
  }
  return out;
}

function feedOpts(s: RealSiem, extra: Record<string, unknown> = {}) {
  return { source: 'feed', configIds: String(s.configId), feedBatchLimit: 50, feedCommitEvents: 7, ...extra };
}

async function assertExact(
  t: { diagnostic(m: string): void },
  name: string,
  s: RealSiem,
  store: TakingStore,
  extra = '',
) {
  const c = compare(s.allIds(), await storedIds(store), store.taken);
  t.diagnostic(
    `${name}: events=${c.expected} incidents=${c.got} takenByRuns=${c.taken} lost=${c.lost} duplicates=${c.dup} fetchedTwice=${c.fetchedTwice}${extra}`,
  );
  assert.equal(c.lost, 0, `${name}: lost`);
  assert.equal(c.dup, 0, `${name}: duplicates`);
  assert.equal(c.fetchedTwice, 0, `${name}: events taken from the SIEM again after a run committed them`);
  assert.equal(c.taken, c.got, `${name}: every incident taken once by a committed run`);
  assert.equal(c.got, c.expected, `${name}: count`);
}

test('fault matrix: bursts sharing one eventDate larger than maxFetch (search and feed)', async (t) => {
  const s = await startRealSiem(t);
  const now = s.clock.now();
  s.insert(130, now - 40 * MIN);
  s.insert(75, now - 30 * MIN);
  s.insert(51, now - 20 * MIN);
  s.insert(50, now - 10 * MIN);
  for (let i = 0; i < 20; i++) s.insert(1, now - 15 * MIN + i);
  await s.clock.advance(10_000);
  const client = s.client();
  const search = s.store('search.db');
  const d1 = await drain(s.deps(client, search));
  await assertExact(t, 'burst/search', s, search, ` runs=${d1.runs}`);
  const feed = s.store('feed.db');
  const d2 = await drain(s.deps(client, feed, feedOpts(s, { feedBatchLimit: 50 })));
  await assertExact(t, 'burst/feed', s, feed, ` runs=${d2.runs}`);
});

test('fault matrix: late-indexed events (eventDate behind the cursor, inside the overlap)', async (t) => {
  const s = await startRealSiem(t);
  const client = s.client();
  const search = s.store('search.db');
  const feed = s.store('feed.db');
  let late = 0;
  for (let round = 0; round < 12; round++) {
    const now = s.clock.now();
    for (let i = 0; i < 15; i++) s.insert(1, now - 4 * MIN - i * 1500);
    // Indexed now, dated up to 9 minutes back (overlap 10): behind a cursor that already moved.
    if (round > 0) {
      for (let i = 0; i < 5; i++) s.insert(1, now - 4 * MIN - (1 + ((round * 7 + i * 13) % 9)) * MIN);
      late += 5;
    }
    await s.clock.advance(10_000);
    await drain(s.deps(client, search), { quiet: 1 });
    await drain(s.deps(client, feed, feedOpts(s)), { quiet: 1 });
    await s.clock.advance(MIN);
  }
  await assertExact(t, 'late/search', s, search, ` late=${late}`);
  await assertExact(t, 'late/feed', s, feed, ` late=${late}`);
});

test('fault matrix: 429, 5xx and timeouts (transport retries, failed runs recorded and redone)', async (t) => {
  const s = await startRealSiem(t);
  const client = s.client(250);
  const search = s.store('search.db');
  const feed = s.store('feed.db');
  s.siem.ctx.faults.set({ rate429: 0.2, rate5xx: 0.2, slowShare: 0.08, slowMs: 3_600_000 });
  const between = async () => {
    await s.clock.advance(1000); // frees requests the fault hook held (they were already timed out)
  };
  let failures = 0;
  for (let round = 0; round < 6; round++) {
    const now = s.clock.now();
    s.insert(40, now - 5 * MIN);
    for (let i = 0; i < 30; i++) s.insert(1, now - 6 * MIN + i * 100);
    await s.clock.advance(10_000);
    failures += (await drain(s.deps(client, search), { quiet: 1, between })).failures;
    failures += (await drain(s.deps(client, feed, feedOpts(s)), { quiet: 1, between })).failures;
  }
  s.siem.ctx.faults.reset();
  await drain(s.deps(client, search));
  await drain(s.deps(client, feed, feedOpts(s)));
  const runErrors = (await search.listRuns(10_000)).filter((r) => r.error).length;
  const feedErrors = (await feed.listRuns(10_000)).filter((r) => r.error).length;
  assert.equal(runErrors + feedErrors, failures, 'every failed run is recorded');
  await assertExact(t, 'http-faults/search', s, search, ` failedRuns=${runErrors}`);
  await assertExact(t, 'http-faults/feed', s, feed, ` failedRuns=${feedErrors}`);
});

/**
 * The SIEM cuts half its feed responses; `items` reads through the client's parsed feed (cuts
 * seen as FeedTruncatedError), `body` reads the raw body, decoded on the thread past each
 * response's first batch (cuts seen in the run's warning).
 */
async function truncatedFeed(
  t: { diagnostic(m: string): void; after(fn: () => unknown): void },
  via: 'items' | 'body',
) {
  const s = await startRealSiem(t);
  const base = s.client();
  let cuts = 0;
  const client: FetchDeps['client'] =
    via === 'body'
      ? base
      : {
          searchSecurityEvents: (r, o) => base.searchSecurityEvents(r, o),
          async *feed(req, o) {
            try {
              yield* base.feed(req, o);
            } catch (err) {
              if ((err as Error).name === 'FeedTruncatedError') cuts++;
              throw err;
            }
          },
        };
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => void (/feed response truncated/.test(line) && via === 'body' && cuts++) },
  );
  const feed = s.store('feed.db');
  const deps = (opts: Record<string, unknown> = {}) => ({
    ...s.deps(base, feed, feedOpts(s, opts)),
    client,
    logger,
  });
  s.siem.ctx.faults.set({ feedCutShare: 0.5 });
  for (let round = 0; round < 5; round++) {
    s.insert(120, s.clock.now() - MIN);
    await s.clock.advance(10_000);
    await drain(deps({ feedBatchLimit: 64 }), { quiet: 1 });
  }
  s.siem.ctx.faults.reset();
  await drain(deps());
  assert.ok(cuts > 0, 'the SIEM cut some responses');
  if (via === 'body')
    assert.ok(s.deps(base, feed).feedDecoder!.stats().threadBatches > 0, 'decoded on the thread');
  await assertExact(t, `truncated-feed/${via}`, s, feed, ` truncatedResponses=${cuts}`);
}

test('fault matrix: a truncated feed is re-read from the same offset with a smaller limit', async (t) => {
  await truncatedFeed(t, 'items');
});

test('fault matrix: a truncated feed decoded on the thread: what was whole is kept, the rest re-read', async (t) => {
  await truncatedFeed(t, 'body');
});

test('fault matrix: an expired offset (416) inside the replay window: gap recorded, replay loses and duplicates nothing', async (t) => {
  const s = await startRealSiem(t);
  const client = s.client();
  const feed = s.store('feed.db');
  s.siem.ctx.faults.set({ offsetMaxAgeSeconds: 30 });
  for (let round = 0; round < 6; round++) {
    s.insert(25, s.clock.now() - MIN);
    await s.clock.advance(10_000);
    await drain(s.deps(client, feed, feedOpts(s)), { quiet: 1 });
    await s.clock.advance(60_000); // the offset is now older than 30 s
  }
  const gaps = await feed.listGaps();
  assert.ok(gaps.length >= 5, `gaps recorded: ${gaps.length}`);
  for (const g of gaps) assert.match(g.reason, /416/);
  await assertExact(t, 'expired-offset/in-window', s, feed, ` gapsRecorded=${gaps.length}`);
});

test('fault matrix: an expired offset beyond the 12-hour window: the recorded gap covers exactly the events missed', async (t) => {
  const s = await startRealSiem(t);
  const client = s.client();
  const feed = s.store('feed.db');
  s.insert(10, s.clock.now() - MIN);
  await s.clock.advance(10_000);
  await drain(s.deps(client, feed, feedOpts(s)), { quiet: 1 });
  await s.clock.advance(3_600_000);
  const stranded = s.insert(7, s.clock.now() - MIN); // stored 1 h later, then never read in time
  await s.clock.advance(12 * 3_600_000);
  const fresh = s.insert(9, s.clock.now() - MIN);
  await s.clock.advance(10_000);
  await drain(s.deps(client, feed, feedOpts(s)), { quiet: 1 });
  const [gap, ...more] = await feed.listGaps();
  assert.equal(more.length, 0);
  const got = new Set(await storedIds(feed));
  const missed = s.allIds().filter((id) => !got.has(id));
  assert.deepEqual([...missed].sort(), [...stranded].sort(), 'exactly the stranded events are missing');
  for (const id of fresh) assert.ok(got.has(id));
  // Every missed event's storage time lies inside the recorded gap; nothing outside it is missed.
  const storedAt = s.siem.ctx.store.db.prepare(
    'SELECT stored_at AS at FROM security_events WHERE alert_event_id = ?',
  );
  for (const id of missed) {
    const at = (storedAt.get(id) as { at: number }).at;
    assert.ok(at > Date.parse(gap!.from) && at < Date.parse(gap!.to), `event stored at ${at} inside the gap`);
  }
  assert.match(gap!.reason, /not read/);
  const c = compare(s.allIds(), await storedIds(feed), feed.taken);
  assert.equal(c.fetchedTwice, 0, 'no event taken from the SIEM twice');
  assert.equal(c.taken, c.got, 'every incident taken once by a committed run');
  t.diagnostic(
    `expired-offset/beyond-window: events=${c.expected} incidents=${c.got} missed=${missed.length} all inside gap ${gap!.from}..${gap!.to}; fetchedTwice=${c.fetchedTwice}`,
  );
});

test('fault matrix: an offset the SIEM refuses (400 on offset: its store was reset): gap recorded, resumed by time, nothing lost', async (t) => {
  const s = await startRealSiem(t);
  const client = s.client();
  const feed = s.store('feed.db');
  s.insert(20, s.clock.now() - MIN);
  await s.clock.advance(10_000);
  await drain(s.deps(client, feed, feedOpts(s)), { quiet: 1 });
  // A SIEM whose data dir was recreated signs offsets with a new key: the stored one is refused.
  const db = new DatabaseSync(join(s.dataDir, 'feed.db'));
  const row = db.prepare('SELECT source, value FROM cursors').get() as { source: string; value: string };
  const cursor = JSON.parse(row.value) as { offset: string };
  cursor.offset = `${cursor.offset.slice(0, -1)}${cursor.offset.endsWith('A') ? 'B' : 'A'}`;
  db.prepare('UPDATE cursors SET value = ? WHERE source = ?').run(JSON.stringify(cursor), row.source);
  db.close();
  s.insert(15, s.clock.now() - MIN);
  await s.clock.advance(10_000);
  const d = await drain(s.deps(client, feed, feedOpts(s)), { quiet: 1, maxRuns: 10 });
  assert.equal(d.failures, 0, 'no run fails on the refused offset');
  const gaps = await feed.listGaps();
  assert.equal(gaps.length, 1);
  assert.match(gaps[0]!.reason, /refused/);
  await assertExact(t, 'refused-offset', s, feed, ` gapsRecorded=${gaps.length}`);
});
