import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.ts';
import { SiemError } from '../../../src/errors.ts';
import { createRulesService } from '../../../src/modules/rules/service.ts';
import { RULE_ENGINE_SERVICE, runRuleEngine } from '../../../src/modules/rules/rule-engine.ts';
import { buildTestSiem } from '../../helpers.ts';
import { insertLogs, ruleRequest } from './fixtures.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

test('failing engine ticks (a write the store refuses) back off, show in health, and recover', async (t) => {
  const clock = new FakeClock(T0);
  const s = await buildTestSiem({ clock, config: { faultInjection: true } });
  t.after(() => s.close());
  const account = s.ctx.accounts.get(s.siemAccountId)!;
  createRulesService(s.ctx).create(
    account,
    ruleRequest({ title: 'health rule' }, {}, { severityThresholdTiers: { LOW: 1 } }),
  );
  insertLogs(s.ctx, s.logsAccountId, [{ ts: T0, outcome: 'failure', user: 'root' }]);
  // Events are held back 30 s, so committing them is a write of its own tick.
  s.ctx.faults.set({ lateIndexShare: 1, lateIndexMs: 30_000 });
  const stop = new AbortController();
  const loop = runRuleEngine(s.ctx, stop.signal);
  t.after(async () => {
    stop.abort();
    await loop;
  });
  for (let i = 0; i < 60; i++) await clock.advance(1000);
  const state = () => s.ctx.health.snapshot()[RULE_ENGINE_SERVICE]!;
  assert.equal(state().state, 'running');

  const tx = s.ctx.store.tx.bind(s.ctx.store);
  let refused = 0;
  s.ctx.store.tx = () => {
    refused++;
    throw new SiemError({ code: 'STORAGE_FULL', status: 507, message: 'the SIEM’s disk is full (injected)' });
  };
  for (let i = 0; i < 45; i++) await clock.advance(1000);
  assert.equal(state().state, 'retrying');
  assert.match(state().lastError!, /disk is full/);
  // Backoff 1, 2, 4, 8 s ... after the first failure at +30 s: a handful of attempts, not 15.
  assert.ok(refused >= 3 && refused <= 5, `attempts while failing: ${refused}`);
  const res = await s.api.inject({ method: 'GET', url: '/health' });
  assert.equal(res.statusCode, 503);

  s.ctx.store.tx = tx;
  for (let i = 0; i < 20 && state().state !== 'running'; i++) await clock.advance(1000);
  assert.equal(state().state, 'running');
  const n = (
    s.ctx.store.db.prepare("SELECT count(*) AS n FROM security_events WHERE name = 'health rule'").get() as {
      n: number;
    }
  ).n;
  assert.equal(n, 1, 'the held-back event was committed once writes worked again');
});
