import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { runCli, startCliSiem, type CliSiem } from './helpers.ts';

/** The `bin` entry of package.json: plain JavaScript, started by whatever `node` is on PATH. */
const LAUNCHER = join(import.meta.dirname, '..', 'bin', 'siemlink.js');
const VERSION = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
    bin: Record<string, string>;
  }
).version;

let cli: CliSiem;
const stamps: string[] = [];

before(async () => {
  cli = await startCliSiem('siemlink-command-');
  const now = Date.now();
  for (let i = 0; i < 5; i++) stamps.push(new Date(now - (5 - i) * 60_000).toISOString());
  const body = stamps.map((s, i) => JSON.stringify({ message: `line ${i}`, '@timestamp': s })).join('\n');
  const res = await fetch(`${cli.siem.ctx.urls.listener}/?token=${cli.shippingToken}&type=cmd`, {
    method: 'POST',
    body,
  });
  assert.ok(res.ok, `ship logs: ${res.status}`);
});

after(() => cli?.close());

function launch(node: string, args: string[], env: Record<string, string> = cli.env) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(node, [LAUNCHER, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('bin: package.json names the launcher; --version prints the package version', async () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
  assert.equal(pkg.bin.siemlink, 'bin/siemlink.js');
  const root = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8'));
  assert.equal(root.bin.siemlink, 'packages/cli/bin/siemlink.js');
  const r = await launch(process.execPath, ['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), VERSION);
  assert.equal(r.stderr, '', 'no experimental-feature notices');
});

test('bin: on a Node older than 24 the launcher re-executes the pinned Node', async (t) => {
  const old = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
    const v = spawnSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    return v.status === 0 && Number(v.stdout.split('.')[0]) < 24;
  });
  if (!old) return t.skip('no Node older than 24 on this machine');
  const r = await launch(old, ['search-logs', '--size', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).hits.length, 1);
});

test('a closed stdout (| head -1) ends the command quietly with status 0', async () => {
  const child = spawn(process.execPath, [LAUNCHER, 'search-logs', '--size', '5'], {
    env: cli.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The reader goes away before the result is written: the write fails with EPIPE.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Error|at /);
});

test('no target given: the local SIEM of the data dir (said on stderr); none there is an error, never Logz.io', async () => {
  const noTarget = {
    SIEMLINK_API_URL: undefined,
    SIEMLINK_SECURITY_TOKEN: undefined,
    SIEMLINK_OPERATIONS_TOKEN: undefined,
  };
  const dataDir = join(cli.dir, 'siem'); // where this SIEM wrote credentials.json
  const r = await runCli(['search-logs', '--data-dir', dataDir], cli.env, noTarget);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).hits.length, 5);
  assert.match(
    r.stderr,
    new RegExp(
      `^target: local SIEM ${cli.siem.ctx.urls.api} \\(credentials from ${join(dataDir, 'credentials.json')}\\)$`,
      'm',
    ),
  );
  const empty = mkdtempSync(join(tmpdir(), 'siemlink-empty-'));
  try {
    const none = await runCli(['search-logs', '--data-dir', empty], cli.env, noTarget);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /\[INVALID_ARGUMENT\] no target: give --api-url URL .* or --region CODE/);
    assert.equal(none.stdout, '');
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  // A region is a real Logz.io target, and it is said (the bad time stops it before any call).
  const region = await runCli(['search-logs', '--region', 'eu', '--from-time', 'soonish'], cli.env, noTarget);
  assert.match(region.stderr, /^target: Logz\.io region eu \(https:\/\/api-eu\.logz\.io\)$/m);
  const given = await runCli(['search-logs', '--size', '1'], cli.env);
  assert.match(given.stderr, new RegExp(`^target: ${cli.siem.ctx.urls.api}$`, 'm'));
});

test('search-logs: newest first by default on the CLI, --sort asc oldest first, a bad order names --sort', async () => {
  const hits = async (args: string[]) => {
    const r = await runCli(['search-logs', ...args], cli.env);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout).hits as { '@timestamp': string }[]).map((h) => h['@timestamp']);
  };
  assert.deepEqual(await hits([]), [...stamps].reverse());
  assert.deepEqual(await hits(['--size', '2']), stamps.slice(-2).reverse());
  assert.deepEqual(await hits(['--sort', 'asc', '--size', '2']), stamps.slice(0, 2));
  const bad = await runCli(['search-logs', '--sort', 'newest'], cli.env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\[INVALID_ARGUMENT\] --sort: /);
});

test('security-configurations lists the ids the feed takes', async () => {
  const r = await runCli(['security-configurations'], cli.env);
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as { id: number; name: string; isDefault: boolean }[];
  assert.ok(
    list.some((c) => c.id === cli.configId && c.isDefault),
    r.stdout,
  );
  const noToken = await runCli(['security-configurations'], cli.env, { SIEMLINK_SECURITY_TOKEN: undefined });
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /\[MISSING_TOKEN\].*--security-token/);
});
