import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BODY_DEPTH, stripNulls } from '../../src/plugins/strip-nulls.ts';
import { buildTestSiem } from '../helpers.ts';

const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);

test('nulls anywhere are removed; other values kept', () => {
  assert.deepEqual(stripNulls({ a: null, b: { c: null, d: [1, null, { e: null, f: 0 }] }, g: '' }), {
    b: { d: [1, { f: 0 }] },
    g: '',
  });
});

test('a body nested up to the limit passes; deeper is a 400 naming body', () => {
  assert.doesNotThrow(() => stripNulls(JSON.parse(nest(MAX_BODY_DEPTH))));
  assert.throws(
    () => stripNulls(JSON.parse(nest(100_000))),
    (err: { status?: number; code?: string; field?: string }) =>
      err.status === 400 && err.code === 'BODY_TOO_DEEP' && err.field === 'body',
  );
});

test('deeply nested JSON bodies get a 400 from every JSON endpoint, not a 500', async (t) => {
  const siem = await buildTestSiem();
  t.after(() => siem.close());
  const deep = `{"filter":${nest(100_000)}}`;
  const calls = [
    { url: '/v2/security/rules/events/search', token: siem.siemToken },
    { url: '/v2/security/rules/events/logs/search', token: siem.siemToken },
    { url: '/v2/security/rules', token: siem.siemToken },
    { url: '/v1/search', token: siem.logsToken },
    { url: '/v2/account-management/siem', token: siem.logsToken },
  ];
  for (const { url, token } of calls) {
    const r = await siem.api.inject({
      method: 'POST',
      url,
      headers: { 'x-api-token': token, 'content-type': 'application/json' },
      payload: deep,
    });
    assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
    assert.equal(r.json().errorCode, 'BODY_TOO_DEEP', url);
    assert.equal(r.json().field, 'body', url);
  }
  const ok = await siem.api.inject({
    method: 'GET',
    url: '/v2/whoami',
    headers: { 'x-api-token': siem.siemToken },
  });
  assert.equal(ok.statusCode, 200);
});
