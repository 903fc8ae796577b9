import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildApiApp } from '@siemlink/connector/api/app.ts';
import { systemClock } from '@siemlink/connector/context.ts';
import { openIncidentStore } from '@siemlink/connector/store/index.ts';
import { runCli } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 1);

/** A data dir with a connector store holding two incidents, and its API listening on port 0. */
async function setup(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-cases-cli-'));
  const store = await openIncidentStore({ dataDir: dir });
  const incident = (n: number, user: string) => ({
    id: `logzio:e${n}`,
    alertEventId: `e${n}`,
    name: 'Brute force login',
    occurred: new Date(T0 + n * 1000).toISOString(),
    severity: 3,
    fields: { alertId: 1, description: `failed logins for ${user}`, 'groupBy.user': user },
    raw: {},
  });
  await store.insertIncidents([incident(1, 'alice'), incident(2, 'bob')], T0);
  const app = await buildApiApp({
    store,
    logger: pino({ level: 'silent' }),
    clock: systemClock,
    fetching: false,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = { PATH: process.env.PATH!, HOME: dir, SIEMLINK_DATA_DIR: dir, SIEMLINK_CONNECTOR_URL: url };
  return { dir, env, url };
}

test('users add|list|reset|remove and api-keys create|list|revoke work on the store; bad input exits 1', async (t) => {
  const { env, url } = await setup(t);
  const add = await runCli(['users', 'add', 'ann', '--role', 'analyst'], env);
  assert.equal(add.code, 0, add.stderr);
  const added = JSON.parse(add.stdout) as { username: string; role: string; password: string };
  assert.equal(added.role, 'analyst');
  assert.ok(added.password.length >= 20);
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'ann', password: added.password }),
  });
  assert.equal(login.status, 200, 'the printed password logs in');
  const list = JSON.parse((await runCli(['users', 'list'], env)).stdout) as { username: string }[];
  assert.deepEqual(
    list.map((u) => u.username),
    ['ann'],
  );
  const reset = JSON.parse((await runCli(['users', 'reset', 'ann'], env)).stdout) as { password: string };
  assert.notEqual(reset.password, added.password);
  for (const [args, message] of [
    [['users', 'add', 'bad name', '--role', 'viewer'], /username/],
    [['users', 'add', 'x', '--role', 'root'], /--role must be one of viewer, analyst, admin/],
    [['users', 'add', 'ann', '--role', 'viewer'], /USER_EXISTS/],
    [['api-keys', 'create', '--name', 'k', '--role', 'god'], /--role/],
  ] as const) {
    const r = await runCli([...args], env);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
  const key = JSON.parse(
    (await runCli(['api-keys', 'create', '--name', 'soar', '--role', 'viewer'], env)).stdout,
  ) as {
    key: string;
    apiKey: { id: string };
  };
  const ok = await fetch(`${url}/api/incidents`, { headers: { authorization: `Bearer ${key.key}` } });
  assert.equal(ok.status, 200);
  const keys = JSON.parse((await runCli(['api-keys', 'list'], env)).stdout) as { id: string }[];
  assert.deepEqual(
    keys.map((k) => k.id),
    [key.apiKey.id],
  );
  assert.equal((await runCli(['api-keys', 'revoke', key.apiKey.id], env)).code, 0);
  const revoked = await fetch(`${url}/api/incidents`, { headers: { authorization: `Bearer ${key.key}` } });
  assert.equal(revoked.status, 401);
  // The last admin cannot be removed or demoted; with a second admin it may.
  assert.equal((await runCli(['users', 'add', 'root', '--role', 'admin'], env)).code, 0);
  for (const args of [
    ['users', 'remove', 'root'],
    ['users', 'role', 'root', '--role', 'analyst'],
  ]) {
    const r = await runCli(args, env);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, /LAST_ADMIN/, args.join(' '));
  }
  const promoted = await runCli(['users', 'role', 'ann', '--role', 'admin'], env);
  assert.equal(promoted.code, 0, promoted.stderr);
  assert.equal((JSON.parse(promoted.stdout) as { role: string }).role, 'admin');
  assert.equal((await runCli(['users', 'remove', 'root'], env)).code, 0);
  const bad = await runCli(['users', 'role', 'ann', '--role', 'root'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--role must be one of/);
});

test('incidents list|show|update|note|close through the API with an API key; errors name the rule', async (t) => {
  const { env } = await setup(t);
  const key = JSON.parse(
    (await runCli(['api-keys', 'create', '--name', 'cli', '--role', 'analyst'], env)).stdout,
  ) as {
    key: string;
  };
  const e = { ...env, SIEMLINK_API_KEY: key.key };
  const noKey = await runCli(['incidents', 'list'], env);
  assert.equal(noKey.code, 1);
  assert.match(noKey.stderr, /API key/);
  const page = JSON.parse((await runCli(['incidents', 'list', '-q', 'alice'], e)).stdout) as {
    total: number;
    results: { id: string }[];
  };
  assert.equal(page.total, 1);
  assert.equal(page.results[0]!.id, 'logzio:e1');
  const up = await runCli(
    ['incidents', 'update', 'logzio:e1', '--owner', 'cli', '--severity', 'SEVERE', '--tags', 'vip'],
    e,
  );
  assert.equal(up.code, 0, up.stderr);
  assert.equal(JSON.parse(up.stdout).severity, 4);
  assert.equal((await runCli(['incidents', 'note', 'logzio:e1', 'called', 'the', 'user'], e)).code, 0);
  const badReason = await runCli(['incidents', 'close', 'logzio:e1', '--reason', 'fixed'], e);
  assert.equal(badReason.code, 1);
  assert.match(badReason.stderr, /VALIDATION_FAILED.*closeReason/);
  const closed = await runCli(
    ['incidents', 'close', 'logzio:e1', '--reason', 'false_positive', '--notes', 'test user'],
    e,
  );
  assert.equal(JSON.parse(closed.stdout).closeReason, 'false_positive');
  const show = JSON.parse((await runCli(['incidents', 'show', 'logzio:e1'], e)).stdout) as {
    notes: { body: string; author: string }[];
    timeline: { kind: string; actor: { name: string } }[];
  };
  assert.deepEqual(
    show.notes.map((n) => [n.author, n.body]),
    [['cli', 'called the user']],
  );
  assert.deepEqual(
    show.timeline.map((x) => x.kind),
    ['created', 'owner_changed', 'severity_changed', 'tags_changed', 'note_added', 'closed'],
  );
  assert.ok(show.timeline.slice(1).every((x) => x.actor.name === 'cli'));
  const emptyOwner = await runCli(['incidents', 'update', 'logzio:e1', '--owner', ''], e);
  assert.equal(emptyOwner.code, 1);
  assert.match(emptyOwner.stderr, /--owner must name a user; use --unassign/);
  const missing = await runCli(['incidents', 'show', 'nope'], e);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /INCIDENT_NOT_FOUND/);
});
