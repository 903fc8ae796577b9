import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { bootstrapAccounts } from '../../../../src/bootstrap.ts';
import { FakeClock } from '../../../../src/clock.ts';
import { loadSiemConfig } from '../../../../src/config.ts';
import { createRulesService } from '../../../../src/modules/rules/service.ts';
import { evaluateDueRules } from '../../../../src/modules/rules/engine/scheduler.ts';
import { createSiemContext } from '../../../../src/server.ts';
import { buildTestSiem } from '../../../helpers.ts';
import { insertLogs, ruleRequest } from '../fixtures.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MIN = 60_000;

test('rules run on their schedule: every minute without one, on the cron with one; disabled never', async (t) => {
  const clock = new FakeClock(T0 + 10_000);
  const s = await buildTestSiem({ clock });
  t.after(() => s.close());
  const account = s.ctx.accounts.get(s.siemAccountId)!;
  const service = createRulesService(s.ctx);
  const tiers = { severityThresholdTiers: { LOW: 1 } };
  const everyMinute = service.create(account, ruleRequest({ title: 'every minute' }, {}, tiers));
  const every5 = service.create(
    account,
    ruleRequest({ title: 'every 5', schedule: { cronExpression: '0 */5 * * * ?' } }, {}, tiers),
  );
  service.create(account, ruleRequest({ title: 'off', enabled: false }, {}, tiers));
  insertLogs(s.ctx, s.logsAccountId, [{ ts: T0, outcome: 'failure', user: 'root' }]);
  const ran = (now: number) => evaluateDueRules(s.ctx, now).map((r) => r.ruleId);
  assert.deepEqual(ran(T0 + 30_000), []);
  assert.deepEqual(ran(T0 + MIN), [everyMinute.id]);
  assert.deepEqual(ran(T0 + MIN), [], 'not twice for one slot');
  assert.deepEqual(ran(T0 + 2 * MIN), [everyMinute.id]);
  assert.deepEqual(ran(T0 + 5 * MIN + 500).sort(), [everyMinute.id, every5.id].sort());
  // A long pause does not replay missed slots: one run, then the next slot.
  assert.deepEqual(ran(T0 + 60 * MIN).sort(), [everyMinute.id, every5.id].sort());
  assert.deepEqual(ran(T0 + 60 * MIN + 30_000), []);
  // Disabling stops it; enabling reschedules from now.
  service.setEnabled(account, everyMinute.id, false);
  assert.deepEqual(ran(T0 + 62 * MIN), []);
  clock.set(T0 + 62 * MIN);
  service.setEnabled(account, everyMinute.id, true);
  assert.deepEqual(ran(T0 + 63 * MIN), [everyMinute.id]);
});

test('a rule that fails to evaluate is logged and rescheduled; the others still run', async (t) => {
  const s = await buildTestSiem({ clock: new FakeClock(T0) });
  t.after(() => s.close());
  const account = s.ctx.accounts.get(s.siemAccountId)!;
  const service = createRulesService(s.ctx);
  const broken = service.create(account, ruleRequest({ title: 'broken' }));
  const fine = service.create(
    account,
    ruleRequest({ title: 'fine' }, {}, { severityThresholdTiers: { LOW: 1 } }),
  );
  // Corrupt the stored query behind the API's back.
  const def = service.rules.get(broken.id)!.definition;
  def.subComponents[0]!.queryDefinition.query = 'a:(';
  s.ctx.store.db
    .prepare('UPDATE security_rules SET definition = ? WHERE id = ?')
    .run(JSON.stringify(def), broken.id);
  insertLogs(s.ctx, s.logsAccountId, [{ ts: T0, outcome: 'failure', user: 'root' }]);
  const results = evaluateDueRules(s.ctx, T0 + MIN);
  assert.deepEqual(
    results.map((r) => r.ruleId),
    [fine.id],
  );
  assert.equal(service.rules.get(broken.id)!.nextRunAt, T0 + 2 * MIN);
});

test('suppression state survives a restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'siemlink-rules-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const open = () => {
    const ctx = createSiemContext(loadSiemConfig({ dataDir, rulesEngine: false }), {
      clock: new FakeClock(T0),
      logger: pino({ level: 'silent' }),
    });
    bootstrapAccounts(ctx);
    return ctx;
  };
  const ctx1 = open();
  const siem = ctx1.accounts.list({ type: 'SIEM' })[0]!;
  const logs = ctx1.accounts.list({ type: 'LOGS' })[0]!;
  const service1 = createRulesService(ctx1);
  service1.create(
    siem,
    ruleRequest({ output: { suppressNotificationsMinutes: 30 } }, {}, { severityThresholdTiers: { LOW: 1 } }),
  );
  insertLogs(ctx1, logs.id, [{ ts: T0, outcome: 'failure', user: 'root' }]);
  assert.equal(evaluateDueRules(ctx1, T0 + MIN)[0]!.events.length, 1);
  ctx1.store.close();

  const ctx2 = open();
  t.after(() => ctx2.store.close());
  const again = evaluateDueRules(ctx2, T0 + 2 * MIN);
  assert.equal(again.length, 1, 'the schedule survived too');
  assert.equal(again[0]!.events.length, 0);
  assert.equal(again[0]!.suppressed, 1);
  const count = ctx2.store.db.prepare('SELECT count(*) AS n FROM security_events').get() as { n: number };
  assert.equal(count.n, 1);
});

test('a store that refuses the evaluation’s write keeps the rule’s window: the next run is not advanced', async (t) => {
  const { SiemError } = await import('../../../../src/errors.ts');
  const s = await buildTestSiem({ clock: new FakeClock(T0) });
  t.after(() => s.close());
  const account = s.ctx.accounts.get(s.siemAccountId)!;
  const service = createRulesService(s.ctx);
  const rule = service.create(
    account,
    ruleRequest({ title: 'kept window' }, {}, { severityThresholdTiers: { LOW: 1 } }),
  );
  insertLogs(s.ctx, s.logsAccountId, [{ ts: T0 + 30_000, outcome: 'failure', user: 'root' }]);
  const tx = s.ctx.store.tx.bind(s.ctx.store);
  s.ctx.store.tx = () => {
    throw new SiemError({ code: 'STORAGE_FULL', status: 507, message: 'the SIEM’s disk is full (injected)' });
  };
  assert.throws(() => evaluateDueRules(s.ctx, T0 + MIN), { code: 'STORAGE_FULL' });
  assert.equal(service.rules.get(rule.id)!.nextRunAt, T0 + MIN, 'still due for the same window');
  assert.equal(service.rules.get(rule.id)!.lastRunAt, null);

  s.ctx.store.tx = tx;
  const results = evaluateDueRules(s.ctx, T0 + MIN + 5_000);
  assert.deepEqual(
    results.map((r) => [r.ruleId, r.events.length]),
    [[rule.id, 1]],
    'the window with the log is evaluated once the store takes writes again',
  );
  assert.equal(service.rules.get(rule.id)!.nextRunAt, T0 + 2 * MIN);
});
