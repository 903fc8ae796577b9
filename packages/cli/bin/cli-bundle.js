// Plain JavaScript, as bin/siemlink.js (which imports it on any Node; it is called on Node >= 24).
import nodeModule from 'node:module';

// Node's modules through require, as in bin/siemlink.js (no ESM facades).
const require = nodeModule.createRequire(import.meta.url);
const { readFileSync, statSync } = require('node:fs');
const { fileURLToPath } = require('node:url');

/**
 * The CLI bundle's entry (scripts/bundle-cli.ts, built by `npm ci`) when it serves the verb of
 * `argv` and every source file in it is as it was bundled (same size and mtime); else null, and
 * the sources run. A stale bundle never runs: editing a source takes effect at once.
 * `dir` (a file: URL ending in '/') is the bundle's folder; tests give another.
 */
export function bundledCli(argv, dir = new URL('../dist/cli/', import.meta.url)) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8'));
  } catch {
    return null;
  }
  // The verb is the first word; the program's own options (--help, --version) take no value.
  const verb = argv.slice(2).find((a) => !a.startsWith('-'));
  if (verb !== undefined && !manifest.verbs.includes(verb)) return null;
  // Paths as the manifest has them, relative to dist/cli/ (no normalising: ~200 files to stat).
  const base = fileURLToPath(dir);
  for (const [file, [size, mtimeMs]] of Object.entries(manifest.files)) {
    const s = statSync(base + file, { throwIfNoEntry: false });
    if (!s || s.size !== size || s.mtimeMs !== mtimeMs) return null;
  }
  return new URL('run.mjs', dir).href;
}
