import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteIncidentStore } from '@siemlink/connector/store/sqlite.ts';
import { connectorDbPath } from '@siemlink/connector/store/index.ts';
import { runCli } from './helpers.ts';

test('siemlink outbox list|replay|purge|pause|resume act on the store in --data-dir', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-cli-outbox-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = openSqliteIncidentStore({ path: connectorDbPath(dir), routes: [{ sink: 'hook' }] });
  const now = Date.UTC(2026, 0, 2);
  await store.insertIncidents(
    [1, 2].map((n) => ({
      id: `logzio:e${n}`,
      alertEventId: `e${n}`,
      name: 'r',
      occurred: new Date(now + n).toISOString(),
      severity: 3,
      fields: {},
      raw: {},
    })),
    now,
  );
  // One of them refused for good: a dead letter.
  const [row] = await store.outbox.claim({
    sink: 'hook',
    owner: 'o',
    limit: 1,
    leaseMs: 1000,
    now,
    ordered: true,
  });
  await store.outbox.settle(
    'o',
    [{ kind: 'dead', id: row!.id, sink: 'hook', error: 'HTTP 400', status: 400, body: 'no' }],
    now,
  );
  await store.close();
  const env = { PATH: process.env.PATH ?? '' };
  const cli = (...args: string[]) => runCli(['outbox', ...args, '--data-dir', dir], env);

  let r = await cli('list');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    (JSON.parse(r.stdout) as { state: string }[]).map((x) => x.state),
    ['dead', 'pending'],
  );
  r = await cli('list', '--state', 'dead');
  assert.equal((JSON.parse(r.stdout) as unknown[]).length, 1);
  r = await cli('replay', '--sink', 'hook');
  assert.deepEqual(JSON.parse(r.stdout), { replayed: 1 });
  r = await cli('purge');
  assert.deepEqual(JSON.parse(r.stdout), { purged: 0 });
  r = await cli('pause', '--sink', 'hook');
  assert.deepEqual(JSON.parse(r.stdout), { sink: 'hook', paused: true });
  r = await cli('resume', '--sink', 'hook');
  assert.deepEqual(JSON.parse(r.stdout), { sink: 'hook', paused: false });
  r = await cli('list', '--state', 'gone');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--state must be pending or dead/);
});
