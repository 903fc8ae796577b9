import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.ts';
import { createRulesService } from '../../../src/modules/rules/service.ts';
import { DEFAULT_RULE_PACK } from '../../../src/demo/default-pack.ts';
import { installDefaultRulePack } from '../../../src/demo/rule-pack.ts';
import { runRuleEngine } from '../../../src/modules/rules/rule-engine.ts';
import { buildTestSiem } from '../../helpers.ts';
import { insertLogs, ruleRequest } from './fixtures.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

test('the engine loop evaluates due rules and commits late events as the clock moves', async (t) => {
  const clock = new FakeClock(T0);
  const s = await buildTestSiem({ clock, config: { demo: true, faultInjection: true } });
  t.after(() => s.close());
  const account = s.ctx.accounts.get(s.siemAccountId)!;
  const service = createRulesService(s.ctx);
  const stop = new AbortController();
  const loop = runRuleEngine(s.ctx, stop.signal);
  t.after(async () => {
    stop.abort();
    await loop;
  });
  await clock.advance(0);
  // Demo mode installed the default pack into the bootstrap SIEM account's default configuration.
  const installed = service.search(account, { pagination: { pageSize: 100 } });
  assert.equal(installed.total, DEFAULT_RULE_PACK.length);
  assert.equal(new Set(installed.results.map((r) => r.configId)).size, 1);
  assert.equal(installDefaultRulePack(s.ctx), 0, 'never twice');

  service.create(account, ruleRequest({ title: 'loop rule' }, {}, { severityThresholdTiers: { LOW: 1 } }));
  insertLogs(s.ctx, s.logsAccountId, [{ ts: T0, outcome: 'failure', user: 'root' }]);
  s.ctx.faults.set({ lateIndexShare: 1, lateIndexMs: 30_000 });
  const count = () =>
    (
      s.ctx.store.db.prepare("SELECT count(*) AS n FROM security_events WHERE name = 'loop rule'").get() as {
        n: number;
      }
    ).n;
  for (let i = 0; i < 60; i++) await clock.advance(1000);
  assert.equal(count(), 0, 'evaluated at T0+60s, but held back');
  for (let i = 0; i < 30; i++) await clock.advance(1000);
  assert.equal(count(), 1, 'committed once due');
  const row = s.ctx.store.db
    .prepare("SELECT event_date, stored_at FROM security_events WHERE name = 'loop rule'")
    .get() as {
    event_date: number;
    stored_at: number;
  };
  assert.equal(row.event_date, T0 + 60_000);
  assert.equal(row.stored_at, T0 + 90_000);
  stop.abort();
  await loop;
});

test('a configured rules file is installed at engine start; a bad file is logged, the engine runs on', async (t) => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-engine-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify([ruleRequest({ title: 'from env file' })]));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '[{"title": 1}]');
  for (const [file, expected] of [
    [good, ['from env file']],
    [bad, []],
  ] as const) {
    const clock = new FakeClock(T0);
    const s = await buildTestSiem({ clock, config: { rulesFile: file } });
    const stop = new AbortController();
    const loop = runRuleEngine(s.ctx, stop.signal);
    await clock.advance(0);
    const account = s.ctx.accounts.get(s.siemAccountId)!;
    assert.deepEqual(
      createRulesService(s.ctx)
        .search(account, {})
        .results.map((r) => r.title),
      expected,
    );
    await clock.advance(1000);
    stop.abort();
    await loop;
    await s.close();
  }
});
