import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTestSiem } from './helpers.ts';

test('first start creates a main logs account and a SIEM account scanning it, tokens stored hashed', async (t) => {
  const siem = await buildTestSiem();
  t.after(() => siem.close());
  const creds = JSON.parse(readFileSync(join(siem.ctx.config.dataDir, 'credentials.json'), 'utf8'));
  assert.equal(creds.accounts.length, 2);
  const [logs, sec] = creds.accounts;
  assert.equal(logs.type, 'LOGS');
  assert.ok(logs.shippingToken);
  assert.equal(sec.type, 'SIEM');
  assert.deepEqual(siem.ctx.accounts.get(sec.accountId)?.accountsToScan, [logs.accountId]);
  const hashes = siem.ctx.store.db.prepare('SELECT token_hash FROM tokens').all() as { token_hash: string }[];
  assert.equal(hashes.length, 3);
  for (const h of hashes) {
    assert.match(h.token_hash, /^[0-9a-f]{64}$/);
    assert.ok(![logs.apiToken, logs.shippingToken, sec.apiToken].includes(h.token_hash));
  }
  assert.equal(siem.ctx.accounts.findByToken(sec.apiToken, 'API')?.id, sec.accountId);
  assert.equal(siem.ctx.accounts.findByToken(sec.apiToken, 'SHIPPING'), undefined);
});

test('unknown routes answer 404 with a JSON error body', async (t) => {
  const siem = await buildTestSiem();
  t.after(() => siem.close());
  const res = await siem.api.inject({ method: 'GET', url: '/nope' });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().errorCode, 'ROUTE_NOT_FOUND');
});
