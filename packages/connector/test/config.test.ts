import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConnectorConfig, configFromEnv } from '../src/config.ts';
import { memoryLogger } from './client/helpers.ts';

function file(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-config-'));
  const p = join(dir, 'config.json');
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

test('flags beat env, env beats the config file, the file beats defaults', () => {
  const { logger } = memoryLogger();
  const configFile = file({
    connection: { region: 'eu', securityToken: 'file-sec', operationsToken: 'file-ops', timeoutMs: 1000 },
    dataDir: '/from/file',
    fetch: { maxFetch: 10, firstFetch: '2 days' },
  });
  const cfg = loadConnectorConfig(
    {
      configFile,
      env: {
        SIEMLINK_SECURITY_TOKEN: 'env-sec',
        SIEMLINK_REGION: 'uk',
        SIEMLINK_MAX_FETCH: '20',
        SIEMLINK_INSECURE: 'true',
      },
      flags: { connection: { securityToken: 'flag-sec' }, fetch: { maxFetch: '30' } },
    },
    logger,
  );
  assert.equal(cfg.connection.securityToken, 'flag-sec');
  assert.equal(cfg.connection.operationsToken, 'file-ops');
  assert.equal(cfg.connection.region, 'uk');
  assert.equal(cfg.connection.timeoutMs, 1000);
  assert.equal(cfg.connection.insecure, true);
  assert.equal(cfg.dataDir, '/from/file');
  assert.equal(cfg.fetch.maxFetch, 30);
  assert.equal(cfg.fetch.firstFetch, '2 days');
});

test('defaults apply with no sources; SIEMLINK_CONFIG names the file', () => {
  const { logger } = memoryLogger();
  const cfg = loadConnectorConfig({}, logger);
  assert.equal(cfg.connection.timeoutMs, 30_000);
  assert.equal(cfg.connection.insecure, false);
  assert.equal(cfg.dataDir, './.siemlink');
  assert.equal(cfg.fetch.maxFetch, 50);
  const viaEnv = loadConnectorConfig({ env: { SIEMLINK_CONFIG: file({ dataDir: '/x' }) } }, logger);
  assert.equal(viaEnv.dataDir, '/x');
});

test('errors name the setting, its flag and its variable; tokens are never echoed', () => {
  const { logger } = memoryLogger();
  assert.throws(
    () => loadConnectorConfig({ env: { SIEMLINK_TIMEOUT_MS: 'soon' } }, logger),
    /connection\.timeoutMs \(--timeout-ms \/ SIEMLINK_TIMEOUT_MS\)/,
  );
  assert.throws(
    () => loadConnectorConfig({ env: { SIEMLINK_REGION: 'mars' } }, logger),
    /valid codes: us, au/,
  );
  assert.throws(
    () => loadConnectorConfig({ env: { SIEMLINK_INSECURE: 'maybe' } }, logger),
    /SIEMLINK_INSECURE/,
  );
  assert.throws(
    () => loadConnectorConfig({ configFile: file({ conection: {} }) }, logger),
    /conection: unknown setting/,
  );
  assert.throws(
    () => loadConnectorConfig({ configFile: file({ connection: { regoin: 'eu' } }) }, logger),
    /connection\.regoin/,
  );
  assert.throws(
    () => loadConnectorConfig({ configFile: file('{nope') }, logger),
    /--config: .* not valid JSON/,
  );
  assert.throws(
    () => loadConnectorConfig({ configFile: '/nonexistent.json' }, logger),
    /--config: cannot read/,
  );
  assert.throws(
    () => loadConnectorConfig({ env: { SIEMLINK_FIRST_FETCH: 'yesterday' } }, logger),
    /^ConnectorError: fetch\.firstFetch \(--first-fetch \/ SIEMLINK_FIRST_FETCH\): "yesterday" is not/,
  );
  assert.throws(
    () => loadConnectorConfig({ flags: { fetch: { source: 'bogus' } } }, logger),
    (e: Error & { field?: string }) =>
      e.field === 'fetch.source (--source / SIEMLINK_FETCH_SOURCE)' && /bogus/.test(e.message),
  );
  assert.throws(
    () => loadConnectorConfig({ env: { SIEMLINK_SEVERITIES: 'HIGH,CRITICAL' } }, logger),
    /CRITICAL/,
  );
  const err = (() => {
    try {
      loadConnectorConfig(
        { flags: { connection: { securityToken: { t: 'secret-value-1' } as unknown as string } } },
        logger,
      );
    } catch (e) {
      return e as Error;
    }
  })();
  assert.ok(
    err && /securityToken/.test(err.message) && !err.message.includes('secret-value-1'),
    err?.message,
  );
});

test('env mapping covers the documented variables', () => {
  assert.deepEqual(
    configFromEnv({
      SIEMLINK_API_URL: 'http://x',
      SIEMLINK_OPERATIONS_TOKEN: 'o',
      SIEMLINK_DATA_DIR: 'd',
      SIEMLINK_PROXY: 'http://p',
      SIEMLINK_CA_FILE: 'ca.pem',
      SIEMLINK_FETCH_ENABLED: '0',
      SIEMLINK_SEARCH: 'ssh',
      SIEMLINK_SEVERITIES: 'HIGH',
      SIEMLINK_FIRST_FETCH: '1 day',
      SIEMLINK_MAX_FETCH: '5',
      SIEMLINK_UNRELATED: 'x',
    }),
    {
      connection: { apiUrl: 'http://x', operationsToken: 'o', proxyUrl: 'http://p', caFile: 'ca.pem' },
      dataDir: 'd',
      fetch: { enabled: false, searchTerm: 'ssh', severities: 'HIGH', firstFetch: '1 day', maxFetch: '5' },
    },
  );
});
