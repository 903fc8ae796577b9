import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestSiem, type TestSiem } from '../../helpers.ts';
import { insertEvents, insertLog, makeEvent } from './seed.ts';

const URL = '/v2/security/rules/events/logs/search';
const EVENT = '833203f9-de71-5a12-9083-9055a6d925bb';

async function siemWithLogs(t: import('node:test').TestContext) {
  const siem = await buildTestSiem();
  t.after(() => siem.close());
  const logs = [14, 17, 15].map((sec) =>
    insertLog(siem, siem.logsAccountId, {
      '@timestamp': `2020-03-29T14:46:${sec}.236Z`,
      type: 'falco',
      rule: 'test rule',
      message: `log at ${sec}`,
    }),
  );
  insertEvents(siem, [makeEvent(siem.siemAccountId, { alertEventId: EVENT, logSeqs: logs })]);
  // Event 123 (XSOAR's test id) belongs to another account: invisible to this SIEM token.
  insertEvents(siem, [makeEvent(siem.logsAccountId, { alertEventId: '123', logSeqs: logs })]);
  return siem;
}

function logsSearch(siem: TestSiem, body: unknown, token = siem.siemToken) {
  return siem.api.inject({
    method: 'POST',
    url: URL,
    headers: { 'x-api-token': token },
    payload: body as object,
  });
}

test('returns the stored log documents behind an event, newest @timestamp first, paged', async (t) => {
  const siem = await siemWithLogs(t);
  const res = await logsSearch(siem, {
    filter: { alertEventId: EVENT },
    pagination: { pageNumber: 1, pageSize: 2 },
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.total, 3);
  assert.deepEqual(body.pagination, { pageNumber: 1, pageSize: 2 });
  assert.deepEqual(body.results, [
    { '@timestamp': '2020-03-29T14:46:17.236Z', type: 'falco', rule: 'test rule', message: 'log at 17' },
    { '@timestamp': '2020-03-29T14:46:15.236Z', type: 'falco', rule: 'test rule', message: 'log at 15' },
  ]);
  const p2 = await logsSearch(siem, {
    filter: { alertEventId: EVENT },
    pagination: { pageNumber: '2', pageSize: '2' },
  });
  assert.deepEqual(
    p2.json().results.map((r: { message: string }) => r.message),
    ['log at 14'],
  );
  const past = await logsSearch(siem, {
    filter: { alertEventId: EVENT },
    pagination: { pageNumber: 3, pageSize: 2 },
  });
  assert.deepEqual(past.json(), { total: 3, results: [], pagination: { pageNumber: 3, pageSize: 2 } });
});

test('defaults to page 1 of 25; 1000 allowed, 1001 refused', async (t) => {
  const siem = await siemWithLogs(t);
  const res = await logsSearch(siem, { filter: { alertEventId: EVENT } });
  assert.deepEqual(res.json().pagination, { pageNumber: 1, pageSize: 25 });
  assert.equal(res.json().results.length, 3);
  assert.equal(
    (await logsSearch(siem, { filter: { alertEventId: EVENT }, pagination: { pageSize: 1000 } })).statusCode,
    200,
  );
  const big = await logsSearch(siem, { filter: { alertEventId: EVENT }, pagination: { pageSize: 1001 } });
  assert.equal(big.statusCode, 400);
  assert.equal(big.json().field, 'body.pagination.pageSize');
});

test('unknown or foreign alertEventId: 200 with total 0; XSOAR test sends the number 123', async (t) => {
  const siem = await siemWithLogs(t);
  const res = await logsSearch(siem, {
    filter: { alertEventId: 123 },
    pagination: { pageNumber: 1, pageSize: 1000 },
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { total: 0, results: [], pagination: { pageNumber: 1, pageSize: 1000 } });
  const unknown = await logsSearch(siem, { filter: { alertEventId: 'nope' } });
  assert.equal(unknown.json().total, 0);
});

test('nulls stripped; missing alertEventId is a 400 naming the field; auth enforced', async (t) => {
  const siem = await siemWithLogs(t);
  const nulls = await logsSearch(siem, {
    filter: { alertEventId: EVENT },
    pagination: { pageNumber: null, pageSize: null },
  });
  assert.equal(nulls.statusCode, 200);
  assert.equal(nulls.json().total, 3);
  const missing = await logsSearch(siem, { filter: {} });
  assert.equal(missing.statusCode, 400);
  assert.equal(missing.json().field, 'body.filter.alertEventId');
  assert.equal((await logsSearch(siem, {})).statusCode, 400);
  assert.equal((await logsSearch(siem, { filter: { alertEventId: EVENT } }, siem.logsToken)).statusCode, 403);
  assert.equal((await logsSearch(siem, { filter: { alertEventId: EVENT } }, 'bogus-token')).statusCode, 401);
});

test('logs deleted by retention are neither counted nor returned', async (t) => {
  const siem = await siemWithLogs(t);
  siem.ctx.store.db.prepare("DELETE FROM logs WHERE doc LIKE '%log at 17%'").run();
  const res = await logsSearch(siem, { filter: { alertEventId: EVENT } });
  assert.equal(res.json().total, 2);
  assert.equal(res.json().results.length, 2);
});
