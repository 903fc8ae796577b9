import { test } from 'node:test';
import assert from 'node:assert/strict';
import { luceneToSqlParts, parseLucene } from '../../../src/lucene/index.ts';
import { openSqliteStore } from '../../../src/store/store.ts';
import { createSqliteSearchRepository, FTS_DRIVEN_MAX } from '../../../src/modules/search/repository.ts';

test('candidates: only the account and window, FTS-driven when the prefilter has a match, in time order', (t) => {
  const store = openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  const insert = store.db.prepare(
    "INSERT INTO logs (account_id, ts, stored_at, type, doc) VALUES (?, ?, 0, 't', ?)",
  );
  store.tx(() => {
    for (let i = 0; i < 1000; i++) {
      const word = i % 100 === 0 ? 'mimikatz' : 'calc';
      insert.run(i % 2 === 0 ? 1 : 2, 1000 + i, JSON.stringify({ message: `ran ${word}.exe` }));
    }
  });
  const repo = createSqliteSearchRepository(store);
  const prefilter = luceneToSqlParts(parseLucene('mimikatz'));
  assert.ok(prefilter?.fts);
  const rows = [...repo.candidates({ accountId: 1, from: 1000, to: 1500, prefilter, order: 'desc' })];
  // Account 1 has the even rows; mimikatz every 100th: 1000, 1100, ..., 1400 inside [1000, 1500).
  assert.deepEqual(
    rows.map((r) => r.ts),
    [1400, 1300, 1200, 1100, 1000],
  );
  const plan = store.db
    .prepare(
      `EXPLAIN QUERY PLAN SELECT seq FROM logs WHERE seq IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?) AND +account_id = ? AND +ts >= ? AND +ts < ?`,
    )
    .all('"mimikatz"', 1, 0, 1) as { detail: string }[];
  assert.ok(
    plan.some((p) => /VIRTUAL TABLE INDEX/.test(p.detail)),
    JSON.stringify(plan),
  );
  assert.equal(repo.count(1, 1000, 1500), 250);
  assert.deepEqual(
    repo.page(1, 1000, 1500, 'asc', 2, 1).map((r) => r.ts),
    [1002, 1004],
  );
  assert.deepEqual([...repo.bySeq(2, [1, 2, 3]).keys()].sort(), [2]);
});

test('candidates: a broad FTS match walks the window in time order and gives the same rows', (t) => {
  const store = openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  const insert = store.db.prepare(
    "INSERT INTO logs (account_id, ts, stored_at, type, doc) VALUES (?, ?, 0, 't', ?)",
  );
  const n = FTS_DRIVEN_MAX * 2 + 10;
  // Timestamps out of insertion order, so seq order and time order differ.
  store.tx(() => {
    for (let i = 0; i < n; i++)
      insert.run(i % 2 === 0 ? 1 : 2, (i * 7919) % n, JSON.stringify({ m: 'calc' }));
  });
  const repo = createSqliteSearchRepository(store);
  const prefilter = luceneToSqlParts(parseLucene('calc'));
  const rows = [...repo.candidates({ accountId: 1, from: 100, to: 9000, prefilter, order: 'desc' })];
  const want = store.db
    .prepare(
      'SELECT seq, ts FROM logs WHERE account_id = 1 AND ts >= 100 AND ts < 9000 ORDER BY ts DESC, seq DESC',
    )
    .all() as { seq: number; ts: number }[];
  assert.deepEqual(
    rows.map((r) => [r.seq, r.ts]),
    want.map((r) => [r.seq, r.ts]),
  );
  const asc = [...repo.candidates({ accountId: 1, from: 100, to: 9000, prefilter, order: 'asc' })];
  assert.deepEqual(
    asc.map((r) => r.seq),
    want.map((r) => r.seq).reverse(),
  );
});

test('candidates: a broad FTS match read hour by hour gives the rows of the plain plan, across hours and partial edges', (t) => {
  const store = openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  const insert = store.db.prepare(
    "INSERT INTO logs (account_id, ts, stored_at, type, doc) VALUES (?, ?, 0, 't', ?)",
  );
  const HOUR = 3_600_000;
  const T = Date.UTC(2026, 0, 1);
  const n = FTS_DRIVEN_MAX + 2000;
  // Six hours, timestamps out of insertion order; every third log has no "calc"; one non-ASCII.
  store.tx(() => {
    for (let i = 0; i < n; i++) {
      const m = i === 77 ? 'calc café' : i % 3 === 0 ? 'other' : 'calc';
      insert.run(
        i % 5 === 0 ? 2 : 1,
        T + ((i * 7919) % n) * Math.floor((6 * HOUR) / n),
        JSON.stringify({ m }),
      );
    }
  });
  const repo = createSqliteSearchRepository(store);
  const prefilter = luceneToSqlParts(parseLucene('calc AND m:calc'));
  assert.ok(prefilter?.fts);
  const [from, to] = [T + HOUR / 2 + 17, T + 5 * HOUR + 1234];
  const want = store.db
    .prepare(
      `SELECT seq, ts FROM logs WHERE account_id = 1 AND ts >= ? AND ts < ? AND seq IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ?) ORDER BY ts DESC, seq DESC`,
    )
    .all(from, to, prefilter.fts) as { seq: number; ts: number }[];
  assert.ok(want.length > FTS_DRIVEN_MAX / 2);
  const desc = [...repo.candidates({ accountId: 1, from, to, prefilter, order: 'desc' })];
  assert.deepEqual(
    desc.map((r) => [r.seq, r.ts]),
    want.map((r) => [r.seq, r.ts]),
  );
  const asc = [...repo.candidates({ accountId: 1, from, to, prefilter, order: 'asc' })];
  assert.deepEqual(
    asc.map((r) => r.seq),
    want.map((r) => r.seq).reverse(),
  );
  // A consumer that stops early (a page) leaves no statement open.
  const it = repo.candidates({ accountId: 1, from, to, prefilter, order: 'desc' })[Symbol.iterator]();
  assert.equal(it.next().value?.seq, want[0]!.seq);
  it.return?.();
  assert.equal(
    [...repo.candidates({ accountId: 1, from, to, prefilter, order: 'desc' })].length,
    want.length,
  );
});
