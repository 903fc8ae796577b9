import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dayToken,
  DAY_MS,
  hourToken,
  HOUR_MS,
  metaAny,
  NON_ASCII_TOKEN,
  windowCover,
} from '../../../src/modules/logs/fts-meta.ts';
import { createSqliteSearchRepository } from '../../../src/modules/search/repository.ts';
import { openSqliteStore } from '../../../src/store/store.ts';
import { rng } from '../../lucene/rng.ts';

const BASE = Date.UTC(2026, 0, 14);

test('the trigger writes the same meta tokens the JS side spells, for any accepted timestamp', (t) => {
  const store = openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  const insert = store.db.prepare(
    "INSERT INTO logs (account_id, ts, stored_at, type, doc) VALUES (?, ?, 0, 't', ?)",
  );
  const r = rng(3);
  const times = [
    0,
    -1,
    1,
    HOUR_MS - 1,
    HOUR_MS,
    -HOUR_MS,
    -HOUR_MS - 1,
    DAY_MS,
    -DAY_MS - 1,
    8.64e15,
    -8.64e15,
  ];
  for (let i = 0; i < 200; i++)
    times.push(Math.trunc((r() - 0.5) * 2 * 8.64e15), BASE + Math.floor(r() * 3 * DAY_MS));
  for (const [i, ts] of times.entries()) {
    const account = 1 + (i % 3);
    const doc = i % 5 === 0 ? { message: 'caf\u00e9 alpha' } : { message: 'alpha' };
    const seq = Number(insert.run(account, ts, JSON.stringify(doc)).lastInsertRowid);
    const hour = Math.floor(ts / HOUR_MS);
    const day = Math.floor(ts / DAY_MS);
    const has = (expr: string) =>
      (
        store.db
          .prepare('SELECT count(*) AS n FROM logs_fts WHERE logs_fts MATCH ? AND rowid = ?')
          .get(expr, seq) as { n: number }
      ).n === 1;
    assert.ok(has(`meta : ${dayToken(account, day)}`), `day of ${ts}`);
    assert.ok(has(`meta : ${hourToken(account, hour)}`), `hour of ${ts}`);
    assert.ok(!has(`meta : ${hourToken(account, hour + 1)}`), `next hour of ${ts}`);
    assert.equal(has(`meta : ${NON_ASCII_TOKEN}`), i % 5 === 0, `non-ASCII marker of ${ts}`);
    // Free text is the body only: a meta token is not a word of the log.
    assert.ok(!has(`body : "${dayToken(account, day)}"`));
  }
});

test('windowCover: whole days, then whole hours, then at most two partial hours, exactly the window', () => {
  const r = rng(9);
  for (let i = 0; i < 500; i++) {
    const from =
      BASE +
      Math.floor(r() * 3 * DAY_MS) -
      (i % 4 === 0 ? (BASE % HOUR_MS) + Math.floor(r() * 3) * HOUR_MS : 0);
    const to = i % 7 === 0 ? from : from + Math.floor(r() * (i % 3 === 0 ? 3 * HOUR_MS : 2.5 * DAY_MS));
    const aligned = i % 4 === 0 ? Math.floor(from / HOUR_MS) * HOUR_MS : from;
    const end = i % 6 === 0 ? Math.ceil(to / HOUR_MS) * HOUR_MS : to;
    const { cover, edges } = windowCover(1, aligned, Math.max(aligned, end));
    assert.ok(edges.length <= 2);
    // Every hour of the window is in exactly one token's span, and nothing outside it.
    const covered: [number, number][] = [
      ...cover.map((tok): [number, number] => {
        const n = Number(tok.slice(3));
        return tok[2] === 'd'
          ? [(n - 200_000_000) * DAY_MS, (n - 200_000_000 + 1) * DAY_MS]
          : [(n - 3_000_000_000) * HOUR_MS, (n - 3_000_000_000 + 1) * HOUR_MS];
      }),
      ...edges.map((e): [number, number] => [e.from, e.to]),
    ].sort((a, b) => a[0] - b[0]);
    let at = aligned;
    for (const [a, b] of covered) {
      assert.equal(a, at, `gap or overlap at ${at}`);
      at = b;
    }
    assert.equal(at, Math.max(aligned, end));
  }
  assert.deepEqual(windowCover(1, BASE, BASE + 2 * DAY_MS).cover, [
    dayToken(1, BASE / DAY_MS),
    dayToken(1, BASE / DAY_MS + 1),
  ]);
  assert.equal(metaAny(['x', 'y']), 'meta : (x OR y)');
});

test('countFts: equals a row-by-row count for random windows, accounts and non-ASCII logs', (t) => {
  const store = openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  const insert = store.db.prepare(
    "INSERT INTO logs (account_id, ts, stored_at, type, doc) VALUES (?, ?, 0, 't', ?)",
  );
  const r = rng(17);
  const words = ['alpha', 'beta', 'caf\u00e9', 'gamma'];
  const rows: { account: number; ts: number; words: string[]; ascii: boolean }[] = [];
  store.tx(() => {
    for (let i = 0; i < 3000; i++) {
      const account = 1 + (i % 2);
      const ts = BASE + Math.floor(r() * 3 * DAY_MS);
      const w = [words[Math.floor(r() * 4)]!, words[Math.floor(r() * 4)]!];
      insert.run(account, ts, JSON.stringify({ message: w.join(' ') }));
      rows.push({ account, ts, words: w, ascii: !w.includes('caf\u00e9') });
    }
  });
  const repo = createSqliteSearchRepository(store);
  for (let i = 0; i < 60; i++) {
    const from = BASE + Math.floor(r() * 2 * DAY_MS);
    const to = from + Math.floor(r() * (i % 2 === 0 ? 5 * HOUR_MS : 2 * DAY_MS));
    const word = ['alpha', 'beta', 'cafe'][i % 3]!;
    const { ascii, others } = repo.countFts({ accountId: 1, from, to, fts: `body : "${word}"` });
    const inWindow = rows.filter((x) => x.account === 1 && x.ts >= from && x.ts < to);
    assert.equal(
      ascii,
      inWindow.filter((x) => x.ascii && x.words.includes(word)).length,
      `${word} in [${from}, ${to})`,
    );
    // Non-ASCII logs FTS5 matches ("café" folds to cafe) come back for the predicate, window-bound.
    const back = [...others];
    assert.ok(back.every((x) => x.ts >= from && x.ts < to));
    assert.equal(
      back.length,
      inWindow.filter((x) => !x.ascii && x.words.map((w) => (w === 'caf\u00e9' ? 'cafe' : w)).includes(word))
        .length,
    );
  }
});
