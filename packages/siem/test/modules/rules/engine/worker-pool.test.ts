import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { FakeClock } from '../../../../src/clock.ts';
import { createSqliteLogsWriter } from '../../../../src/modules/logs/repository.ts';
import { createRulesService } from '../../../../src/modules/rules/service.ts';
import { RuleBudgetExceeded } from '../../../../src/modules/rules/engine/budget.ts';
import { runRuleEngine } from '../../../../src/modules/rules/rule-engine.ts';
import { scanJob } from '../../../../src/modules/rules/engine/evaluate.ts';
import { inThreadScanner, type WindowScanner } from '../../../../src/modules/rules/engine/scanner.ts';
import { runScheduledRuleWith } from '../../../../src/modules/rules/engine/scheduler.ts';
import { createScanPool, type ScanPoolOptions } from '../../../../src/modules/rules/engine/worker-pool.ts';
import type { ScanResult } from '../../../../src/modules/rules/engine/window-scan.ts';
import { buildTestSiem, type TestSiem } from '../../../helpers.ts';
import { insertLogs, ruleRequest } from '../fixtures.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MIN = 60_000;
const STALLING = new URL('./workers/stalling-worker.ts', import.meta.url);

async function setup(t: { after: (fn: () => unknown) => void }, clock = new FakeClock(T0)) {
  const s = await buildTestSiem({ clock });
  t.after(() => s.close());
  return { s, account: s.ctx.accounts.get(s.siemAccountId)!, service: createRulesService(s.ctx) };
}

function pool(s: TestSiem, patch: Partial<ScanPoolOptions> = {}): WindowScanner {
  return createScanPool({
    dbPath: s.ctx.store.db.location()!,
    size: 2,
    maxQueue: 8,
    budgetMs: 60_000,
    graceMs: 0,
    clock: s.ctx.clock,
    logger: pino({ level: 'silent' }),
    ...patch,
  });
}

/** A scanner that remembers its scans, so a test can wait for them (no sleeps). */
function tracked(inner: WindowScanner): WindowScanner & { settled(): Promise<unknown> } {
  const scans: Promise<ScanResult>[] = [];
  return {
    concurrency: inner.concurrency,
    scan(job) {
      const p = inner.scan(job);
      scans.push(p);
      return p;
    },
    close: (mode) => inner.close(mode),
    settled: () => Promise.allSettled(scans),
  };
}

test('a worker thread reads the same window as the main thread: hits, groups, aggregates, linked logs', async (t) => {
  const { s, account, service } = await setup(t);
  const rules = [
    service.create(account, ruleRequest({ title: 'count by user' })),
    service.create(
      account,
      ruleRequest(
        { title: 'unique hosts' },
        { groupBy: [], aggregation: { aggregationType: 'UNIQUE_COUNT', fieldToAggregateOn: 'host' } },
        { operator: 'GREATER_THAN', severityThresholdTiers: { LOW: 1 } },
      ),
    ),
    service.create(
      account,
      ruleRequest(
        { title: 'bytes by user' },
        {
          query: 'denied OR outcome:failure',
          aggregation: { aggregationType: 'SUM', fieldToAggregateOn: 'bytes' },
        },
      ),
    ),
  ];
  insertLogs(
    s.ctx,
    s.logsAccountId,
    Array.from({ length: 60 }, (_, i) => ({
      ts: T0 - 5 * MIN + i * 1000,
      outcome: i % 3 === 0 ? 'success' : 'failure',
      user: `u${i % 4}`,
      host: `h${i % 7}`,
      bytes: i,
      message: i % 5 === 0 ? 'access denied' : 'ok',
    })),
  );
  const workers = pool(s);
  t.after(() => workers.close('cancel'));
  const here = inThreadScanner(s.ctx);
  for (const created of rules) {
    const job = scanJob(s.ctx, s.ctx.repos.rules.get(created.id)!, T0);
    const [a, b] = await Promise.all([workers.scan(job), here.scan(job)]);
    assert.ok(a.hits > 0, created.title);
    assert.deepEqual(a, b, created.title);
  }
});

test('the engine loop with worker threads evaluates due rules and stores their events once', async (t) => {
  const clock = new FakeClock(T0);
  const { s, account, service } = await setup(t, clock);
  const rule = service.create(
    account,
    ruleRequest({ title: 'loop rule' }, {}, { severityThresholdTiers: { LOW: 1 } }),
  );
  insertLogs(s.ctx, s.logsAccountId, [{ ts: T0 + 1000, outcome: 'failure', user: 'root' }]);
  const scanner = tracked(pool(s));
  const stop = new AbortController();
  const loop = runRuleEngine(s.ctx, stop.signal, () => {}, scanner);
  t.after(async () => {
    stop.abort();
    await loop;
    await scanner.close('drain');
  });
  await clock.advance(0); // the loop's first tick (nothing due) and its sleep
  await clock.advance(MIN);
  await scanner.settled();
  await clock.advance(0); // the loop stores the scan's result in the next turn
  const stored = s.ctx.repos.rules.get(rule.id)!;
  assert.equal(stored.lastRunAt, T0 + MIN);
  assert.equal(stored.nextRunAt, T0 + 2 * MIN);
  assert.equal(stored.engine.evalStartedAt, null);
  const rows = s.ctx.store.db.prepare('SELECT name, hits, event_date FROM security_events').all();
  assert.deepEqual(
    rows.map((r) => ({ ...r })),
    [{ name: 'loop rule', hits: 1, event_date: T0 + MIN }],
  );
});

