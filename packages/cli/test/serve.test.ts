import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const BIN = join(import.meta.dirname, '..', 'bin', 'siemlink.ts');
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
