import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startUp, formatRun, upBanner, type UpOptions } from '../src/commands/up.ts';
// Tests only: put security events straight into the SIEM's store.
import { insertSecurityEvents } from '../../siem/test/fixtures/security-events.ts';

const silent = pino({ level: 'silent' });

/**
 * What `up` prints, and a wait for the first line that matches: a fetch run's line arrives when
 * the run has committed. With `failFast`, a failed run rejects at once (when the next run is a
 * minute away, waiting for it would only hide the failure).
 */
function printed() {
  const lines: string[] = [];
  let waiter:
    | { match: RegExp; failFast: boolean; resolve: (l: string) => void; reject: (e: Error) => void }
    | undefined;
  const failed = (l: string) => new Error(`fetch run failed:\n${[...lines, l].join('\n')}`);
  return {
    lines,
    print(l: string) {
      lines.push(l);
      if (!waiter) return;
      if (waiter.match.test(l)) waiter.resolve(l);
      else if (waiter.failFast && /fetch failed/.test(l)) waiter.reject(failed(l));
      else return;
      waiter = undefined;
    },
    next(match: RegExp, failFast = false): Promise<string> {
      const seen = lines.find((l) => match.test(l));
      if (seen) return Promise.resolve(seen);
      const { promise, resolve, reject } = Promise.withResolvers<string>();
      waiter = { match, failFast, resolve, reject };
      return promise;
    },
  };
}

