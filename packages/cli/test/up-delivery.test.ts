import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WebhookReceiver } from '../../connector/test/sinks/receiver.ts';
import { BIN } from './helpers.ts';

const SECRET = 'up-delivery-secret';

interface SinkFigures {
  sink: string;
  backlog: number;
  dead: number;
  delivered: number;
  lastError: string | null;
}
interface Health {
  incidentsTotal: number;
  sinks: SinkFigures[];
}

/** `siemlink up` as a child process: its stdout and stderr lines, awaited by pattern (events, not time). */
class UpProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  private waiters: { match: RegExp; resolve: (l: string) => void }[] = [];
  private listeners: ((l: string) => void)[] = [];
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', BIN, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', (l) => this.line(l));
    }
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve({ code, signal })),
    );
  }
  private line(l: string) {
    this.lines.push(l);
    this.waiters = this.waiters.filter((w) => !(w.match.test(l) && (w.resolve(l), true)));
    for (const f of this.listeners) f(l);
  }
  /** The first line (so far or to come) matching. */
  next(match: RegExp): Promise<string> {
    const seen = this.lines.find((l) => match.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ match, resolve });
      void this.exited.then(({ code, signal }) =>
        reject(new Error(`up exited (${code ?? signal}) before ${match}:\n${this.lines.join('\n')}`)),
      );
    });
  }
  onLine(f: (l: string) => void) {
    this.listeners.push(f);
  }
}

async function login(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

async function health(base: string, cookie: string): Promise<Health> {
  const res = await fetch(`${base}/api/health`, { headers: { cookie } });
  assert.equal(res.status, 200);
  return (await res.json()) as Health;
}

/**
 * Issue 7's "done when", end to end: `siemlink up` (demo data, a webhook sink) as a real process
 * while the receiver is down, then back; the process is SIGKILLed at the receiver's third request
 * (stored, not yet answered) and started again on the same data dir. Every demo incident must be
 * stored exactly once by the receiver's idempotency check, and /api/health must show the sink's
 * backlog during the outage and drained to 0 at the end. Synchronised on the process's own lines
 * (the sink's "deliveries failed" warning, fetch-run lines) and the receiver's requests.
 */
test(
  'up with demo data and a webhook sink: through an outage and a SIGKILL, every incident once; backlog drains to 0',
  {
    timeout: 600_000,
  },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'siemlink-up-delivery-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const receiver = new WebhookReceiver(SECRET);
    // Take a port, then go down: the sink is configured with an address nobody answers yet.
    await receiver.start();
    const port = receiver.port;
    await receiver.stop();
    t.after(() => receiver.stop());

    const args = [
      'up',
      '--data-dir',
      join(dir, 'data'),
      '--port',
      '0',
      '--listener-port',
      '0',
      '--connector-port',
      '0',
      '--interval-seconds',
      '1',
      '--sink',
      `webhook:${receiver.url}`,
    ];
    const env = {
      PATH: process.env.PATH!,
      HOME: dir,
      SIEMLINK_WEBHOOK_SECRET: SECRET,
      SIEMLINK_LOG_LEVEL: 'warn',
      NODE_COMPILE_CACHE: join(dir, 'compile-cache'),
    };
    const start = () => {
      const p = new UpProcess(args, env);
      t.after(async () => {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
        await p.exited;
      });
      return p;
    };

    // Life 1: the receiver is down. Incidents are fetched; the sink's attempts fail.
    const first = start();
    const base = (await first.next(/^Health\s+http/)).replace(/^Health\s+/, '').replace(/\/api\/health$/, '');
    const [, username, password] = /^Console login\s+(\S+) \/ (\S+)/.exec(
      await first.next(/^Console login/),
    )!;
    await first.next(/"msg":"deliveries failed"/);
    const cookie1 = await login(base, username!, password!);
    const during = (await health(base, cookie1)).sinks;
    assert.equal(during.length, 1);
    const sink = during[0]!.sink;
    assert.ok(during[0]!.backlog > 0, `backlog during the outage: ${JSON.stringify(during)}`);
    assert.match(during[0]!.lastError ?? '', /ECONNREFUSED|connect/i);

    // Back up; at its third request the receiver stores the incident and the process dies unanswered.
    let requests = 0;
    receiver.answer = () => {
      if (++requests === 3) first.child.kill('SIGKILL');
      return undefined;
    };
    await receiver.start(port);
    assert.equal((await first.exited).signal, 'SIGKILL');
    assert.ok(receiver.stored.size >= 1);

    // Life 2 on the same data dir: the dead process's leases are released, delivery resumes.
    const second = start();
    const base2 = (await second.next(/^Health\s+http/))
      .replace(/^Health\s+/, '')
      .replace(/\/api\/health$/, '');
    const cookie2 = await login(base2, username!, password!);
    // Run until quiet, checked after each fetch run of the process (it prints one line per run):
    // every incident the store holds is delivered and nothing is pending. Bounded by the demo's work.
    let quiet: Health | undefined;
    let checking = false;
    const { promise: drained, resolve } = Promise.withResolvers<Health>();
    second.onLine((l) => {
      if (!/new incident\(s\)/.test(l) || checking || quiet) return;
      checking = true;
      void health(base2, cookie2).then((h) => {
        checking = false;
        const s = h.sinks.find((x) => x.sink === sink)!;
        if (s.backlog === 0 && s.dead === 0 && s.delivered === h.incidentsTotal && h.incidentsTotal > 0) {
          quiet = h;
          resolve(h);
        }
      });
    });
    const h = await drained;
    const s = h.sinks.find((x) => x.sink === sink)!;
    assert.equal(s.backlog, 0);
    // Exactly once as the receiver's idempotency check sees it: one stored body per incident, no other.
    assert.ok(receiver.stored.size >= h.incidentsTotal);
    const ids = receiver.storedIncidentIds();
    assert.equal(new Set(ids).size, ids.length);
    const events = ids.map((id) => id.replace(/^[^:]+:/, ''));
    assert.equal(new Set(events).size, events.length, 'one incident per security event');
    assert.equal(receiver.badSignatures, 0);
    assert.ok(receiver.duplicates >= 1, 'the unanswered delivery came again and was recognised');
    t.diagnostic(
      `${h.incidentsTotal} incidents; receiver: ${receiver.stored.size} stored, ${receiver.requests.length} requests, ${receiver.duplicates} redeliveries recognised; backlog during the outage ${during[0]!.backlog}`,
    );
  },
);
