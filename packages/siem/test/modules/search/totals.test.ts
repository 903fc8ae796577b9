import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { SearchResponse } from '@siemlink/contracts';
import { FakeClock } from '../../../src/clock.ts';
import { exactFts, matchesLucene, parseLucene } from '../../../src/lucene/index.ts';
import { createSqliteSearchRepository } from '../../../src/modules/search/repository.ts';
import { parseSearchBody } from '../../../src/modules/search/request.ts';
import { createSearchService, type SearchService } from '../../../src/modules/search/service.ts';
import { openSqliteStore, type Store } from '../../../src/store/store.ts';
import { buildTestSiem } from '../../helpers.ts';
import { rng } from '../../lucene/rng.ts';
import { insertLogs, search } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const ACCOUNT = 1;

// Words whose FTS5 (unicode61, diacritics folded) and JS tokens differ are mixed in on purpose.
const WORDS = ['alice', 'bob', 'failed', 'password', 'cafe', 'café', 'CAFE', 'e\u0301x', 'naïve', 'x', '42'];
const VALUES = [...WORDS, 'Failed password', 'true', 'false', 'alice-bob', '\\u00e9', 'ok_cafe'];

function randomDoc(r: () => number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const doc: Record<string, unknown> = { message: `${pick(VALUES)} ${pick(VALUES)}` };
  if (r() < 0.5) doc.user = pick(VALUES);
  if (r() < 0.3) doc.tags = [pick(VALUES), pick(VALUES)];
  if (r() < 0.3) doc.src = { host: pick(VALUES), port: Math.floor(r() * 100) };
  if (r() < 0.2) doc.flag = r() < 0.5;
  if (r() < 0.2) doc.n = 42;
  return doc;
}

function fixture(t: { after: (fn: () => void) => void }, count: number, seed: number) {
  const store = openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  const r = rng(seed);
  const docs: { ts: number; doc: Record<string, unknown> }[] = [];
  const insert = store.db.prepare(
    "INSERT INTO logs (account_id, ts, stored_at, type, doc) VALUES (?, ?, 0, 'test', ?)",
  );
  store.tx(() => {
    for (let i = 0; i < count; i++) {
      const ts = NOW - Math.floor(r() * 3_600_000);
      const doc = { '@timestamp': new Date(ts).toISOString(), ...randomDoc(r) };
      // Another account's logs must never be counted.
      const account = i % 7 === 0 ? 2 : ACCOUNT;
      insert.run(account, ts, JSON.stringify(doc));
      if (account === ACCOUNT) docs.push({ ts, doc });
    }
  });
  return { store, docs };
}

/** Candidate logs the service read (each one is a JSON parse), to show counts do not scan. */
let examined = 0;

function service(store: Store, totalCap?: number): SearchService {
  const repository = createSqliteSearchRepository(store);
  return createSearchService({
    repository: {
      ...repository,
      *candidates(spec) {
        for (const row of repository.candidates(spec)) {
          examined++;
          yield row;
        }
      },
    },
    clock: new FakeClock(NOW),
    totalCap,
  });
}

const run = (s: SearchService, body: Record<string, unknown>) =>
  s.search(ACCOUNT, parseSearchBody(body, undefined));

const scanCount = (docs: { doc: Record<string, unknown> }[], q: string) => {
  const node = parseLucene(q);
  return docs.filter((d) => matchesLucene(node, d.doc)).length;
};

test('exactFts: only free-text single words and AND/OR of them are claimed exact', () => {
  const exact = (q: string) => exactFts(parseLucene(q));
  // Every phrase names the `body` column: the index's `meta` tokens are never user text.
  assert.equal(exact('alice'), 'body : "alice"');
  assert.equal(
    exact('alice AND (bob OR failed)'),
    '(body : "alice") AND ((body : "bob") OR (body : "failed"))',
  );
  assert.equal(exact('"alice"'), 'body : "alice"');
  for (const q of [
    'user:alice',
    '"failed password"',
    'ali*',
    'NOT alice',
    'alice AND -bob',
    '42',
    'true',
    'café',
  ])
    assert.equal(exact(q), null, q);
});

