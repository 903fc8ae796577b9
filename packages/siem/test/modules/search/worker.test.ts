/* eslint-disable @typescript-eslint/no-explicit-any -- response JSON is navigated freely in tests */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.ts';
import { matchesLucene, parseLucene } from '../../../src/lucene/index.ts';
import { createSqliteSearchRepository, FTS_DRIVEN_MAX } from '../../../src/modules/search/repository.ts';
import { parseSearchBody } from '../../../src/modules/search/request.ts';
import { createSearchService } from '../../../src/modules/search/service.ts';
import { buildTestSiem } from '../../helpers.ts';
import { insertLogs, search } from './helpers.ts';

const HOUR = 3_600_000;
/** Late in a UTC day, so 30 hours back stays inside the default window (today and yesterday, calendar days). */
const NOW = Date.UTC(2026, 0, 15, 23, 0, 0);

/**
 * Logs over 30 hours of the default window, timestamps out of insertion order, `failed` in 40%
 * (past FTS_DRIVEN_MAX, so it is read hour by hour), some non-ASCII, one other account.
 */
async function setup(t: { after: (fn: () => unknown) => void }) {
  const s = await buildTestSiem({ clock: new FakeClock(NOW) });
  t.after(() => s.close());
  const now = s.clock.now();
  const n = Math.ceil(FTS_DRIVEN_MAX * 2.6);
  const logs = Array.from({ length: n }, (_, i) => {
    const failed = i % 5 < 2;
    return {
      ts: now - 1000 - ((i * 7919) % n) * Math.floor((30 * HOUR) / n),
      doc: {
        outcome: failed ? 'failure' : 'success',
        user: `u${i % 13}`,
        message: `${failed ? 'Failed' : 'Accepted'} login ${i % 97 === 0 ? 'für café' : 'for'} u${i % 13}`,
      },
    };
  });
  insertLogs(s, s.logsAccountId, logs);
  insertLogs(s, s.siemAccountId, logs.slice(0, 500));
  return s;
}

/** The reference: every log of the account, the predicate, newest first (ts, then seq). */
function fullScan(s: Awaited<ReturnType<typeof setup>>, q: string): string[] {
  const node = parseLucene(q);
  const rows = s.ctx.store.db
    .prepare('SELECT seq, doc FROM logs WHERE account_id = ? ORDER BY ts DESC, seq DESC')
    .all(s.logsAccountId) as { seq: number; doc: string }[];
  return rows.filter((r) => matchesLucene(node, JSON.parse(r.doc))).map((r) => String(r.seq));
}

const BODIES: Record<string, unknown>[] = [
  { query: { query_string: { query: 'failed' } }, size: 50 },
  { query: { query_string: { query: 'failed' } }, size: 20, from: 3000 },
  { query: { query_string: { query: 'failed OR accepted' } }, size: 50, track_total_hits: true },
  { query: { query_string: { query: 'outcome:failure' } }, size: 50 },
  { query: { query_string: { query: 'outcome:failure' } }, size: 50, track_total_hits: 100 },
  { query: { query_string: { query: 'outcome:failure' } }, size: 10, track_total_hits: false },
  { query: { query_string: { query: 'failed AND user:u3' } }, size: 50, sort: [{ '@timestamp': 'asc' }] },
  { query: { query_string: { query: 'failed' } }, size: 5, sort: [{ user: 'desc' }] },
  { query: { match_all: {} }, size: 5, aggs: { users: { terms: { field: 'user', size: 3 } } } },
  {
    query: { query_string: { query: 'failed' } },
    size: 0,
    aggs: { t: { date_histogram: { field: '@timestamp', fixed_interval: '1h' } } },
  },
  { query: { query_string: { query: 'café' } }, size: 50 },
];

test('a broad search answers the same in a worker thread as on the event loop, and as a full scan', async (t) => {
  const s = await setup(t);
  const here = createSearchService({ repository: createSqliteSearchRepository(s.ctx.store), clock: s.clock });
  for (const body of BODIES) {
    const label = JSON.stringify(body);
    const input = parseSearchBody(body, undefined);
    const res = await search(s, body);
    assert.equal(res.status, 200, `${label}: ${JSON.stringify(res.body)}`);
    const local = await here.search(s.logsAccountId, input);
    assert.equal(res.headers['x-siemlink-total-relation'], local.relation, label);
    const { took: _a, ...remote } = res.body;
    const { took: _b, ...inThread } = local.response as unknown as Record<string, any>;
    assert.deepEqual(remote, inThread, label);
  }
  // The pages and exact totals are the full scan's.
  for (const q of ['failed', 'outcome:failure', 'café']) {
    const want = fullScan(s, q);
    const res = await search(s, { query: { query_string: { query: q } }, size: 50, track_total_hits: true });
    assert.equal(res.body.hits.total, want.length, q);
    assert.deepEqual(
      res.body.hits.hits.map((h: any) => h._id),
      want.slice(0, 50),
      q,
    );
  }
  const capped = await search(s, { query: { query_string: { query: 'failed' } }, track_total_hits: 100 });
  assert.deepEqual(capped.body.hits.total, { value: fullScan(s, 'failed').length, relation: 'eq' });
});

test('the planner keeps a selective search on the event loop and sends a broad one to the pool', async (t) => {
  const s = await setup(t);
  const service = createSearchService({
    repository: createSqliteSearchRepository(s.ctx.store),
    clock: s.clock,
  });
  const now = s.clock.now();
  const selective = (q: string) =>
    service.selective(parseSearchBody({ query: { query_string: { query: q } } }, undefined), now);
  assert.equal(selective('u3'), true);
  assert.equal(selective('user:u3 AND failed'), true);
  assert.equal(selective('café'), false, 'no FTS prefilter for a non-ASCII word: every log is a candidate');
  assert.equal(selective('failed'), false);
  assert.equal(selective('outcome:failure'), false);
  assert.equal(selective('*'), false);
});

test('a search stops at its next check: cancelled or over its budget, by rows read, not by time', async (t) => {
  const s = await setup(t);
  const service = createSearchService({
    repository: createSqliteSearchRepository(s.ctx.store),
    clock: s.clock,
  });
  const input = parseSearchBody(
    { query: { query_string: { query: 'outcome:failure' } }, track_total_hits: true },
    undefined,
  );
  let checks = 0;
  await assert.rejects(
    service.search(s.logsAccountId, input, {
      check: () => {
        if (++checks === 3) throw new Error('stopped at the third check');
      },
    }),
    /stopped at the third check/,
  );
  assert.equal(checks, 3);
});
