import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConnectorConfig } from '../src/config.ts';
import { memoryLogger } from './client/helpers.ts';

const load = (sources: Parameters<typeof loadConnectorConfig>[0]) =>
  loadConnectorConfig(sources, memoryLogger().logger);

test('store: SQLite by default; a URL (flag > env > file) selects PostgreSQL', () => {
  assert.deepEqual(load({}).store, { kind: 'sqlite' });
  const url = 'postgres://u:pw@db:5432/siem';
  assert.deepEqual(load({ env: { SIEMLINK_STORE_URL: url } }).store, { kind: 'postgres', url });
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-config-'));
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ store: { kind: 'postgres', url: 'postgresql://file/db' } }));
  assert.deepEqual(load({ configFile: file }).store, { kind: 'postgres', url: 'postgresql://file/db' });
  assert.deepEqual(
    load({
      configFile: file,
      env: { SIEMLINK_STORE_URL: url },
      flags: { store: { url: 'postgres://flag/db' } },
    }).store,
    { kind: 'postgres', url: 'postgres://flag/db' },
  );
});

test('store: bad settings are clear errors naming the flag, never echoing the URL', () => {
  assert.throws(
    () => load({ flags: { store: { url: 'mysql://u:secret-pw@h/db' } } }),
    (err: Error) => {
      assert.match(err.message, /store\.url \(--store-url \/ SIEMLINK_STORE_URL\): must be a postgres:\/\//);
      assert.ok(!err.message.includes('secret-pw'));
      return true;
    },
  );
  assert.throws(() => load({ flags: { store: { kind: 'postgres' } } }), /--store-url.*required/);
  assert.throws(() => load({ flags: { store: { kind: 'sqlite', url: 'postgres://h/db' } } }), /only for/);
  assert.throws(
    () => load({ flags: { store: { kind: 'mongo' } } }),
    /store\.kind: must be "sqlite" or "postgres"/,
  );
});
