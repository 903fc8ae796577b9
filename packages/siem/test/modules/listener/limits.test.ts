import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildTestSiem, type TestSiem } from '../../helpers.ts';

async function setup(t: import('node:test').TestContext, listener: Record<string, unknown>) {
  const siem = await buildTestSiem({ config: { listener } });
  t.after(() => siem.close());
  return siem;
}
const count = (siem: TestSiem) =>
  (siem.ctx.store.db.prepare('SELECT count(*) AS n FROM logs').get() as { n: number }).n;
const post = (siem: TestSiem, body: string) =>
  siem.listener.inject({ method: 'POST', url: `/?token=${siem.shippingToken}`, payload: body });
const lines = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ i })).join('\n');

test('more lines than the per-request limit is a 413 naming the limit; nothing is stored', async (t) => {
  const siem = await setup(t, { maxLines: 10 });
  const res = await post(siem, lines(11));
  assert.equal(res.statusCode, 413);
  assert.equal(res.json().errorCode, 'TOO_MANY_LINES');
  assert.equal(res.json().field, 'body');
  assert.match(res.json().message, /10 lines/);
  // One-character lines count as lines too (the audit's 10 MB body of them).
  assert.equal((await post(siem, 'x\n'.repeat(11))).statusCode, 413);
  assert.equal(count(siem), 0);
  assert.equal((await post(siem, lines(10))).statusCode, 200);
  assert.equal(count(siem), 10);
});

test('a large body is committed in batches, and the event loop runs between them', async (t) => {
  const siem = await setup(t, { batchLines: 100 });
  const marks: string[] = [];
  const tx = siem.ctx.store.tx.bind(siem.ctx.store);
  siem.ctx.store.tx = (fn) => {
    marks.push('tx');
    if (marks.length === 1) setImmediate(() => marks.push('other work'));
    return tx(fn);
  };
  const res = await post(siem, lines(250));
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(marks, ['tx', 'other work', 'tx', 'tx']);
  const seqs = siem.ctx.store.db.prepare('SELECT seq, doc FROM logs ORDER BY seq').all() as {
    seq: number;
    doc: string;
  }[];
  assert.deepEqual(
    seqs.map((r) => (JSON.parse(r.doc) as { i: number }).i),
    Array.from({ length: 250 }, (_, i) => i),
  );
});

test('a full disk is a 507 naming the cause with Retry-After, logged as such; the listener recovers', async (t) => {
  const out: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, cb) {
        out.push(String(chunk));
        cb();
      },
    }),
  );
  const siem = await buildTestSiem({ logger });
  t.after(() => siem.close());
  const db = siem.ctx.store.db;
  const { page_count } = db.prepare('PRAGMA page_count').get() as { page_count: number };
  db.exec(`PRAGMA max_page_count = ${page_count}`);
  const body = Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, pad: 'p'.repeat(400) })).join('\n');
  const res = await post(siem, body);
  assert.equal(res.statusCode, 507, res.body);
  assert.equal(res.headers['retry-after'], '60');
  assert.equal(res.json().errorCode, 'STORAGE_FULL');
  assert.match(res.json().message, /disk is full.*nothing was stored/);
  const logged = out.join('');
  assert.match(logged, /database or disk is full/);
  assert.doesNotMatch(logged, /cannot rollback/);
  assert.equal(count(siem), 0);
  db.exec('PRAGMA max_page_count = 1073741823');
  assert.equal((await post(siem, body)).statusCode, 200);
  assert.equal(count(siem), 300);
});

test('a store failure after some batches says how many lines were stored', async (t) => {
  const siem = await setup(t, { batchLines: 100 });
  const db = siem.ctx.store.db;
  const tx = siem.ctx.store.tx.bind(siem.ctx.store);
  let calls = 0;
  siem.ctx.store.tx = (fn) => {
    if (++calls === 3) {
      const { page_count } = db.prepare('PRAGMA page_count').get() as { page_count: number };
      db.exec(`PRAGMA max_page_count = ${page_count}`);
    }
    return tx(fn);
  };
  const body = Array.from({ length: 250 }, (_, i) => JSON.stringify({ i, pad: 'p'.repeat(2000) })).join('\n');
  const res = await post(siem, body);
  assert.equal(res.statusCode, 507, res.body);
  assert.match(res.json().message, /200 lines were stored before it/);
  assert.equal(count(siem), 200);
});
