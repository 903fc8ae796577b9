import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundledCli } from '../bin/cli-bundle.js';

/** A bundle folder (dist/cli/) whose manifest lists one source file, as scripts/bundle-cli.ts writes it. */
function fakeBundle(t: { after(fn: () => void): void }) {
  const root = mkdtempSync(join(tmpdir(), 'siemlink-cli-bundle-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
  mkdirSync(join(root, 'src'));
  const source = join(root, 'src', 'a.ts');
  writeFileSync(source, 'export const a = 1;\n');
  const s = statSync(source);
  writeFileSync(
    join(root, 'dist', 'cli', 'manifest.json'),
    JSON.stringify({ verbs: ['fetch-incidents', 'help'], files: { '../../src/a.ts': [s.size, s.mtimeMs] } }),
  );
  return { dir: pathToFileURL(join(root, 'dist', 'cli') + '/'), source, root };
}

const argv = (...args: string[]) => ['node', 'siemlink.js', ...args];

test('the bundle serves its verbs, --help and --version while every source is as bundled', (t) => {
  const b = fakeBundle(t);
  const entry = pathToFileURL(join(b.root, 'dist', 'cli', 'run.mjs')).href;
  assert.equal(bundledCli(argv('fetch-incidents', '--once'), b.dir), entry);
  assert.equal(bundledCli(argv('--help'), b.dir), entry);
  assert.equal(bundledCli(argv(), b.dir), entry);
  assert.equal(bundledCli(argv('--version'), b.dir), entry);
  // Verbs the bundle does not serve (serve, up, worker) run from the sources.
  assert.equal(bundledCli(argv('serve', '--port', '1'), b.dir), null);
});

test('a source changed since the bundle was built, or no bundle, means the sources run', (t) => {
  const b = fakeBundle(t);
  appendFileSync(b.source, 'export const b = 2;\n');
  assert.equal(bundledCli(argv('fetch-incidents'), b.dir), null);
  rmSync(b.source);
  assert.equal(bundledCli(argv('fetch-incidents'), b.dir), null);
  rmSync(join(b.root, 'dist', 'cli', 'manifest.json'));
  assert.equal(bundledCli(argv('fetch-incidents'), b.dir), null);
});
