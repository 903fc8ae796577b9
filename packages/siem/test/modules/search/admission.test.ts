import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestSiem } from '../../helpers.ts';
import { insertLogs, search } from './helpers.ts';

/** Enough logs that one broad search takes several turns of the event loop (ROWS_PER_TURN each). */
const LOGS = 3000;
const broad = { query: { query_string: { query: 'message:hello*' } }, size: 5 };

async function setup(t: import('node:test').TestContext, maxConcurrentPerAccount: number, workers?: number) {
  const siem = await buildTestSiem({ config: { search: { maxConcurrentPerAccount, workers } } });
  t.after(() => siem.close());
  const now = siem.clock.now();
  insertLogs(
    siem,
    siem.logsAccountId,
    Array.from({ length: LOGS }, (_, i) => ({ ts: now - 60_000 + i, doc: { message: `hello ${i}` } })),
  );
  return siem;
}

test('searches beyond the per-account limit get 429 with Retry-After naming the limit; slots are released', async (t) => {
  const siem = await setup(t, 1);
  const results = await Promise.all(Array.from({ length: 4 }, () => search(siem, broad)));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 429, 429, 429]);
  for (const r of results) {
    if (r.status === 200) assert.equal(r.body.hits.total, LOGS);
    else {
      assert.equal(r.headers['retry-after'], '1');
      assert.equal(r.body.errorCode, 'TOO_MANY_CONCURRENT_SEARCHES');
      assert.match(r.body.message, /at most 1 search/);
    }
  }
  // Once they are done, the account may search again; a failed search releases its slot too.
  assert.equal((await search(siem, { query: { query_string: { query: 'a:[' } } })).status, 400);
  assert.equal((await search(siem, broad)).status, 200);
});

test('the limit is per account, and up to the limit searches run side by side', async (t) => {
  const siem = await setup(t, 2);
  const results = await Promise.all(Array.from({ length: 2 }, () => search(siem, broad)));
  assert.deepEqual(
    results.map((r) => r.status),
    [200, 200],
  );
});

test('the listener and whoami answer while broad searches run on the event loop (no search workers)', async (t) => {
  // Without worker threads the search yields between rows; with them (the default) it runs
  // elsewhere, and bench/listener.ts measures the listener while broad searches run.
  const siem = await setup(t, 3, 0);
  // Known to be running once the search reads its candidates (their statement is prepared then).
  const running = Promise.withResolvers<void>();
  const db = siem.ctx.store.db;
  const prepare = db.prepare.bind(db);
  db.prepare = (sql: string) => {
    if (sql.includes('ORDER BY ts')) running.resolve();
    return prepare(sql);
  };
  let searchesDone = 0;
  const searches = Array.from({ length: 3 }, () =>
    search(siem, broad).then((r) => {
      assert.equal(r.status, 200);
      searchesDone++;
    }),
  );
  await running.promise;
  const ship = await siem.listener.inject({
    method: 'POST',
    url: `/?token=${siem.shippingToken}`,
    payload: '{"message":"during"}',
  });
  assert.equal(ship.statusCode, 200);
  const whoami = await siem.api.inject({
    method: 'GET',
    url: '/v2/whoami',
    headers: { 'x-api-token': siem.logsToken },
  });
  assert.equal(whoami.statusCode, 200);
  assert.ok(searchesDone < 3, `the listener and whoami waited for all ${searchesDone} searches`);
  await Promise.all(searches);
});
