import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundUrl } from '../../src/addresses/bound-url.ts';
import { startUp, upBanner } from '../../src/commands/up.ts';

const at = (address: string, family: string, port = 8080) => ({
  address: (): AddressInfo => ({ address, family, port }),
});

test('boundUrl: the bound address, and for a wildcard that all interfaces are open', () => {
  assert.equal(boundUrl(at('127.0.0.1', 'IPv4'), 'http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
  assert.equal(
    boundUrl(at('0.0.0.0', 'IPv4'), 'http://127.0.0.1:8080'),
    'http://0.0.0.0:8080 (all interfaces; on this machine http://127.0.0.1:8080)',
  );
  assert.equal(
    boundUrl(at('::', 'IPv6'), 'https://[::1]:8080'),
    'https://[::]:8080 (all interfaces; on this machine https://[::1]:8080)',
  );
  assert.equal(boundUrl({ address: () => null }, 'http://x:1'), 'http://x:1');
});

test('up --host 0.0.0.0: the banner prints the wildcard address the servers really bind', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-bound-'));
  const before = process.env.SIEMLINK_FETCH_ENABLED;
  process.env.SIEMLINK_FETCH_ENABLED = 'false';
  const up = await startUp(
    {
      dataDir: dir,
      host: '0.0.0.0',
      port: 0,
      listenerPort: 0,
      connectorPort: 0,
      demo: false,
      faultInjection: false,
    },
    { logger: pino({ level: 'silent' }), print: () => {} },
  );
  t.after(async () => {
    await up.close();
    if (before === undefined) delete process.env.SIEMLINK_FETCH_ENABLED;
    else process.env.SIEMLINK_FETCH_ENABLED = before;
    rmSync(dir, { recursive: true, force: true });
  });
  const banner = upBanner(up, dir).join('\n');
  const port = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
  assert.match(
    banner,
    new RegExp(`SIEM API +http://0\\.0\\.0\\.0:${port(up.siem.api.server)} \\(all interfaces`),
  );
  assert.match(banner, new RegExp(`Log listener +http://0\\.0\\.0\\.0:${port(up.siem.listener.server)} `));
  assert.match(banner, new RegExp(`Connector API +http://0\\.0\\.0\\.0:${port(up.connector)} `));
});
