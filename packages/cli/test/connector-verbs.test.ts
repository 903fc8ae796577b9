import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
// Tests only: seed security events straight into the SIEM's store (the connector never does).
import { insertSecurityEvents } from '../../siem/test/fixtures/security-events.ts';
import { BIN, runCli, startCliSiem, type CliSiem } from './helpers.ts';

let cli: CliSiem;
let configId: number;
const ids: string[] = [];

/** `storedAt` defaults to `now`; the feed serves an event once it was stored 5 s ago (FEED_LATENCY_SECONDS). */
function insertEvents(alertEventIds: string[], now: number, storedAt = now) {
  insertSecurityEvents(
    cli.siem.ctx.store,
    alertEventIds.map((alertEventId, i) => ({
      alertEventId,
      accountId: cli.securityAccountId,
      configId,
      ruleId: 1,
      name: `CLI rule ${i}`,
      eventDate: now - 10 * 60_000 + i,
      windowStart: now - 20 * 60_000,
      windowEnd: now - 10 * 60_000,
      groupBy: null,
    })),
    storedAt,
  );
}

before(async () => {
  cli = await startCliSiem('siemlink-cli-');
  configId = cli.configId;
  const now = Date.now();
  for (let i = 0; i < 3; i++) ids.push(randomUUID());
  // Stored a minute ago: the feed holds back what was stored in the last 5 s, and on an idle
  // machine the security-events test runs sooner than that after this.
  insertEvents(ids, now, now - 60_000);
  const stamp = new Date(now).toISOString();
  const body = ['alpha one', 'alpha two', 'beta']
    .map((m) => JSON.stringify({ message: m, '@timestamp': stamp }))
    .join('\n');
  const res = await fetch(`${cli.siem.ctx.urls.listener}/?token=${cli.shippingToken}&type=cli`, {
    method: 'POST',
    body,
  });
  assert.ok(res.ok, `ship logs: ${res.status}`);
});

after(() => cli?.close());

const run = (args: string[], extraEnv: Record<string, string | undefined> = {}) =>
  runCli(args, cli.env, extraEnv);

test('test: both tokens OK; a bad token fails with exit 1 and is not echoed; a missing one is "not set"', async () => {
  const ok = await run(['test']);
  assert.equal(ok.code, 0, ok.stderr);
  const r = JSON.parse(ok.stdout);
  assert.equal(r.ok, true);
  assert.deepEqual(
    r.checks.map((c: { status: string }) => c.status),
    ['ok', 'ok'],
  );
  assert.match(r.checks[0].detail, /^OK \(account siemlink-security \d+\)$/);

  const bad = await run(['test', '--operations-token', 'wrong-token-abcdef']);
  assert.equal(bad.code, 1);
  const b = JSON.parse(bad.stdout);
  assert.equal(b.checks[1].status, 'failed');
  assert.match(b.checks[1].detail, /^401/);
  assert.ok(!bad.stdout.includes('wrong-token-abcdef') && !bad.stderr.includes('wrong-token-abcdef'));

  const only = await run(['test'], { SIEMLINK_OPERATIONS_TOKEN: undefined });
  assert.equal(only.code, 0, only.stderr);
  assert.equal(JSON.parse(only.stdout).checks[1].detail, 'not set');
});

test('search-logs: Lucene query over shipped logs, JSON when piped; bad flags name the flag', async () => {
  const r = await run([
    'search-logs',
    '--query',
    'message:alpha',
    '--from-time',
    '1 hour ago',
    '--size',
    '10',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.hits.map((h: { message: string }) => h.message).sort(), ['alpha one', 'alpha two']);
  const one = await run([
    'search-logs',
    '--query',
    'message:alpha',
    '--from-time',
    '3 days ago',
    '--size',
    '1',
  ]);
  assert.equal(JSON.parse(one.stdout).hits.length, 1);

  const badTime = await run(['search-logs', '--from-time', 'soonish']);
  assert.equal(badTime.code, 1);
  assert.match(badTime.stderr, /siemlink: \[INVALID_ARGUMENT\] --from-time: "soonish" is not a time/);
  const badSize = await run(['search-logs', '--size', 'many']);
  assert.match(badSize.stderr, /--size/);
  const noToken = await run(['search-logs'], { SIEMLINK_OPERATIONS_TOKEN: undefined });
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /\[MISSING_TOKEN\].*--operations-token/);
});

