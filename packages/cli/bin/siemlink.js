#!/usr/bin/env node
// The `siemlink` command (package.json "bin"). Plain JavaScript so that any Node can start it:
// on Node >= 24 it runs the CLI in this process; on an older Node it re-executes itself with
// the Node 24 pinned in the checkout's node_modules (the `node` devDependency).
import nodeModule from 'node:module';
import { bundledCli } from './cli-bundle.js';
import { useBundledTypebox } from './typebox-bundle.js';

// Node's own modules through require: an ESM import of one builds its ESM facade, which reads
// every export (node:fs its `promises`, node:http its lazy WebSocket), costing a one-shot run
// milliseconds and megabytes. (createRequire, unlike process.getBuiltinModule, is on any Node.)
const require = nodeModule.createRequire(import.meta.url);
const { existsSync, realpathSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { fileURLToPath } = require('node:url');

const MIN_MAJOR = 24;
const here = dirname(realpathSync(fileURLToPath(import.meta.url)));
const major = Number(process.versions.node.split('.')[0]);

/** node_modules/.bin/node of the nearest enclosing checkout (packages/cli, then the root). */
function pinnedNode() {
  for (let dir = here; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', 'node', 'bin', 'node');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

if (major >= MIN_MAJOR) {
  // As the npm scripts' --disable-warning=ExperimentalWarning: type stripping and node:sqlite
  // are how siemlink runs, and their notices are noise on a command's stderr.
  const emit = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
    if (type === 'ExperimentalWarning' || warning?.name === 'ExperimentalWarning') return;
    return emit.call(process, warning, ...rest);
  };
  // Compiled (and type-stripped) modules are cached on disk (NODE_COMPILE_CACHE, else the OS
  // temp dir): a command started by a scheduler every minute then costs about an empty Node.
  // (Not a named import: Node before 22.1 lacks it and must still reach the re-exec below.)
  nodeModule.enableCompileCache();
  // The connector's one-shot verbs run from the CLI bundle when it is current (cli-bundle.js);
  // it holds TypeBox. The sources get TypeBox's bundle through a hook.
  const bundle = bundledCli(process.argv);
  if (!bundle) useBundledTypebox();
  const { run } = await import(bundle ?? './run.ts');
  await run(process.argv);
} else {
  const node = pinnedNode();
  if (!node) {
    process.stderr.write(
      `siemlink: needs Node ${MIN_MAJOR} or later (this is ${process.version}); run \`npm ci\` in the siemlink checkout to install the pinned one, or install Node ${MIN_MAJOR}\n`,
    );
    process.exit(1);
  }
  const { spawn } = require('node:child_process');
  // This file again, on the pinned Node: the same start (the CLI bundle when current).
  const child = spawn(node, [join(here, 'siemlink.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group (so it is not passed on twice);
  // this process waits for the child's exit. A kill aimed at this process alone is passed on.
  process.on('SIGINT', () => {});
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