test('a scan stuck past its budget is cut (the worker terminated), reported on the rule, and the pool goes on', async (t) => {
  const clock = new FakeClock(T0);
  const { s, account, service } = await setup(t, clock);
  const created = service.create(account, ruleRequest({ title: 'stuck rule' }));
  const stuck = pool(s, { workerUrl: STALLING, size: 1, budgetMs: 500, graceMs: 250 });
  t.after(() => stuck.close('cancel'));
  const rule = s.ctx.repos.rules.get(created.id)!;
  const run = runScheduledRuleWith(s.ctx, rule, T0, stuck);
  await clock.advance(749);
  assert.equal(s.ctx.repos.rules.get(created.id)!.engine.evalStartedAt, T0, 'still running');
  await clock.advance(1);
  assert.equal(await run, null);
  const after = s.ctx.repos.rules.get(created.id)!;
  assert.equal(after.engine.failures, 1);
  assert.match(after.engine.lastFailure!, /time budget of 500 ms \(stopped after 750 ms\)/);
  assert.equal(after.engine.evalStartedAt, null);
  assert.equal(after.lastRunAt, null);
  const shown = (
    await s.api.inject({
      method: 'GET',
      url: `/v2/security/rules/${created.id}`,
      headers: { 'x-api-token': s.siemToken },
    })
  ).json();
  assert.equal(shown.engineStatus.state, 'OK');
  assert.equal(shown.engineStatus.consecutiveFailures, 1);
  assert.match(shown.engineStatus.lastFailure, /time budget of 500 ms/);

  // A fresh worker takes the next scan (it stalls too, and is cut the same way).
  const next = assert.rejects(stuck.scan(scanJob(s.ctx, rule, T0 + MIN)), RuleBudgetExceeded);
  await clock.advance(750);
  await next;
});

test('a worker stops a scan that runs past its budget at the next row, and the rule is charged for it', async (t) => {
  const { s, account, service } = await setup(t);
  const created = service.create(account, ruleRequest({ title: 'long window' }, { query: '*' }));
  const writer = createSqliteLogsWriter(s.ctx.store);
  for (let b = 0; b < 20; b++) {
    const batch = Array.from({ length: 1000 }, (_, i) => {
      const ts = T0 - 9 * MIN + b * 1000 + i;
      return {
        ts,
        type: 'test',
        doc: JSON.stringify({ '@timestamp': new Date(ts).toISOString(), user: `u${i}` }),
      };
    });
    writer.insert(s.logsAccountId, batch, T0);
  }
  // 1 ms for 20,000 rows of JSON: no machine reads them all within it.
  const tight = pool(s, { size: 1, budgetMs: 1, graceMs: 60_000 });
  t.after(() => tight.close('cancel'));
  const rule = s.ctx.repos.rules.get(created.id)!;
  assert.equal(await runScheduledRuleWith(s.ctx, rule, T0, tight), null);
  const after = s.ctx.repos.rules.get(created.id)!;
  assert.equal(after.engine.failures, 1);
  assert.match(after.engine.lastFailure!, /exceeded its time budget of 1 ms/);
});

test('back-pressure: a full queue refuses a scan; cancel rejects what waits; close refuses new scans', async (t) => {
  const { s, account, service } = await setup(t);
  const created = service.create(account, ruleRequest());
  const job = scanJob(s.ctx, s.ctx.repos.rules.get(created.id)!, T0);
  const stuck = pool(s, { workerUrl: STALLING, size: 1, maxQueue: 1 });
  const running = assert.rejects(stuck.scan(job), { code: 'RULE_ENGINE_STOPPING' });
  const waiting = assert.rejects(stuck.scan(job), { code: 'RULE_ENGINE_STOPPING' });
  await assert.rejects(stuck.scan(job), { code: 'RULE_SCAN_QUEUE_FULL' });
  await stuck.close('cancel');
  await running;
  await waiting;
  await assert.rejects(stuck.scan(job), { code: 'RULE_ENGINE_STOPPING' });
});

test('drain: close waits for the scans in flight and queued, which complete', async (t) => {
  const { s, account, service } = await setup(t);
  const created = service.create(account, ruleRequest());
  insertLogs(s.ctx, s.logsAccountId, [{ ts: T0 - 1000, outcome: 'failure', user: 'root' }]);
  const job = scanJob(s.ctx, s.ctx.repos.rules.get(created.id)!, T0);
  const workers = pool(s, { size: 1 });
  const scans = [workers.scan(job), workers.scan(job), workers.scan(job)];
  await workers.close('drain');
  for (const r of await Promise.all(scans)) assert.equal(r.hits, 1);
  await assert.rejects(workers.scan(job), { code: 'RULE_ENGINE_STOPPING' });
});
