import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { createDemoGenerator } from '../../src/demo/generator.ts';
import { createRng } from '../../src/demo/rng.ts';
import { createSqliteLogsWriter } from '../../src/modules/logs/repository.ts';
import { createRulesService } from '../../src/modules/rules/service.ts';
import { DEFAULT_RULE_PACK } from '../../src/demo/default-pack.ts';
import {
  installDefaultRulePack,
  REPLAY_COMMIT_DELAY_MS,
  replayRecentHistory,
} from '../../src/demo/rule-pack.ts';
import { evaluateDueRules } from '../../src/modules/rules/engine/scheduler.ts';
import { buildTestSiem } from '../helpers.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MIN = 60_000;

/** Streams `minutes` of demo logs (20/s, as the demo) and runs the engine every minute. */
async function runDemo(withScenarios: boolean, minutes: number) {
  const clock = new FakeClock(T0);
  const s = await buildTestSiem({ clock });
  assert.equal(installDefaultRulePack(s.ctx), DEFAULT_RULE_PACK.length);
  const gen = createDemoGenerator({ rng: createRng(7), ...(withScenarios ? {} : { scenarios: [] }) });
  if (withScenarios) gen.kickoff(T0);
  const writer = createSqliteLogsWriter(s.ctx.store);
  const triggered = new Map<number, string[]>();
  for (let m = 0; m < minutes; m++) {
    for (let sec = 0; sec < 60; sec += 10) {
      const from = T0 + m * MIN + sec * 1000;
      const logs = gen.generate(from, from + 10_000, 20);
      writer.insert(
        s.logsAccountId,
        logs.map((l) => ({
          ts: l.ts,
          type: l.doc.type,
          doc: JSON.stringify({ ...l.doc, '@timestamp': new Date(l.ts).toISOString() }),
        })),
        from + 10_000,
      );
    }
    for (const r of evaluateDueRules(s.ctx, T0 + (m + 1) * MIN)) {
      const list = triggered.get(r.ruleId) ?? [];
      list.push(...r.events.map((e) => e.severity));
      triggered.set(r.ruleId, list);
    }
  }
  const account = s.ctx.accounts.get(s.siemAccountId)!;
  const rules = createRulesService(s.ctx).search(account, { pagination: { pageSize: 100 } }).results;
  await s.close();
  return rules.map((r) => ({ title: r.title, events: triggered.get(r.id) ?? [] }));
}

test('every rule of the default pack triggers on the demo data within 12 minutes', async () => {
  const results = await runDemo(true, 12);
  for (const r of results) assert.ok(r.events.length > 0, `${r.title} never triggered`);
});

test('the default pack stays quiet on the demo background (no attack scenarios)', async () => {
  const results = await runDemo(false, 12);
  for (const r of results) assert.deepEqual(r.events, [], `${r.title} triggered on background noise`);
});

/** A fresh SIEM holding an hour of demo logs (3/s) at T0 + 60 min, the default pack installed and replayed. */
async function replayedSiem(t: import('node:test').TestContext) {
  const clock = new FakeClock(T0 + 60 * MIN);
  const s = await buildTestSiem({ clock });
  t.after(() => s.close());
  const gen = createDemoGenerator({ rng: createRng(11) });
  const writer = createSqliteLogsWriter(s.ctx.store);
  const logs = gen.generate(T0, T0 + 60 * MIN, 3);
  writer.insert(
    s.logsAccountId,
    logs.map((l) => ({
      ts: l.ts,
      type: l.doc.type,
      doc: JSON.stringify({ ...l.doc, '@timestamp': new Date(l.ts).toISOString() }),
    })),
    clock.now(),
  );
  installDefaultRulePack(s.ctx);
  const stored = replayRecentHistory(s.ctx, 30);
  return { s, clock, stored };
}

test('installing the pack over demo history replays the last 30 minutes, each event stored seconds after its eventDate', async (t) => {
  const { s, clock, stored } = await replayedSiem(t);
  assert.ok(stored > 0, 'the history holds attack scenarios');
  const rows = s.ctx.store.db
    .prepare('SELECT seq, event_date, stored_at, rule_id FROM security_events ORDER BY seq')
    .all() as { seq: number; event_date: number; stored_at: number; rule_id: number }[];
  assert.equal(rows.length, stored);
  let last = -Infinity;
  for (const r of rows) {
    assert.ok(r.event_date > clock.now() - 30 * MIN && r.event_date < clock.now());
    assert.equal(r.stored_at, Math.min(r.event_date + REPLAY_COMMIT_DELAY_MS, clock.now()));
    assert.ok(r.stored_at >= last, `storage time goes back at seq ${r.seq}`);
    last = r.stored_at;
  }
  assert.ok(new Set(rows.map((r) => r.event_date)).size >= 5, 'events spread over the replayed minutes');
  assert.ok(new Set(rows.map((r) => r.rule_id)).size >= 3, 'several rules trigger on the history');
  // Live evaluations after the replay are stored at their commit time, after every replayed one.
  await clock.advance(MIN);
  evaluateDueRules(s.ctx, clock.now());
  const after = s.ctx.store.db
    .prepare('SELECT min(stored_at) AS m FROM security_events WHERE seq > ?')
    .get(rows.at(-1)!.seq) as { m: number | null };
  if (after.m !== null) assert.ok(after.m >= last);
});

test('a feed client paging in time mode by the newest httpMessage.start (XSOAR fetch-incidents) reaches the end of the replay without repeating a page', async (t) => {
  const { s, clock, stored } = await replayedSiem(t);
  await clock.advance(10_000); // every replayed event older than the feed's 5-second latency
  const configId = (
    s.ctx.store.db.prepare('SELECT DISTINCT config_id AS c FROM security_events').get() as { c: number }
  ).c;
  const perMinute = s.ctx.store.db
    .prepare('SELECT max(n) AS n FROM (SELECT count(*) AS n FROM security_events GROUP BY event_date)')
    .get() as { n: number };
  const limit = 50;
  assert.ok(perMinute.n < limit, `premise: one minute holds fewer events than a page (${perMinute.n})`);

  const seen = new Set<string>();
  let cursor = Math.floor(clock.now() / 1000) - 3600; // first fetch: "1 hour"
  let previous = '';
  let pages = 0;
  for (;;) {
    assert.ok(pages++ <= stored + 1, 'paging is bounded by the events');
    const res = await s.api.inject({
      method: 'GET',
      url: `/siem/v1/configs/${configId}?from=${cursor}&limit=${limit}`,
      headers: { 'x-api-token': s.siemToken },
    });
    assert.equal(res.statusCode, 200, res.body);
    if (res.body.includes('{ "total": 0')) break;
    const events = res.body
      .split('\n')
      .slice(0, -2)
      .map((l) => JSON.parse(l) as { alertEventId: string; httpMessage: { start: string } });
    const ids = events.map((e) => e.alertEventId).join(',');
    const fresh = events.filter((e) => !seen.has(e.alertEventId));
    if (fresh.length === 0) break; // the end: this page holds only what the client already has
    assert.notEqual(ids, previous, `page ${pages} repeats the page before it`);
    previous = ids;
    for (const e of fresh) seen.add(e.alertEventId);
    cursor = Math.max(...events.map((e) => Number.parseInt(e.httpMessage.start, 10)));
  }
  assert.equal(seen.size, stored, 'every replayed event was fetched');
  assert.ok(pages > 2, `several pages (${pages}, ${stored} events)`);
});
