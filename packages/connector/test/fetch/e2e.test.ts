import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchIncidentsOnce } from '../../src/fetch/fetcher.ts';
import { buildApiApp } from '../../src/api/app.ts';
import { compare, startRealSiem, storedIds } from '../real-siem.ts';
import { MIN, silent } from '../helpers.ts';
import { apiKeyHeaders } from '../api/key.ts';

test('end to end against the real SIEM app: search mode, then feed mode, into the store and the API', async (t) => {
  const s = await startRealSiem(t);
  const now = s.clock.now();
  s.insert(60, now - 30 * MIN); // a burst sharing one eventDate, larger than maxFetch
  for (let i = 0; i < 40; i++) s.insert(1, now - 20 * MIN + i * 1000, i % 2 ? 'LOW' : 'SEVERE');
  const client = s.client();

  // Search mode
  const search = s.store('search.db');
  const counts: number[] = [];
  for (let i = 0; i < 5; i++) counts.push((await fetchIncidentsOnce(s.deps(client, search))).count);
  assert.deepEqual(counts, [50, 50, 0, 0, 0]);
  let c = compare(s.allIds(), await storedIds(search), search.taken);
  assert.deepEqual([c.lost, c.dup, c.fetchedTwice], [0, 0, 0]);
  // A late-indexed event within the overlap.
  await s.clock.advance(MIN);
  const [late] = s.insert(1, now - 25 * MIN);
  assert.deepEqual(
    (await fetchIncidentsOnce(s.deps(client, search))).incidents.map((i) => i.alertEventId),
    [late],
  );
  const sev = (await search.listIncidents({ page: 1, pageSize: 1, severities: [4] })).total;
  assert.equal(sev, 20);

  // Feed mode, into its own store
  const feed = s.store('feed.db');
  await s.clock.advance(10_000); // past the feed's 5-second latency
  const opts = { source: 'feed', configIds: String(s.configId), feedBatchLimit: 40 } as const;
  const feedCounts: number[] = [];
  for (let i = 0; i < 5; i++) feedCounts.push((await fetchIncidentsOnce(s.deps(client, feed, opts))).count);
  assert.deepEqual(feedCounts, [40, 40, 21, 0, 0]);
  c = compare(s.allIds(), await storedIds(feed), feed.taken);
  assert.deepEqual([c.lost, c.dup, c.fetchedTwice, c.taken, c.got], [0, 0, 0, 101, 101]);

  // The same incidents through the API
  const app = await buildApiApp({ store: feed, logger: silent, clock: s.clock, fetching: true });
  t.after(() => app.close());
  const headers = await apiKeyHeaders(feed, s.clock);
  const res = (await app.inject({ url: '/api/incidents?limit=1', headers })).json();
  assert.equal(res.total, 101);
  assert.equal(res.results.length, 1);
  const health = (await app.inject({ url: '/api/health', headers })).json();
  assert.equal(health.incidentsTotal, 101);
  assert.equal(health.lastRun.error, null);
});