test('get-logs-by-event-id: unknown id gives no logs; bad size names --size', async () => {
  const r = await run(['get-logs-by-event-id', '--id', ids[0]!, '--size', '5', '--page-size', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { alertEventId: ids[0], logs: [] });
  const bad = await run(['get-logs-by-event-id', '--id', 'x', '--size', '0']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--size/);
  const missing = await run(['get-logs-by-event-id']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /--id/);
});

test('create-siem-account: creates the account and prints its token', async () => {
  const r = await run([
    'create-siem-account',
    '--name',
    'cli soc',
    '--email',
    'soc@example.com',
    '--accounts-to-scan',
    '100001',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.account.accountName, 'cli soc');
  assert.ok(out.apiToken);
  const bad = await run(['create-siem-account', '--name', 'a:b', '--email', 'soc@example.com']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--name/);
});

test('security-events: NDJSON events then the context line; then resume from the offset', async () => {
  const r = await run(['security-events', '--config-ids', String(configId), '--from', '1 hour ago']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const ctx = lines.at(-1);
  assert.equal(typeof ctx.offset, 'string');
  assert.deepEqual(
    lines
      .slice(0, -1)
      .map((e: { alertEventId: string }) => e.alertEventId)
      .sort(),
    [...ids].sort(),
  );
  const again = await run(['security-events', '--config-ids', String(configId), '--offset', ctx.offset]);
  assert.equal(again.code, 0, again.stderr);
  const l2 = again.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(l2.length, 1);
  assert.equal(l2[0].total, 0);
  const bad = await run(['security-events', '--config-ids', '1', '--offset', 'x', '--from', 'now']);
  assert.match(bad.stderr, /--offset/);
});

test('fetch-incidents --once: prints the new incidents as NDJSON, none the second time', async () => {
  const r = await run(['fetch-incidents', '--once', '--first-fetch', '1 hour']);
  assert.equal(r.code, 0, r.stderr);
  const got = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(got.map((i: { alertEventId: string }) => i.alertEventId).sort(), [...ids].sort());
  const second = await run(['fetch-incidents', '--once', '--first-fetch', '1 hour']);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout.trim(), '');
  const bad = await run(['fetch-incidents', '--once', '--first-fetch', 'yesterday']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /firstFetch/);
});

test('fetch-incidents with fetching disabled says so and exits, without claiming to fetch', async () => {
  const r = await run(['fetch-incidents'], { SIEMLINK_FETCH_ENABLED: 'false' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /incident fetching is disabled/);
  assert.doesNotMatch(r.stderr, /fetching every/);
});

test('security-events: a bad poll interval names the flag the user typed', async () => {
  const r = await run(['security-events', '--config-ids', '1', '--follow', '--interval-seconds', '0']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[INVALID_ARGUMENT\] --interval-seconds: /);
});

test('an unknown region is a clear config error listing the codes', async () => {
  const r = await run(['test', '--region', 'mars'], { SIEMLINK_API_URL: undefined });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /\[UNKNOWN_REGION\] --region: unknown region "mars"; valid codes: us, au, ca, eu, nl, uk, wa/,
  );
});

test('security-events --follow tails new events with the returned offset until interrupted', async () => {
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      BIN,
      'security-events',
      '--config-ids',
      String(configId),
      '--from',
      '1 hour ago',
      '--follow',
      '--interval-seconds',
      '1',
    ],
    { env: cli.env },
  );
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const late = [randomUUID(), randomUUID()];
  const seen: string[] = [];
  let contexts = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    const item = JSON.parse(line);
    if (item.alertEventId) seen.push(item.alertEventId);
    else if (++contexts === 1) insertEvents(late, Date.now());
    if (late.every((id) => seen.includes(id))) break;
  }
  child.kill('SIGINT');
  assert.equal(await exited, 0);
  assert.deepEqual(seen.sort(), [...ids, ...late].sort());
});
