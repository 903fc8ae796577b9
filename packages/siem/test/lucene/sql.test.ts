import { test } from 'node:test';
import assert from 'node:assert/strict';
import { luceneToSql, matchesLucene, parseLucene, type LuceneNode } from '../../src/lucene/index.ts';
import { openSqliteStore } from '../../src/store/store.ts';
import { SiemError } from '../../src/errors.ts';
import { rng } from './rng.ts';

const WORDS = [
  'alice',
  'Bob',
  'failure',
  'success',
  'mimikatz',
  'Login',
  'ssh',
  '10',
  '0',
  '1',
  'é',
  'über',
  'a_b',
  'x-y',
  '404',
  'true',
];
const FIELDS = ['message', 'user', 'user.name', 'event.outcome', 'n', 'tags', 'a.b'];
const SEPS = [' ', '-', '.', '/', '_', '\n', '"', '\\', ':', ''];

function randomText(r: () => number): string {
  let s = '';
  const n = 1 + Math.floor(r() * 5);
  for (let i = 0; i < n; i++) s += pick(r, WORDS) + pick(r, SEPS);
  return r() < 0.3 ? s.toUpperCase() : s;
}
function pick<T>(r: () => number, xs: T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}
function randomValue(r: () => number): unknown {
  const k = r();
  if (k < 0.55) return randomText(r);
  if (k < 0.7) return Math.floor(r() * 500);
  if (k < 0.75) return r() * 1000;
  if (k < 0.8) return r() < 0.5;
  if (k < 0.9) return [randomText(r), Math.floor(r() * 5)];
  return 404;
}
function randomDoc(r: () => number, ts: number): Record<string, unknown> {
  const doc: Record<string, unknown> = { '@timestamp': new Date(ts).toISOString(), message: randomText(r) };
  if (r() < 0.6) doc.user = r() < 0.5 ? { name: randomValue(r) } : randomValue(r);
  if (r() < 0.6) doc.event = { outcome: randomValue(r) };
  if (r() < 0.3) doc['user.name'] = randomValue(r);
  if (r() < 0.5) doc.n = randomValue(r);
  if (r() < 0.3) doc.tags = [randomText(r), randomText(r)];
  if (r() < 0.3) doc['a.b'] = randomValue(r);
  return doc;
}
function randomQuery(r: () => number, depth = 0): string {
  const k = r();
  if (depth < 2 && k < 0.25)
    return `(${randomQuery(r, depth + 1)} ${pick(r, ['AND', 'OR', 'AND NOT', ''])} ${randomQuery(r, depth + 1)})`;
  const field = r() < 0.35 ? '' : `${pick(r, FIELDS)}:`;
  const word = pick(r, WORDS).replace(/([-_.\\/:"])/g, '\\$1');
  const m = r();
  if (m < 0.15) return `${field}"${pick(r, WORDS)} ${pick(r, WORDS)}"`;
  if (m < 0.3) return `${field}${word.slice(0, 2)}*`;
  if (m < 0.35 && field) return `${field}[${Math.floor(r() * 300)} TO ${Math.floor(300 + r() * 300)}]`;
  if (m < 0.4) return `${field}${Math.floor(r() * 500)}`;
  if (m < 0.45)
    return `@timestamp:>=${new Date(Date.UTC(2026, 0, 1) + Math.floor(r() * 48) * 3_600_000).toISOString().replace(/:/g, '\\:')}`;
  return `${field}${word}`;
}

test('the SQL prefilter returns every row the predicate matches (random docs and queries)', () => {
  const store = openSqliteStore({ path: ':memory:' });
  try {
    const r = rng(7);
    const docs: Record<string, unknown>[] = [];
    const insert = store.db.prepare(
      'INSERT INTO logs (seq, account_id, ts, stored_at, type, doc) VALUES (?, 1, ?, 0, ?, ?)',
    );
    store.tx(() => {
      for (let i = 1; i <= 600; i++) {
        const ts = Date.UTC(2026, 0, 1) + Math.floor(r() * 48 * 3_600_000);
        const doc = randomDoc(r, ts);
        docs.push(doc);
        insert.run(i, ts, 'test', JSON.stringify(doc));
      }
    });
    let checked = 0;
    let narrowed = 0;
    for (let q = 0; q < 400; q++) {
      const query = randomQuery(r);
      let node: LuceneNode;
      try {
        node = parseLucene(query);
      } catch (e) {
        if (e instanceof SiemError && e.status === 400) continue;
        throw e;
      }
      const sql = luceneToSql(node);
      if (!sql) continue;
      const rows = store.db.prepare(`SELECT seq FROM logs WHERE ${sql.where}`).all(...sql.params) as {
        seq: number;
      }[];
      const got = new Set(rows.map((x) => x.seq));
      docs.forEach((d, i) => {
        if (matchesLucene(node, d))
          assert.ok(
            got.has(i + 1),
            `query ${query} matches doc ${JSON.stringify(d)} but SQL ${sql.where} ${JSON.stringify(sql.params)} misses it`,
          );
      });
      checked++;
      if (got.size < docs.length) narrowed++;
    }
    assert.ok(checked > 150, `only ${checked} queries had a prefilter`);
    assert.ok(narrowed > 100, 'the prefilter should usually narrow');
  } finally {
    store.close();
  }
});

test('FTS stays in sync with the logs table on delete and update', () => {
  const store = openSqliteStore({ path: ':memory:' });
  try {
    const node = parseLucene('mimikatz');
    const sql = luceneToSql(node)!;
    const count = () =>
      (
        store.db.prepare(`SELECT count(*) AS c FROM logs WHERE ${sql.where}`).get(...sql.params) as {
          c: number;
        }
      ).c;
    store.db
      .prepare("INSERT INTO logs (seq, account_id, ts, stored_at, type, doc) VALUES (1, 1, 0, 0, 't', ?)")
      .run(JSON.stringify({ message: 'ran Mimikatz\nnow' }));
    store.db
      .prepare("INSERT INTO logs (seq, account_id, ts, stored_at, type, doc) VALUES (2, 1, 0, 0, 't', ?)")
      .run(JSON.stringify({ message: 'line1\nmimikatz' }));
    assert.equal(count(), 2);
    store.db.prepare('UPDATE logs SET doc = \'{"message":"clean"}\' WHERE seq = 1').run();
    assert.equal(count(), 1);
    store.db.prepare('DELETE FROM logs WHERE seq = 2').run();
    assert.equal(count(), 0);
  } finally {
    store.close();
  }
});

test('ranges on @timestamp use the ts column; negations give no prefilter', () => {
  assert.deepEqual(luceneToSql(parseLucene('@timestamp:[2026-01-01 TO *]')), {
    where: 'ts >= ?',
    params: [Date.UTC(2026, 0, 1) - 1000],
  });
  assert.equal(luceneToSql(parseLucene('NOT alice')), null);
  assert.equal(luceneToSql(parseLucene('alice OR (NOT bob)')), null);
});
