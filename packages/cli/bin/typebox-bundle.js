// Plain JavaScript, as bin/siemlink.js (which imports it on any Node; it is called on Node >= 24).
import nodeModule from 'node:module';

// Node's modules through require, as in bin/siemlink.js (no ESM facades).
const require = nodeModule.createRequire(import.meta.url);
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');

/**
 * TypeBox's modules -> its bundle (scripts/bundle-typebox.ts, built by `npm ci`): a dozen files
 * to resolve and link instead of 250. Only the exact entry modules of the installed version are
 * mapped, after Node's own resolution; without a bundle of that version nothing is.
 */
export function useBundledTypebox() {
  let main;
  try {
    main = fileURLToPath(import.meta.resolve('@sinclair/typebox'));
  } catch {
    return;
  }
  let root = dirname(main);
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  let manifest;
  try {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const dir = join(fileURLToPath(new URL('../dist/typebox/', import.meta.url)), version);
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    if (manifest.version !== version) return;
    manifest.dir = dir;
  } catch {
    return;
  }
  const urls = new Map(
    Object.entries(manifest.entries).map(([from, to]) => [
      pathToFileURL(join(root, from)).href,
      pathToFileURL(join(manifest.dir, to)).href,
    ]),
  );
  nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      const url = urls.get(resolved.url);
      return url ? { ...resolved, url } : resolved;
    },
  });
}
