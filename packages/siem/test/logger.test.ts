import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl } from '../src/logger.ts';

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
