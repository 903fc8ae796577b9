import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startUp, formatRun, upBanner, type UpOptions } from '../src/commands/up.ts';
// Tests only: put security events straight into the SIEM's store.
import { insertSecurityEvents } from '../../siem/test/fixtures/security-events.ts';

const silent = pino({ level: 'silent' });

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
  const lines: string[] = [];
  const up = await startUp(options(dir), { logger: silent, print: (l) => lines.push(l) });
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
  const deadline = Date.now() + 20_000;
  while (!lines.some((l) => /\b3 new incident/.test(l)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(
    lines.some((l) => /\b3 new incident\(s\)\s+cursor \d{4}-\d\d-\d\dT.*\(\+3 id\)\s+lag \d+ s/.test(l)),
    lines.join('\n'),
  );
  const list = (await (await fetch(`${up.connector.url}/api/incidents`)).json()) as { total: number };
  assert.equal(list.total, 3);
  const health = (await (await fetch(`${up.connector.url}/api/health`)).json()) as { fetching: boolean };
  assert.equal(health.fetching, true);
  // The token is never printed.
  assert.ok(!lines.join('\n').includes(siemAccount.apiToken));
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
  const lines: string[] = [];
  const up = await startUp(options(dir, { demo: true, intervalSeconds: undefined }), {
    logger: silent,
    print: (l) => lines.push(l),
  });
  t.after(async () => {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.equal(up.connector.options.bufferMinutes, 3);
  assert.equal(up.connector.options.intervalSeconds, 60);
  const deadline = Date.now() + 60_000;
  let total = 0;
  while (total === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    total = ((await (await fetch(`${up.connector.url}/api/incidents`)).json()) as { total: number }).total;
  }
  assert.ok(total > 0, `no incident within a minute:\n${lines.join('\n')}`);
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
  const health = (await (await fetch(`${up.connector.url}/api/health`)).json()) as {
    sinks: { sink: string; configured: boolean }[];
  };
  assert.equal(health.sinks.length, 1);
  assert.match(health.sinks[0]!.sink, /^webhook-[0-9a-f]{8}$/);
  assert.equal(health.sinks[0]!.configured, true);
});
