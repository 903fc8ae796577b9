import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { BIN, startCliSiem, type CliSiem } from './helpers.ts';

// A real terminal for the CLI: util-linux `script` gives the child a pseudo-TTY.
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
let cli: CliSiem;
let env: Record<string, string>;

before(async () => {
  cli = await startCliSiem('siemlink-tty-');
  const stamp = new Date().toISOString();
  const body = ['one', 'two']
    .map((m) => JSON.stringify({ message: `tty ${m}`, '@timestamp': stamp }))
    .join('\n');
  const res = await fetch(`${cli.siem.ctx.urls.listener}/?token=${cli.shippingToken}&type=tty`, {
    method: 'POST',
    body,
  });
  assert.ok(res.ok);
  env = { ...cli.env, TERM: 'dumb' };
});

after(() => cli?.close());

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
