import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import pino from 'pino';
import { acquireLock, processStartTime } from '../../src/data-dir/lock.ts';
import { lockConnectorStore } from '../../src/data-dir/locks.ts';
import { startUp } from '../../src/commands/up.ts';
import { BIN } from '../helpers.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('lock: held until released; a second taker gets an error naming the holder pid', (t) => {
  const path = join(tempDir(t), 'siem.lock');
  const lock = acquireLock(path, 'the SIEM data dir /x', 'test');
  const holder = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(holder.pid, process.pid);
  assert.equal(holder.startTime, processStartTime(process.pid));
  assert.throws(() => acquireLock(path, 'the SIEM data dir /x', 'test'), {
    code: 'DATA_DIR_LOCKED',
    message: new RegExp(`the SIEM data dir /x is in use by process ${process.pid} \\(test`),
  });
  lock.release();
  assert.equal(existsSync(path), false);
  acquireLock(path, 'x', 'test').release();
});

test('lock: a stale lock (holder gone, or its pid reused by another process) is taken over', (t) => {
  const path = join(tempDir(t), 'siem.lock');
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const deadPid = Number(gone.stdout.toString());
  const stale = { host: hostname(), command: 'old', since: '2026-01-01T00:00:00Z' };
  writeFileSync(path, JSON.stringify({ ...stale, pid: deadPid, startTime: null }));
  acquireLock(path, 'x', 'test').release();
  // Our own pid, but another start time: the process that wrote it is not us.
  writeFileSync(path, JSON.stringify({ ...stale, pid: process.pid, startTime: 'another' }));
  const lock = acquireLock(path, 'x', 'test');
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).command, 'test');
  lock.release();
  // Half written (the holder died while creating it).
  writeFileSync(path, '{"pi');
  acquireLock(path, 'x', 'test').release();
});

test('lock: a PostgreSQL incident store takes no lock (several connectors share it)', (t) => {
  const dir = tempDir(t);
  assert.equal(lockConnectorStore(dir, { kind: 'postgres' }, 'test'), null);
  const lock = lockConnectorStore(dir, { kind: 'sqlite' }, 'test')!;
  assert.ok(existsSync(join(dir, 'connector', 'connector.lock')));
  lock.release();
});

test('up: a second up on the same data dir stops naming the holder; after close it starts', async (t) => {
  const dir = tempDir(t);
  const opts = {
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    listenerPort: 0,
    connectorPort: 0,
    demo: false,
    faultInjection: false,
  };
  const io = { logger: pino({ level: 'silent' }), print: () => {} };
  const first = await startUp(opts, io);
  await assert.rejects(startUp(opts, io), {
    code: 'DATA_DIR_LOCKED',
    message: new RegExp(`SIEM data dir .* is in use by process ${process.pid} \\(siemlink up`),
  });
  await first.close();
  assert.equal(existsSync(join(dir, 'siem.lock')), false);
  const second = await startUp(opts, io);
  await second.close();
});

test('serve: a second process on a held data dir exits 1 naming the holder pid', async (t) => {
  const dir = tempDir(t);
  const args = ['--disable-warning=ExperimentalWarning', BIN, 'serve', '--data-dir', dir];
  const ports = ['--port', '0', '--listener-port', '0'];
  const first = spawn(process.execPath, [...args, ...ports], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => first.kill('SIGKILL'));
  let out = '';
  first.stdout.setEncoding('utf8');
  for await (const chunk of first.stdout) {
    out += chunk;
    if (out.includes('Credentials')) break;
  }
  const second = spawnSync(process.execPath, [...args, ...ports], { encoding: 'utf8' });
  assert.equal(second.status, 1);
  assert.match(
    second.stderr,
    new RegExp(`DATA_DIR_LOCKED.*in use by process ${first.pid} \\(siemlink serve`),
  );
  first.kill('SIGTERM');
  await once(first, 'exit');
  assert.equal(existsSync(join(dir, 'siem.lock')), false, 'released on a clean stop');
});
