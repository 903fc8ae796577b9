import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { buildTestSiem } from './helpers.ts';

test('JSON endpoints gzip large bodies when the client asks, and only then', async (t) => {
  const siem = await buildTestSiem();
  t.after(() => siem.close());
  // Enough rules to make the search body larger than the 1 KB threshold.
  for (let i = 0; i < 5; i++) {
    const res = await siem.api.inject({
      method: 'POST',
      url: '/v2/security/rules',
      headers: { 'x-api-token': siem.siemToken },
      payload: {
        title: `rule ${i}`,
        description: 'x'.repeat(300),
        subComponents: [
          {
            queryDefinition: { query: '*' },
            trigger: { operator: 'GREATER_THAN', severityThresholdTiers: { LOW: 1 } },
          },
        ],
      },
    });
    assert.equal(res.statusCode, 201, res.body);
  }
  const search = (headers: Record<string, string>) =>
    siem.api.inject({
      method: 'POST',
      url: '/v2/security/rules/search',
      headers: { 'x-api-token': siem.siemToken, ...headers },
      payload: {},
    });
  const gz = await search({ 'accept-encoding': 'gzip, deflate' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(JSON.parse(gunzipSync(gz.rawPayload).toString('utf8')).total, 5);
  const plain = await search({});
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.json().total, 5);
});

test('the feed is never compressed: a cut must reach the client as a truncated body', async (t) => {
  const siem = await buildTestSiem();
  t.after(() => siem.close());
  const rules = await siem.api.inject({
    method: 'GET',
    url: '/v2/security/configurations',
    headers: { 'x-api-token': siem.siemToken },
  });
  const configId = rules.json()[0].id;
  const from = Math.floor(siem.clock.now() / 1000) - 60;
  const res = await siem.api.inject({
    method: 'GET',
    url: `/siem/v1/configs/${configId}?from=${from}`,
    headers: { 'x-api-token': siem.siemToken, 'accept-encoding': 'gzip' },
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-encoding'], undefined);
  assert.match(res.body, /^\{ "total": 0, "offset": "[^"]+" \}\n$/);
});

test('URLs built by concatenation (double or trailing slashes) reach their routes', async (t) => {
  const siem = await buildTestSiem();
  t.after(() => siem.close());
  for (const url of ['//v2/whoami', '/v2/whoami/', '/v2//whoami']) {
    const res = await siem.api.inject({ method: 'GET', url, headers: { 'x-api-token': siem.siemToken } });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    assert.equal(res.json().accountId, siem.siemAccountId);
  }
  const res = await siem.api.inject({
    method: 'POST',
    url: '//v2/security/rules/events/search/',
    headers: { 'x-api-token': siem.siemToken, 'content-type': 'application/json' },
    payload: '',
  });
  assert.equal(res.statusCode, 200, res.body);
});

test('the admin fault settings refuse non-finite numbers like every other JSON endpoint', async (t) => {
  const siem = await buildTestSiem({ config: { faultInjection: true } });
  t.after(() => siem.close());
  const res = await siem.api.inject({
    method: 'PUT',
    url: '/admin/faults',
    headers: { 'x-api-token': siem.siemToken, 'content-type': 'application/json' },
    payload: '{"slowMs": "Infinity"}',
  });
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(siem.ctx.faults.get().slowMs, 0);
});
