import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../src/clock.ts';
import { createRulesService } from '../../../../src/modules/rules/service.ts';
import { runRuleEngine } from '../../../../src/modules/rules/rule-engine.ts';
import { dueRules, runScheduledRule } from '../../../../src/modules/rules/engine/scheduler.ts';
import { buildTestSiem, type TestSiem } from '../../../helpers.ts';
import { insertLogs, ruleRequest } from '../fixtures.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A fake clock that moves `step` ms each time it is read: a slow evaluation, deterministically. */
class TickingClock extends FakeClock {
  step = 0;
  override now(): number {
    const t = super.now();
    if (this.step > 0) this.set(t + this.step);
    return t;
  }
}

async function setup(t: { after: (fn: () => unknown) => void }, clock: FakeClock) {
  const s = await buildTestSiem({
    clock,
    config: { ruleEngine: { evaluationBudgetMs: 500, maxFailures: 3 } },
  });
  t.after(() => s.close());
  const account = s.ctx.accounts.get(s.siemAccountId)!;
  const service = createRulesService(s.ctx);
  const created = service.create(account, ruleRequest({ title: 'heavy rule' }));
  insertLogs(
    s.ctx,
    s.logsAccountId,
    Array.from({ length: 40 }, (_, i) => ({ ts: T0 - 60_000 + i, outcome: 'failure', user: `u${i % 3}` })),
  );
  const stored = () => s.ctx.repos.rules.get(created.id)!;
  const api = async () =>
    (
      await s.api.inject({
        method: 'GET',
        url: `/v2/security/rules/${created.id}`,
        headers: { 'x-api-token': s.siemToken },
      })
    ).json();
  return { s, account, service, id: created.id, stored, api };
}

function eventCount(s: TestSiem): number {
  return (s.ctx.store.db.prepare('SELECT count(*) AS n FROM security_events').get() as { n: number }).n;
}

test('a rule over its time budget is rolled back, counted, and disabled after repeated overruns', async (t) => {
  const clock = new TickingClock(T0);
  const { s, account, service, id, stored, api } = await setup(t, clock);
  assert.equal((await api()).engineStatus.state, 'OK');

  clock.step = 100; // every row read costs 100 ms: the 500 ms budget runs out after a few rows
  assert.equal(runScheduledRule(s.ctx, stored(), T0), null);
  assert.equal(eventCount(s), 0, 'nothing of the stopped evaluation is stored');
  assert.equal(stored().engine.failures, 1);
  assert.equal(stored().enabled, true);
  assert.match(stored().engine.lastFailure!, /time budget of 500 ms.*1 of 3/);
  assert.equal(stored().engine.evalStartedAt, null);

  clock.step = 0; // a fast run ends the streak
  assert.ok(runScheduledRule(s.ctx, stored(), T0 + 60_000));
  assert.equal(stored().engine.failures, 0);

  clock.step = 100;
  for (let i = 2; i <= 4; i++) assert.equal(runScheduledRule(s.ctx, stored(), T0 + i * 60_000), null);
  clock.step = 0;
  const rule = stored();
  assert.equal(rule.enabled, false);
  assert.equal(rule.engine.failures, 3);
  assert.match(rule.engine.disabledReason!, /disabled by the rule engine after 3 failed evaluations/);
  assert.ok(!dueRules(s.ctx, T0 + 3_600_000).some((r) => r.id === id), 'no longer scheduled');

  const shown = await api();
  assert.equal(shown.enabled, false);
  assert.equal(shown.engineStatus.state, 'DISABLED');
  assert.match(shown.engineStatus.disabledReason, /time budget of 500 ms/);
  assert.equal(shown.engineStatus.consecutiveFailures, 3);

  // Turning it back on is the user's call, and clears the record.
  service.setEnabled(account, id, true);
  const again = await api();
  assert.equal(again.engineStatus.state, 'OK');
  assert.equal(again.engineStatus.consecutiveFailures, 0);
  assert.equal(again.engineStatus.disabledReason, undefined);
});

test('a rule whose evaluation never finished is quarantined at the next start, not run first', async (t) => {
  const clock = new FakeClock(T0);
  const { s, stored, api, id } = await setup(t, clock);
  const quarantineMs = s.ctx.config.ruleEngine.quarantineMs;
  for (let start = 1; start <= 3; start++) {
    // What a process that froze or was killed mid-evaluation leaves behind.
    s.ctx.repos.rules.markStarted(id, clock.now());
    const stop = new AbortController();
    let ready = false;
    const loop = runRuleEngine(s.ctx, stop.signal, () => (ready = true));
    await clock.advance(0);
    assert.ok(ready);
    const rule = stored();
    assert.equal(rule.engine.evalStartedAt, null);
    assert.equal(rule.engine.failures, start);
    assert.equal(rule.lastRunAt, null, 'not evaluated at start');
    if (start < 3) {
      assert.equal(rule.enabled, true);
      assert.equal(rule.engine.quarantinedUntil, clock.now() + quarantineMs);
      assert.ok(rule.nextRunAt >= clock.now() + quarantineMs);
      assert.ok(!dueRules(s.ctx, clock.now()).some((r) => r.id === id));
      const shown = await api();
      assert.equal(shown.engineStatus.state, 'QUARANTINED');
      assert.match(shown.engineStatus.lastFailure, /engine stopped during its evaluation/);
    } else {
      assert.equal(rule.enabled, false);
      assert.equal((await api()).engineStatus.state, 'DISABLED');
    }
    stop.abort();
    await loop;
  }
});

test('after quarantine a rule that runs fine is back to OK', async (t) => {
  const clock = new FakeClock(T0);
  const { s, stored, api, id } = await setup(t, clock);
  s.ctx.repos.rules.markStarted(id, clock.now());
  const stop = new AbortController();
  const loop = runRuleEngine(s.ctx, stop.signal);
  t.after(async () => {
    stop.abort();
    await loop;
  });
  await clock.advance(0);
  assert.equal((await api()).engineStatus.state, 'QUARANTINED');
  const until = stored().nextRunAt;
  while (clock.now() <= until) await clock.advance(60_000);
  assert.ok(stored().lastRunAt !== null, 'evaluated after the quarantine');
  const shown = await api();
  assert.equal(shown.engineStatus.state, 'OK');
  assert.equal(shown.engineStatus.consecutiveFailures, 0);
});

test('the hostile wildcard saved as a rule evaluates in bounded work over long user agents', async (t) => {
  const clock = new FakeClock(T0);
  const s = await buildTestSiem({ clock });
  t.after(() => s.close());
  const account = s.ctx.accounts.get(s.siemAccountId)!;
  const rule = createRulesService(s.ctx).create(
    account,
    ruleRequest(
      { title: 'hostile wildcard' },
      { query: 'user_agent:M*?*?*?*?*?*?*?*?*z', groupBy: [] },
      { operator: 'GREATER_THAN', severityThresholdTiers: { LOW: 0 } },
    ),
  );
  insertLogs(s.ctx, s.logsAccountId, [
    { ts: T0 - 1000, user_agent: `Mozilla/5.0 ${'x'.repeat(20_000)}` },
    { ts: T0 - 900, user_agent: `Mozilla/5.0 ${'x'.repeat(20_000)} fuzz` },
  ]);
  const r = runScheduledRule(s.ctx, s.ctx.repos.rules.get(rule.id)!, T0);
  assert.equal(r?.hits, 1, 'only the value ending in z matches');
  assert.equal(r?.events.length, 1);
});
