import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { createDemoGenerator } from '../../src/demo/generator.ts';
import { createRng } from '../../src/demo/rng.ts';
import { createSqliteLogsWriter } from '../../src/modules/logs/repository.ts';
import { createRulesService } from '../../src/modules/rules/service.ts';
import { DEFAULT_RULE_PACK } from '../../src/rules/default-pack.ts';
import { installDefaultRulePack, replayRecentHistory } from '../../src/rules/engine.ts';
import { evaluateDueRules } from '../../src/rules/scheduler.ts';
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

test('installing the pack over demo history replays the last 30 minutes: past eventDates, stored now', async (t) => {
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
  assert.ok(stored > 0, 'the history holds attack scenarios');
  const rows = s.ctx.store.db.prepare('SELECT event_date, stored_at, rule_id FROM security_events').all() as {
    event_date: number;
    stored_at: number;
    rule_id: number;
  }[];
  assert.equal(rows.length, stored);
  for (const r of rows) {
    assert.ok(r.event_date > clock.now() - 30 * MIN && r.event_date < clock.now());
    assert.equal(r.stored_at, clock.now(), 'storage time is the commit time, never in the past');
  }
  assert.ok(new Set(rows.map((r) => r.rule_id)).size >= 3, 'several rules trigger on the history');
});
