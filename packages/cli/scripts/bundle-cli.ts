/**
 * Bundles the CLI (bin/run.ts and everything of ours it imports, commander too) into a few
 * files under dist/cli/, with a manifest of the verbs it serves and of every source file in it
 * (size and mtime). bin/siemlink.js runs it for those verbs: a one-shot command (`fetch-incidents
 * --once` from a scheduler) then links a dozen modules instead of ~150, which is most of what
 * remains of its start-up once the compile cache is warm. When a source changed since, or for
 * another verb, the launcher runs the sources (see bin/cli-bundle.js).
 * Run by `npm run build -w packages/cli` (the root `prepare`, so `npm ci` builds it).
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'rolldown';

/**
 * The verbs run from the bundle: the connector's one-shot commands (and `--help`, `--version`).
 * `serve`, `up` and `worker` are long-running (start-up does not matter) and start the SIEM's
 * worker threads from its sources, so they keep running from the sources only.
 */
const VERBS = [
  'fetch-incidents',
  'search-logs',
  'get-logs-by-event-id',
  'create-siem-account',
  'security-events',
  'security-configurations',
  'test',
  'backfill',
  'outbox',
  'users',
  'api-keys',
  'incidents',
  'playbooks',
  'help',
];

const SOURCES_ONLY = /[/\\]src[/\\]commands[/\\](serve|up|worker)\.ts$/;

/**
 * A package left out is imported from dist/cli/: it must be the one the source file gets (a
 * package installed under packages/<name>/node_modules only would not be found from there).
 */
function samePackage(id: string, importer: string | undefined): void {
  if (!importer) return;
  const name = id
    .split('/')
    .slice(0, id.startsWith('@') ? 2 : 1)
    .join('/');
  const from = (dir: string): string | undefined => {
    for (let d = dir; ; d = dirname(d)) {
      if (existsSync(join(d, 'node_modules', name, 'package.json'))) return join(d, 'node_modules', name);
      if (dirname(d) === d) return undefined;
    }
  };
  if (from(dirname(importer)) !== from(out)) {
    throw new Error(`bundle-cli: ${name}, imported by ${importer}, is another copy (or none) from dist/cli/`);
  }
}

const cli = join(import.meta.dirname, '..');
const out = join(cli, 'dist', 'cli');
// Built beside, then swapped in: a launcher starting meanwhile finds the old bundle or none.
const next = `${out}.next`;
rmSync(next, { recursive: true, force: true });
mkdirSync(next, { recursive: true });

/**
 * `import ... from "node:x"` -> `const ... = process.getBuiltinModule("node:x")`: an ESM import
 * of a Node module builds its ESM facade, which reads every export, lazy ones too (node:process
 * its `report`, node:fs its `promises`, node:http Node's bundled undici): milliseconds and
 * megabytes of a one-shot run. Chunks start with their imports, so nothing runs before these.
 */
function requireBuiltins(code: string): string {
  return code.replace(/^import (.+) from "(node:[^"]+)";$/gm, (_, what: string, id: string) => {
    const mod = `globalThis.process.getBuiltinModule(${JSON.stringify(id)})`;
    if (/^\{[\w$, ]+\}$/.test(what)) return `const ${what.replace(/ as /g, ': ')} = ${mod};`;
    // commander's child_process is for executable subcommands (siemlink has none): loaded
    // at its first use, not at start.
    if (id === 'node:child_process' && /^[\w$]+$/.test(what)) {
      return `const ${what} = new Proxy({}, { get: (_, key) => ${mod}[key] });`;
    }
    if (/^[\w$]+$/.test(what)) return `const ${what} = ${mod};`;
    const both = /^([\w$]+), (\{[\w$, ]+\})$/.exec(what);
    if (both) return `const ${both[1]} = ${mod};\nconst ${both[2]!.replace(/ as /g, ': ')} = ${both[1]};`;
    throw new Error(`bundle-cli: an import of ${id} in an unexpected form: ${what}`);
  });
}

const output = await build({
  input: { run: join(cli, 'bin', 'run.ts') },
  platform: 'node',
  // Packages stay packages, but commander and TypeBox (no other package imports TypeBox, so
  // the bundle's is the only instance and the launcher needs no TypeBox hook); the verbs that
  // never run from here are left out (they stay imports of their source files).
  external: (id, importer) => {
    if (id.startsWith('node:') || SOURCES_ONLY.test(id)) return true;
    if (!/^[@a-z]/.test(id) || /^(@siemlink\/|commander$|@sinclair\/typebox(\/|$))/.test(id)) return false;
    samePackage(id, importer);
    return true;
  },
  plugins: [
    {
      // A module's own location (files beside it, a package.json above it, `createRequire`)
      // stays the source file's, written relative to the bundle so that the checkout may move.
      name: 'source-locations',
      transform(code, id) {
        if (!code.includes('import.meta')) return null;
        // dist/cli.next/ and dist/cli/ are at the same depth: the paths hold in either.
        const file = JSON.stringify(relative(out, id));
        const dir = JSON.stringify(`/${relative(out, dirname(id))}`);
        return code
          .replaceAll('import.meta.url', `new URL(${file}, import.meta.url).href`)
          .replaceAll('import.meta.dirname', `(import.meta.dirname + ${dir})`)
          .replaceAll('import.meta.main', 'false');
      },
      renderChunk: (code) => requireBuiltins(code),
    },
  ],
  output: { dir: next, format: 'esm', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
  logLevel: 'warn',
});

const files: Record<string, [number, number]> = {};
for (const chunk of output.output) {
  if (chunk.type !== 'chunk') continue;
  for (const id of chunk.moduleIds) {
    // Packages change only through npm, whose install reruns this build (`prepare`).
    if (id.startsWith('\0') || /[/\\]node_modules[/\\]/.test(id)) continue;
    const s = statSync(id);
    files[relative(out, id)] = [s.size, s.mtimeMs];
  }
}
writeFileSync(join(next, 'manifest.json'), `${JSON.stringify({ verbs: VERBS, files })}\n`);
rmSync(out, { recursive: true, force: true });
renameSync(next, out);
process.stdout.write(`bundled the CLI (${Object.keys(files).length} source files) into ${out}\n`);
