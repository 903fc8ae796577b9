import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteIncidentStore } from '@siemlink/connector/store/sqlite.ts';
// Tests only: seed security events straight into the SIEM's store (the connector never does).
import { insertSecurityEvents } from '../../siem/test/fixtures/security-events.ts';
import { runCli, startCliSiem, type CliSiem } from './helpers.ts';

const MIN = 60_000;
let cli: CliSiem;

function insertEvents(eventDates: number[], now: number): string[] {
  const ids = eventDates.map(() => randomUUID());
  insertSecurityEvents(
    cli.siem.ctx.store,
    ids.map((alertEventId, i) => ({
      alertEventId,
      accountId: cli.securityAccountId,
      configId: cli.configId,
      ruleId: 1,
      name: 'Backfill rule',
      eventDate: eventDates[i]!,
      groupBy: null,
    })),
    now,
  );
  return ids;
}

before(async () => {
  cli = await startCliSiem('siemlink-cli-backfill-');
});

after(() => cli?.close());

const run = (args: string[]) => runCli(args, cli.env);

const dbPath = () => join(cli.dir, 'connector', 'connector.db');
function cursorRows(): string {
  const db = new DatabaseSync(dbPath(), { readOnly: true });
  try {
    return JSON.stringify(db.prepare('SELECT * FROM cursors ORDER BY source').all());
  } finally {
    db.close();
  }
}

test('backfill against the real SIEM: ingests what the live cursor passed, no duplicates, cursor untouched; gaps; bad flags', async () => {
  const now = Date.now();
  const recent = insertEvents([now - 10 * MIN, now - 10 * MIN + 1, now - 10 * MIN + 2], now);
  const live = await run(['fetch-incidents', '--once', '--first-fetch', '1 hour']);
  assert.equal(live.code, 0, live.stderr);
  assert.equal(live.stdout.trim().split('\n').length, 3);
  // Late-indexed events two hours behind the live cursor: the live loop never sees them.
  const late = insertEvents([now - 120 * MIN, now - 119 * MIN], now);
  const before = cursorRows();
  assert.match(before, /"source":"search"/);

  const r = await run(['backfill', '--from', '3 hours ago']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.scanned, out.inserted, out.alreadyPresent], [5, 2, 3]);
  assert.equal(out.gapId, null);
  assert.equal(cursorRows(), before, 'the live cursor must not move');

  const store = openSqliteIncidentStore({ path: dbPath() });
  try {
    const all = await store.listIncidents({ page: 1, pageSize: 100 });
    assert.deepEqual(all.results.map((i) => i.alertEventId).sort(), [...recent, ...late].sort());
    assert.equal((await store.lastRun({ source: 'backfill' }))!.count, 2);

    // A recorded feed gap: backfilled through events/search, widened by the margin, then marked.
    await store.commitRun({
      source: 'feed:x',
      incidents: [],
      cursorBefore: null,
      cursorAfter: null,
      run: {
        source: 'feed:x',
        startedAt: now,
        endedAt: now,
        count: 0,
        cursorBefore: null,
        cursorAfter: null,
        error: null,
        lagMs: 0,
        full: false,
      },
      gaps: [
        { source: 'feed:x', from: now - 125 * MIN, to: now - 121 * MIN, reason: 'offset expired (416)' },
      ],
      now,
    });
    const [gap] = await store.listGaps();
    const g = await run(['backfill', '--gap', String(gap!.id), '--margin-minutes', '5']);
    assert.equal(g.code, 0, g.stderr);
    const go = JSON.parse(g.stdout);
    assert.deepEqual([go.gapId, go.scanned, go.inserted], [gap!.id, 2, 0]);
    assert.equal(go.window.from, new Date(now - 130 * MIN).toISOString());
    assert.match(g.stderr, /note: feed gap: .*widened by 5 min/);
    assert.notEqual((await store.getGap(gap!.id))!.backfilledAt, null);
    assert.equal(cursorRows(), before);
  } finally {
    await store.close();
  }

  const backwards = await run(['backfill', '--from', '1 hour ago', '--to', '2 hours ago']);
  assert.equal(backwards.code, 1);
  assert.match(backwards.stderr, /siemlink: \[INVALID_ARGUMENT\] --from: .* is not before --to/);
  const future = await run(['backfill', '--from', '1 hour ago', '--to', '2099-01-01']);
  assert.equal(future.code, 1);
  assert.match(future.stderr, /\[INVALID_ARGUMENT\] --to: .* is in the future/);
  const unknown = await run(['backfill', '--gap', '999']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /\[UNKNOWN_GAP\] --gap: no recorded gap with id 999/);
  const notId = await run(['backfill', '--gap', 'last']);
  assert.notEqual(notId.code, 0);
  assert.match(notId.stderr, /--gap must be a gap id/);
  const none = await run(['backfill']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /--from: is required \(or --gap ID\)/);
  const badSev = await run(['backfill', '--from', '1 hour ago', '--severities', 'CRITICAL']);
  assert.equal(badSev.code, 1);
  assert.match(badSev.stderr, /--severities.*"CRITICAL" is not one of/);
  assert.equal(cursorRows(), before);
});
