/**
 * Bundles TypeBox's ESM build (about 250 small modules) into a few files under
 * dist/typebox/<version>/, with a manifest from each module TypeBox exports (its path in the
 * package) to its bundled file.
 * bin/siemlink.js maps the imports to them: a one-shot command (`fetch-incidents --once` from a
 * scheduler) then resolves and links a dozen modules instead of 250, about a third of its
 * start-up. The code is TypeBox's own, unchanged; without the bundle the package is used as is.
 * Run by `npm run build -w packages/cli` (the root `prepare`, so `npm ci` builds it).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

type Exports = Record<string, { import?: { default?: string } }>;

// The package root from its main entry (its exports map does not expose package.json).
const entry = fileURLToPath(import.meta.resolve('@sinclair/typebox'));
let root = dirname(entry);
while (!existsSync(join(root, 'package.json'))) root = dirname(root);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  exports: Exports;
};

const input: Record<string, string> = {};
const manifest: Record<string, string> = {};
for (const [subpath, target] of Object.entries(pkg.exports)) {
  const file = target.import?.default;
  if (!file || subpath.includes('*')) continue;
  const name = subpath === '.' ? 'index' : subpath.slice(2).replace(/\//g, '-');
  input[name] = join(root, file);
  manifest[relative(root, join(root, file))] = `${name}.mjs`;
}

const out = join(import.meta.dirname, '..', 'dist', 'typebox');
rmSync(out, { recursive: true, force: true });
const dir = join(out, pkg.version);
mkdirSync(dir, { recursive: true });
// One build with several entries: modules shared by entries land in shared chunks, so each
// TypeBox module (and its registries) exists once, as in the package.
await build({
  input,
  output: { dir, format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
  logLevel: 'warn',
});
writeFileSync(
  join(dir, 'manifest.json'),
  `${JSON.stringify({ version: pkg.version, entries: manifest }, null, 2)}\n`,
);
process.stdout.write(
  `bundled @sinclair/typebox ${pkg.version} (${Object.keys(input).length} entries) into ${dir}\n`,
);
