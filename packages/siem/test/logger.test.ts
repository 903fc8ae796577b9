import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, redactUrl } from '../src/logger.ts';
import { buildTestSiem } from './helpers.ts';

test('redactUrl masks token query parameters however the key is spelled or encoded', () => {
  const secret = 'c7e9c290-717e-4dcf-98a9-a75e6d796f51';
  for (const url of [
    `/?token=${secret}&type=nginx`,
    `/?type=nginx&token=${secret}`,
    `/?%74oken=${secret}&type=nginx`,
    `/?tok%65n=${secret}`,
    `/?TOKEN=${secret}`,
    `/?api_token=${secret}`,
    `/?apiToken=${secret}`,
  ]) {
    const out = redactUrl(url);
    assert.ok(!out.includes(secret), `${url} -> ${out}`);
    assert.match(out, /=\[REDACTED\]/);
  }
  assert.equal(redactUrl('/?type=nginx&tokens=1'), '/?type=nginx&tokens=1');
  assert.equal(redactUrl('/v2/whoami'), '/v2/whoami');
  assert.equal(redactUrl('/?%E0%A4%A=1'), '/?%E0%A4%A=1');
});

test('redactUrl masks header tokens misplaced in the query, array keys, and token-shaped path segments', () => {
  const secret = 'c7e9c290-717e-4dcf-98a9-a75e6d796f51';
  for (const url of [
    `/v2/whoami?x-api-token=${secret}`,
    `/v2/whoami?X-API-TOKEN=${secret}`,
    `/v2/whoami?x_user_token=${secret}`,
    `/?token[]=${secret}`,
    `/?token%5B%5D=${secret}`,
    `/?token[0]=${secret}&token[1]=${secret}`,
    `/?shippingToken=${secret}`,
    `/${secret}`,
    `/v2/whoami/${secret}?type=x`,
    `/v2/whoami/${secret.replaceAll('-', '')}`,
    `/listener/${encodeURIComponent(secret)}/`,
    `/v1/abcdefghij0123456789xyz`,
  ]) {
    const out = redactUrl(url);
    assert.ok(!out.includes(secret) && !out.includes(secret.replaceAll('-', '')), `${url} -> ${out}`);
    assert.match(out, /\[REDACTED\]/, url);
  }
  // Ordinary paths and ids stay readable.
  for (const url of [
    '/v2/security/rules/42',
    '/v2/account-management/siem-accounts',
    '/siem/v1/configs/1;2/feeds',
  ]) {
    assert.equal(redactUrl(url), url);
  }
});

test('request logs (logRequests, the CLI’s SIEMLINK_LOG_REQUESTS=1) and 404 bodies carry no misplaced token', async (t) => {
  const secret = 'c7e9c290-717e-4dcf-98a9-a75e6d796f51';
  const lines: string[] = [];
  const logger = createLogger(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  );
  const siem = await buildTestSiem({ logger, config: { logRequests: true } });
  t.after(() => siem.close());
  for (const url of [`/v2/whoami?x-api-token=${secret}`, `/?token[]=${secret}`, `/v2/whoami/${secret}`]) {
    const res = await siem.api.inject({ method: 'GET', url });
    assert.ok(res.statusCode >= 400);
    assert.ok(!res.body.includes(secret), res.body);
  }
  const res = await siem.listener.inject({
    method: 'POST',
    url: `/${secret}?token[]=${secret}`,
    payload: 'x',
  });
  assert.ok(res.statusCode >= 400);
  const logged = lines.join('');
  assert.match(logged, /\[REDACTED\]/);
  assert.ok(!logged.includes(secret), logged);
});
