import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startSiem, type SiemServer } from '@siemlink/siem';

// A real terminal for the CLI: util-linux `script` gives the child a pseudo-TTY.
const BIN = join(import.meta.dirname, '..', 'bin', 'siemlink.ts');
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
let siem: SiemServer;
let dir: string;
let env: Record<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'siemlink-tty-'));
  siem = await startSiem(
    { dataDir: join(dir, 'siem'), port: 0, listenerPort: 0, rulesEngine: false },
    { logger: pino({ level: 'silent' }) },
  );
  const logs = siem.credentials.accounts.find((a) => a.type === 'LOGS')!;
  const stamp = new Date().toISOString();
  const body = ['one', 'two']
    .map((m) => JSON.stringify({ message: `tty ${m}`, '@timestamp': stamp }))
    .join('\n');
  const res = await fetch(`${siem.ctx.urls.listener}/?token=${logs.shippingToken}&type=tty`, {
    method: 'POST',
    body,
  });
  assert.ok(res.ok);
  env = {
    PATH: process.env.PATH!,
    HOME: dir,
    TERM: 'dumb',
    SIEMLINK_API_URL: siem.ctx.urls.api,
    SIEMLINK_OPERATIONS_TOKEN: logs.apiToken,
    SIEMLINK_DATA_DIR: dir,
  };
});

after(async () => {
  await siem?.close();
  rmSync(dir, { recursive: true, force: true });
});

function inTerminal(args: string[]): Promise<string> {
  const cmd = [process.execPath, '--disable-warning=ExperimentalWarning', BIN, ...args]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  return new Promise((resolve, reject) =>
    execFile('script', ['-qec', cmd, '/dev/null'], { env, timeout: 60_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    ),
  );
}

test(
  'search-logs on a terminal: the progress line is erased before the table starts',
  { skip: !hasScript },
  async () => {
    const out = await inTerminal(['search-logs', '--query', 'type:tty', '--from-time', '1 hour ago']);
    const header = out.split(/\r?\n/).find((l) => l.includes('@timestamp'));
    assert.ok(header, out);
    // What the terminal shows of that line: the text after the last erase-line sequence.
    const visible = header.split('\r\x1b[K').at(-1)!;
    assert.match(visible, /^@timestamp\s+type\s+message/, JSON.stringify(header));
    assert.match(out, /2 of 2 hit\(s\)/);
  },
);