/** Authorization for the connector's API: the admin that `up` created, logged in. */
async function apiHeaders(up: Awaited<ReturnType<typeof startUp>>): Promise<Record<string, string>> {
  const login = JSON.parse(readFileSync(join(up.connector.initialAdmin!.file), 'utf8')).console as {
    username: string;
    password: string;
  };
  const res = await fetch(`${up.connector.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: login.username, password: login.password }),
  });
  assert.equal(res.status, 200);
  return { cookie: res.headers.getSetCookie()[0]!.split(';')[0]! };
}

function options(dataDir: string, extra: Partial<UpOptions> = {}): UpOptions {
  return {
    dataDir,
    host: '127.0.0.1',
    port: 0,
    listenerPort: 0,
    connectorPort: 0,
    demo: false,
    faultInjection: false,
    intervalSeconds: '0.05',
    ...extra,
  };
}

test('up: SIEM + connector against it; events become incidents served by the API; runs are printed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-up-'));
  const out = printed();
  const up = await startUp(options(dir), { logger: silent, print: out.print });
  t.after(async () => {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.ok(existsSync(join(dir, 'credentials.json')));
  assert.ok(existsSync(join(dir, 'connector', 'connector.db')), 'connector data under DIR/connector');
  const siemAccount = up.siem.credentials.accounts.find((a) => a.type === 'SIEM')!;
  const eventDate = Date.now() - 10 * 60_000;
  insertSecurityEvents(
    up.siem.ctx.store,
    Array.from({ length: 3 }, () => ({
      accountId: siemAccount.accountId,
      configId: 1,
      ruleId: 1,
      name: 'Up test rule',
      eventDate,
      windowStart: eventDate,
      severity: 'MEDIUM' as const,
      groupBy: null,
    })),
    Date.now(),
  );
  const line = await out.next(/\b3 new incident/);
  assert.match(line, /\b3 new incident\(s\)\s+cursor \d{4}-\d\d-\d\dT.*\(\+3 id\)\s+lag \d+ s/);
  assert.equal((await fetch(`${up.connector.url}/api/incidents`)).status, 401, 'nothing without credentials');
  assert.equal(up.connector.initialAdmin!.file, join(dir, 'credentials.json'));
  assert.equal(statSync(up.connector.initialAdmin!.file).mode & 0o777, 0o600);
  const headers = await apiHeaders(up);
  const list = (await (await fetch(`${up.connector.url}/api/incidents`, { headers })).json()) as {
    total: number;
  };
  assert.equal(list.total, 3);
  const health = (await (await fetch(`${up.connector.url}/api/health`, { headers })).json()) as {
    fetching: boolean;
  };
  assert.equal(health.fetching, true);
  // The token is never printed.
  assert.ok(!out.lines.join('\n').includes(siemAccount.apiToken));
});

test('up: a bad fetch option is a clear error and leaves nothing running', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-up-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await assert.rejects(startUp(options(dir, { firstFetch: '7days' }), { logger: silent, print: () => {} }), {
    code: 'INVALID_FETCH_OPTION',
    message: /firstFetch/,
  });
});

test('formatRun: one concise line (time, count, cursor, lag) and failures say the cursor did not move', () => {
  const base = {
    runId: 1,
    source: 'search',
    startedAt: 0,
    endedAt: Date.UTC(2026, 0, 1, 10, 0, 5),
    incidents: [],
    count: 2,
    cursorBefore: null,
    cursorAfter: JSON.stringify({ v: 1, eventDate: Date.UTC(2026, 0, 1, 9, 50), idsAtDate: ['a', 'b'] }),
    full: false,
    lagMs: 180_000,
    gaps: [],
  };
  assert.equal(
    formatRun(base),
    '10:00:05    2 new incident(s)  cursor 2026-01-01T09:50:00.000Z (+2 id)  lag 180 s',
  );
  assert.match(formatRun({ ...base, error: '[HTTP_503] unavailable' }), /fetch failed: .*cursor unchanged/);
  assert.match(
    formatRun({ ...base, cursorAfter: '{"v":1,"offset":"v1.a.b.c"}' }),
    /cursor offset v1\.a\.b\.c/,
  );
});

test('up with demo data and the panel defaults: incidents arrive from the first fetch run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-up-'));
  const out = printed();
  const up = await startUp(options(dir, { demo: true, intervalSeconds: undefined }), {
    logger: silent,
    print: out.print,
  });
  t.after(async () => {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.equal(up.connector.options.bufferMinutes, 3);
  assert.equal(up.connector.options.intervalSeconds, 60);
  // The first run (at start; the next is a minute later) is the one that brings incidents.
  const first = await out.next(/new incident/, true);
  assert.match(first, /\b[1-9]\d* new incident/, out.lines.join('\n'));
  const headers = await apiHeaders(up);
  const total = (
    (await (await fetch(`${up.connector.url}/api/incidents`, { headers })).json()) as { total: number }
  ).total;
  assert.ok(total > 0, out.lines.join('\n'));
});

test('up banner: URLs and credentials; with fetching disabled it does not claim to fetch', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-up-'));
  const before = process.env.SIEMLINK_FETCH_ENABLED;
  process.env.SIEMLINK_FETCH_ENABLED = 'false';
  const up = await startUp(options(dir), { logger: silent, print: () => {} });
  t.after(async () => {
    await up.close();
    if (before === undefined) delete process.env.SIEMLINK_FETCH_ENABLED;
    else process.env.SIEMLINK_FETCH_ENABLED = before;
    rmSync(dir, { recursive: true, force: true });
  });
  const lines = upBanner(up, dir);
  assert.equal(lines[2], `Credentials    ${join(dir, 'credentials.json')}`);
  assert.equal(lines[3], `Incidents      ${up.connector.url}/api/incidents`);
  const password = up.connector.initialAdmin!.password;
  assert.ok(lines.some((l) => l.startsWith('Console login  admin / ') && l.includes(password)));
  const creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8'));
  assert.equal(creds.console.password, password);
  assert.ok(creds.accounts.length > 0, "the SIEM's accounts are kept");
  assert.equal(lines.at(-1), 'Incident fetching is disabled (SIEMLINK_FETCH_ENABLED). Ctrl-C stops.');
});

test("up --source feed with no --config-ids reads the SIEM account's configurations", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-up-'));
  const up = await startUp(options(dir, { demo: true, source: 'feed', intervalSeconds: undefined }), {
    logger: silent,
    print: () => {},
  });
  t.after(async () => {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const token = up.siem.credentials.accounts.find((a) => a.type === 'SIEM')!.apiToken;
  const res = await fetch(`${up.siem.ctx.urls.api}/v2/security/configurations`, {
    headers: { 'X-API-TOKEN': token },
  });
  const ids = ((await res.json()) as { id: number }[]).map((c) => String(c.id));
  assert.ok(ids.length > 0);
  assert.equal(up.connector.options.source, 'feed');
  assert.deepEqual(up.connector.options.configIds, ids);
});

test('up on a data dir whose credentials.json was lost stops with a clear error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-up-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = await startUp(options(dir), { logger: silent, print: () => {} });
  await first.close();
  rmSync(join(dir, 'credentials.json'));
  await assert.rejects(startUp(options(dir), { logger: silent, print: () => {} }), {
    code: 'INVALID_ARGUMENT',
    message: /credentials\.json is missing.*SIEMLINK_SECURITY_TOKEN/,
  });
  // The SIEM it started was closed again: its store can be reopened at once.
  const again = await startUp(options(dir), { logger: silent, print: () => {} }).catch((e: Error) => e);
  assert.ok(again instanceof Error && /credentials\.json is missing/.test(again.message));
});

test('up --sink webhook:URL: every incident reaches the receiver once; health lists the sink', async (t) => {
  const { WebhookReceiver } = await import('../../connector/test/sinks/receiver.ts');
  const receiver = new WebhookReceiver(undefined);
  await receiver.start();
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-up-sink-'));
  const got = new Promise<void>((resolve) => {
    receiver.answer = () => {
      setImmediate(() => receiver.stored.size >= 3 && resolve());
      return undefined;
    };
  });
  const up = await startUp(options(dir, { sink: [`webhook:${receiver.url}`] }), {
    logger: silent,
    print: () => {},
  });
  t.after(async () => {
    await up.close();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.ok(upBanner(up, dir).some((l) => l.startsWith('Sinks') && l.includes('webhook-')));
  const siemAccount = up.siem.credentials.accounts.find((a) => a.type === 'SIEM')!;
  const eventDate = Date.now() - 10 * 60_000;
  insertSecurityEvents(
    up.siem.ctx.store,
    Array.from({ length: 3 }, () => ({
      accountId: siemAccount.accountId,
      configId: 1,
      ruleId: 1,
      name: 'Up sink rule',
      eventDate,
      windowStart: eventDate,
      severity: 'HIGH' as const,
      groupBy: null,
    })),
    Date.now(),
  );
  await got;
  assert.equal(receiver.stored.size, 3);
  assert.equal(receiver.duplicates, 0);
  const headers = await apiHeaders(up);
  const health = (await (await fetch(`${up.connector.url}/api/health`, { headers })).json()) as {
    sinks: { sink: string; configured: boolean }[];
  };
  assert.equal(health.sinks.length, 1);
  assert.match(health.sinks[0]!.sink, /^webhook-[0-9a-f]{8}$/);
  assert.equal(health.sinks[0]!.configured, true);
  // Status back: closing the outbox settles what is in flight and its timeline entries.
  await up.connector.outbox.close();
  for (const key of receiver.stored.keys()) {
    const id = key.replace(/\/v\d+$/, ''); // Idempotency-Key: <incident id>/v<version>
    const delivered = (await up.connector.store.timeline(id)).filter((e) => e.kind === 'delivered');
    assert.equal(delivered.length, 1, `timeline of ${id}`);
    assert.equal(delivered[0]!.actor.name, `sink:${health.sinks[0]!.sink}`);
  }
});
