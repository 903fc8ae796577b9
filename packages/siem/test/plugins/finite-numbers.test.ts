import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nonFinitePath } from '../../src/plugins/finite-numbers.ts';
import { buildTestSiem } from '../helpers.ts';
import { ruleRequest } from '../modules/rules/fixtures.ts';

test('nonFinitePath names the first non-finite number', () => {
  assert.equal(nonFinitePath({ a: [1, { b: 2 }], c: 'Infinity' }, 'body'), undefined);
  assert.equal(nonFinitePath({ a: [1, { b: -Infinity }] }, 'body'), 'body.a.1.b');
  assert.equal(nonFinitePath(NaN, 'params'), 'params');
});

test('"Infinity", "-Infinity" and "1e400" sent as numbers are a 400 naming the field; nothing is stored', async (t) => {
  const siem = await buildTestSiem();
  t.after(() => siem.close());
  const post = (url: string, token: string, payload: unknown) =>
    siem.api.inject({
      method: 'POST',
      url,
      headers: { 'x-api-token': token, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
  const cases: [string, string, unknown, string][] = [
    [
      '/v2/security/rules/events/search',
      siem.siemToken,
      { pagination: { pageSize: 'Infinity' } },
      'body.pagination.pageSize',
    ],
    [
      '/v2/security/rules/events/search',
      siem.siemToken,
      { filter: { timeRange: { fromDate: '-Infinity' } } },
      'body.filter.timeRange.fromDate',
    ],
    [
      '/v2/security/rules/events/logs/search',
      siem.siemToken,
      { filter: { alertEventId: 'x' }, pagination: { pageNumber: '1e400' } },
      'body.pagination.pageNumber',
    ],
    [
      '/v2/security/rules/search',
      siem.siemToken,
      { pagination: { pageSize: 'Infinity' } },
      'body.pagination.pageSize',
    ],
    [
      '/v2/security/rules',
      siem.siemToken,
      { ...ruleRequest(), searchTimeFrameMinutes: 'Infinity' },
      'body.searchTimeFrameMinutes',
    ],
    [
      '/v2/security/rules',
      siem.siemToken,
      { ...ruleRequest(), output: { suppressNotificationsMinutes: 'Infinity' } },
      'body.output.suppressNotificationsMinutes',
    ],
    [
      '/v2/account-management/siem',
      siem.logsToken,
      { accountName: 'inf', email: 'a@b.co', accountsToScan: ['Infinity'] },
      'body.accountsToScan.0',
    ],
  ];
  for (const [url, token, body, field] of cases) {
    const r = await post(url, token, body);
    assert.equal(r.statusCode, 400, `${url} ${JSON.stringify(body)}: ${r.body}`);
    assert.equal(r.json().errorCode, 'VALIDATION_FAILED', r.body);
    assert.equal(r.json().field, field, r.body);
    assert.match(r.json().message, /must be a finite number/);
  }
  const rules = siem.ctx.store.db.prepare('SELECT count(*) AS n FROM security_rules').get() as { n: number };
  assert.equal(rules.n, 0);
  const getInf = await siem.api.inject({
    method: 'GET',
    url: '/v2/security/rules/Infinity',
    headers: { 'x-api-token': siem.siemToken },
  });
  assert.equal(getInf.statusCode, 400, getInf.body);
  // Plain numeric strings still work.
  const ok = await post('/v2/security/rules/events/search', siem.siemToken, {
    pagination: { pageNumber: '1', pageSize: '50' },
    filter: { timeRange: { fromDate: '1700000000.123456' } },
  });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual(ok.json().pagination, { pageNumber: 1, pageSize: 50 });
});