test('hits.total equals a full scan for every query, exact from the index where claimed', async (t) => {
  const { store, docs } = fixture(t, 1500, 7);
  const s = service(store, 50);
  const queries = [
    '*',
    'alice',
    'cafe',
    'CAFE',
    'x',
    'naïve',
    'café',
    'password',
    'alice AND failed',
    'alice OR bob OR cafe',
    '(cafe OR x) AND password',
    'user:alice',
    '"failed password"',
    'message:cafe',
    '42',
    'true',
    'NOT alice',
    'caf*',
    'u00e9',
  ];
  for (const q of queries) {
    const want = scanCount(docs, q);
    const claimed = q === '*' || exactFts(parseLucene(q)) !== null;
    const tracked = await run(s, { query: { query_string: { query: q } }, size: 3, track_total_hits: true });
    assert.equal(tracked.response.hits.total, want, `track_total_hits true: ${q}`);
    assert.equal(tracked.relation, 'eq');
    examined = 0;
    const plain = await run(s, { query: { query_string: { query: q } }, size: 3 });
    // Counted from the index: the scan stopped at the page (a few non-matching FTS candidates
    // such as "café" for cafe may come first), far short of every match.
    if (claimed && want > 20) assert.ok(examined <= 10, `${q}: read ${examined} candidates for ${want}`);
    if (claimed || want <= 50) {
      assert.equal(plain.response.hits.total, want, `default: ${q}`);
      assert.equal(plain.relation, 'eq', q);
    } else {
      // Not countable from the index and more matches than the cap: a lower bound.
      assert.equal(plain.response.hits.total, 50, `capped: ${q}`);
      assert.equal(plain.relation, 'gte', q);
    }
    assert.deepEqual(
      plain.response.hits.hits.map((h) => h._id),
      tracked.response.hits.hits.map((h) => h._id),
      `same page: ${q}`,
    );
    assert.equal(plain.response.hits.hits.length, Math.min(3, want), q);
  }
  // The fixture really has logs where FTS5 and the predicate disagree (café folds to cafe).
  const ftsCafe = store.db
    .prepare(
      'SELECT count(*) AS n FROM logs_fts JOIN logs ON logs.seq = logs_fts.rowid WHERE logs_fts MATCH ? AND account_id = ?',
    )
    .get('"cafe"', ACCOUNT) as { n: number };
  assert.ok(ftsCafe.n > scanCount(docs, 'cafe'), `${ftsCafe.n} vs ${scanCount(docs, 'cafe')}`);
  // Some of the claimed-exact queries really are broad, so the index count was exercised past the cap.
  assert.ok(scanCount(docs, 'password') > 50);
});

test('post_filter is part of the count: exact when both are exact, capped otherwise', async (t) => {
  const { store, docs } = fixture(t, 800, 11);
  const s = service(store, 20);
  const both = (d: { doc: Record<string, unknown> }) =>
    matchesLucene(parseLucene('password'), d.doc) && matchesLucene(parseLucene('alice'), d.doc);
  const r = await run(s, {
    query: { query_string: { query: 'password' } },
    post_filter: { query_string: { query: 'alice' } },
    track_total_hits: true,
  });
  assert.equal(r.response.hits.total, docs.filter(both).length);
  const d = await run(s, {
    query: { query_string: { query: 'password' } },
    post_filter: { query_string: { query: 'alice' } },
  });
  assert.equal(d.response.hits.total, docs.filter(both).length);
  assert.equal(d.relation, 'eq');
});

test('track_total_hits: false answers -1 (ES 6), a number answers ES 7 {value, relation}', async (t) => {
  const { store, docs } = fixture(t, 600, 3);
  const s = service(store);
  const want = scanCount(docs, 'user:alice');
  assert.ok(want > 10);
  const off = await run(s, { query: { query_string: { query: 'user:alice' } }, track_total_hits: false });
  assert.equal(off.response.hits.total, -1);
  assert.equal(off.response.hits.hits.length, 10);
  const five = await run(s, { query: { query_string: { query: 'user:alice' } }, track_total_hits: 5 });
  assert.deepEqual(five.response.hits.total, { value: 5, relation: 'gte' });
  const many = await run(s, { query: { query_string: { query: 'user:alice' } }, track_total_hits: 100_000 });
  assert.deepEqual(many.response.hits.total, { value: want, relation: 'eq' });
  const exactWide = await run(s, { query: { query_string: { query: 'alice' } }, track_total_hits: 1 });
  assert.deepEqual(exactWide.response.hits.total, { value: scanCount(docs, 'alice'), relation: 'eq' });
  assert.throws(() => parseSearchBody({ query: { match_all: {} }, track_total_hits: 'yes' }, undefined), {
    message: /track_total_hits/,
  });
});

test('aggregations and a sort on a field still see every match: the total stays exact', async (t) => {
  const { store, docs } = fixture(t, 600, 5);
  const s = service(store, 5);
  const want = scanCount(docs, 'user:alice');
  const aggs = await run(s, {
    query: { query_string: { query: 'user:alice' } },
    aggs: { n: { value_count: { field: 'user' } } },
  });
  assert.equal(aggs.response.hits.total, want);
  const sorted = await run(s, {
    query: { query_string: { query: 'user:alice' } },
    sort: [{ 'src.port': 'asc' }],
  });
  assert.equal(sorted.response.hits.total, want);
  assert.equal(sorted.relation, 'eq');
});

test('over HTTP: an integer total with x-siemlink-total-relation, ES 7 object only when asked', async (t) => {
  const siem = await buildTestSiem({ clock: new FakeClock(NOW) });
  t.after(() => siem.close());
  insertLogs(
    siem,
    siem.logsAccountId,
    Array.from({ length: 30 }, (_, i) => ({ ts: NOW - i * 1000, doc: { user: i % 2 ? 'alice' : 'bob' } })),
  );
  const r = await search(siem, { query: { query_string: { query: 'alice' } }, size: 2 });
  assert.equal(r.status, 200);
  assert.ok(Value.Check(SearchResponse, r.body));
  assert.equal(r.body.hits.total, 15);
  assert.equal(r.headers['x-siemlink-total-relation'], 'eq');
  const es7 = await search(siem, {
    query: { query_string: { query: 'user:alice' } },
    size: 2,
    track_total_hits: 3,
  });
  assert.equal(es7.status, 200);
  assert.ok(Value.Check(SearchResponse, es7.body));
  assert.deepEqual(es7.body.hits.total, { value: 3, relation: 'gte' });
  assert.equal(es7.headers['x-siemlink-total-relation'], 'gte');
  const bad = await search(siem, { query: { match_all: {} }, track_total_hits: -1 });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.field, 'track_total_hits');
});
