import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { BIN } from './helpers.ts';

const run = promisify(execFile);

test('serve --rules with a bad file fails before anything starts, naming the file, rule and field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-serve-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rules = join(dir, 'rules.json');
  writeFileSync(rules, JSON.stringify([{ title: 'no sub-components' }]));
  const dataDir = join(dir, 'data');
  const err = (await run(process.execPath, [
    '--disable-warning=ExperimentalWarning',
    BIN,
    'serve',
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--listener-port',
    '0',
    '--rules',
    rules,
  ]).catch((e: unknown) => e)) as { code: number; stderr: string };
  assert.equal(err.code, 1);
  assert.match(err.stderr, /INVALID_RULES_FILE.*rules\.json.*rules\[0\]\.subComponents/);
  assert.equal(existsSync(dataDir), false, 'nothing written');
});

test('serve rejects a bad port with a message naming the flag', async () => {
  const err = (await run(process.execPath, [
    '--disable-warning=ExperimentalWarning',
    BIN,
    'serve',
    '--port',
    'eighty',
  ]).catch((e: unknown) => e)) as { code: number; stderr: string };
  assert.notEqual(err.code, 0);
  assert.match(err.stderr, /--port must be an integer/);
});

test('serve with the listener port in use exits 1 naming the address, leaving nothing running', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-serve-'));
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.after(() => {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const busy = (blocker.address() as AddressInfo).port;
  // Without closing the API server on failure the process never exits: the timeout kills it.
  const err = (await run(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      BIN,
      'serve',
      '--data-dir',
      join(dir, 'data'),
      '--port',
      '0',
      '--listener-port',
      String(busy),
    ],
    { timeout: 120_000 }, // a hang guard only
  ).catch((e: unknown) => e)) as { code: number | null; signal: string | null; stderr: string };
  assert.equal(err.signal, null, 'the process exits on its own');
  assert.equal(err.code, 1);
  assert.match(err.stderr, new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${busy}`));
});

test('a bad port or preset token from the environment names the variable, and nothing starts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-serve-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const serve = (env: Record<string, string>) =>
    run(process.execPath, ['--disable-warning=ExperimentalWarning', BIN, 'serve', '--data-dir', dataDir], {
      env: { PATH: process.env.PATH!, ...env },
      timeout: 120_000, // a hang guard only
    }).catch((e: unknown) => e) as Promise<{ code: number; stderr: string }>;
  const port = await serve({ SIEMLINK_PORT: '80a' });
  assert.equal(port.code, 1);
  assert.match(port.stderr, /\[INVALID_ARGUMENT\] SIEMLINK_PORT must be a port number 0\.\.65535, got "80a"/);
  const token = await serve({
    SIEMLINK_PORT: '0',
    SIEMLINK_LISTENER_PORT: '0',
    SIEMLINK_SHIPPING_TOKEN: 'short',
  });
  assert.equal(token.code, 1);
  assert.match(token.stderr, /\[INVALID_ARGUMENT\] SIEMLINK_SHIPPING_TOKEN: .*8/);
  assert.doesNotMatch(token.stderr, /short/);
  assert.equal(existsSync(dataDir), false, 'nothing written');
});
