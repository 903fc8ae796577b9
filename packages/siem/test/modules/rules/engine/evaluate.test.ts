import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { SecurityRuleRequest } from '@siemlink/contracts';
import { FakeClock } from '../../../../src/clock.ts';
import type { SecurityEventRow } from '../../../../src/modules/events/repository.ts';
import { createRulesService } from '../../../../src/modules/rules/service.ts';
import { compare, evaluateRule, highestTier } from '../../../../src/modules/rules/engine/evaluate.ts';
import { buildTestSiem, type TestSiem } from '../../../helpers.ts';
import { insertLogs, ruleRequest } from '../fixtures.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MIN = 60_000;

async function setup(t: TestContext) {
  const clock = new FakeClock(T0);
  // Fault injection on: some tests here set the burst and late-indexing faults.
  const s = await buildTestSiem({ clock, config: { faultInjection: true } });
  t.after(() => s.close());
  const account = s.ctx.accounts.get(s.siemAccountId)!;
  const service = createRulesService(s.ctx);
  const addRule = (req: SecurityRuleRequest) => service.rules.get(service.create(account, req).id)!;
  return { s, clock, addRule, service };
}

function storedEvents(s: TestSiem): (SecurityEventRow & { logs: number[] })[] {
  const rows = s.ctx.store.db
    .prepare('SELECT * FROM security_events ORDER BY seq')
    .all() as unknown as SecurityEventRow[];
  const links = s.ctx.store.db.prepare(
    'SELECT log_seq FROM security_event_logs WHERE event_seq = ? ORDER BY log_seq',
  );
  return rows.map((r) => ({ ...r, logs: (links.all(r.seq) as { log_seq: number }[]).map((l) => l.log_seq) }));
}

test('COUNT per group: one event per group passing a tier, severity = highest tier passed', async (t) => {
  const { s, addRule } = await setup(t);
  const docs = [
    ...Array.from({ length: 6 }, (_, i) => ({
      ts: T0 - 5 * MIN + i * 1000,
      outcome: 'failure',
      user: 'root',
    })),
    ...Array.from({ length: 3 }, (_, i) => ({ ts: T0 - 2 * MIN + i, outcome: 'failure', user: 'bob' })),
    { ts: T0 - MIN, outcome: 'failure', user: 'carol' },
    { ts: T0 - MIN, outcome: 'success', user: 'root' },
    { ts: T0 - MIN, outcome: 'failure' }, // no user: left out of the grouping
    { ts: T0 - 11 * MIN, outcome: 'failure', user: 'carol' }, // outside the 10-minute window
    { ts: T0 + 1, outcome: 'failure', user: 'carol' }, // after now
  ];
  const seqs = insertLogs(s.ctx, s.logsAccountId, docs);
  const rule = addRule(ruleRequest({ output: { suppressNotificationsMinutes: 5 } }));
  const r = evaluateRule(s.ctx, rule, T0);
  assert.equal(r.hits, 11);
  const events = storedEvents(s);
  assert.equal(events.length, 2);
  const root = events.find((e) => e.group_by?.includes('root'))!;
  const bob = events.find((e) => e.group_by?.includes('bob'))!;
  assert.equal(root.severity, 'HIGH');
  assert.equal(bob.severity, 'MEDIUM');
  assert.deepEqual(JSON.parse(root.group_by!), { user: 'root' });
  assert.equal(root.rule_id, rule.id);
  assert.equal(root.config_id, rule.configId);
  assert.equal(root.account_id, s.siemAccountId);
  assert.equal(root.name, 'Failed logins');
  assert.equal(root.hits, 6, "hits: the logs of this event's group");
  assert.equal(bob.hits, 3);
  assert.equal(root.event_date, T0);
  assert.equal(bob.event_date, T0);
  assert.equal(root.window_start, T0 - 5 * MIN);
  assert.equal(root.window_end, T0 - 5 * MIN + 5000);
  assert.equal(root.stored_at, T0);
  assert.equal(
    root.alert_summary,
    "Alert if query 'outcome:failure' results GREATER_THAN_OR_EQUALS 5.00 in 10 minutes. Count on Group By '[user]'",
  );
  assert.equal(bob.alert_summary.includes('GREATER_THAN_OR_EQUALS 3.00'), true);
  assert.deepEqual(root.logs, seqs.slice(0, 6));
  assert.deepEqual(JSON.parse(root.mitre_tags), ['T1110']);
  assert.deepEqual(JSON.parse(root.tags), ['auth']);
  assert.match(root.alert_event_id, /^[0-9a-f-]{36}$/);
  assert.equal(root.is_muted, 0);
});

test("group-by over several groups: each event's hits is its group's log count and logs/search returns exactly those logs", async (t) => {
  const { s, addRule } = await setup(t);
  // Brute force per (user, source IP): group sizes differ, plus noise that matches no group.
  const sizes: [string, string, number][] = [
    ['admin', '10.0.0.1', 30],
    ['admin', '10.0.0.2', 7],
    ['root', '10.0.0.1', 12],
    ['bob', '192.168.1.9', 5],
    ['carol', '10.0.0.3', 2], // below the lowest tier: no event
  ];
  const docs: { ts: number; [k: string]: unknown }[] = [];
  let n = 0;
  for (const [user, ip, size] of sizes) {
    for (let i = 0; i < size; i++) {
      docs.push({ ts: T0 - 9 * MIN + n * 1000, outcome: 'failure', user, src: { ip }, n: n++ });
    }
  }
  docs.push({ ts: T0 - MIN, outcome: 'failure', user: 'admin', n: n++ }); // no src.ip: in no group
  docs.push({ ts: T0 - MIN, outcome: 'success', user: 'admin', src: { ip: '10.0.0.1' }, n: n++ });
  insertLogs(s.ctx, s.logsAccountId, docs);
  const rule = addRule(
    ruleRequest({}, { groupBy: ['user', 'src.ip'] }, { severityThresholdTiers: { LOW: 5, HIGH: 20 } }),
  );
  const r = evaluateRule(s.ctx, rule, T0);
  assert.equal(r.hits, 57, 'the evaluation still reports every matching log');

  const post = async (url: string, body: unknown) => {
    const res = await s.api.inject({
      method: 'POST',
      url,
      headers: { 'x-api-token': s.siemToken, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { total: number; results: Record<string, unknown>[] };
  };
  const events = (await post('/v2/security/rules/events/search', { pagination: { pageSize: 100 } }))
    .results as unknown as { alertEventId: string; groupBy: Record<string, string>; hits: number }[];
  assert.equal(events.length, 4);
  for (const [user, ip, size] of sizes.slice(0, 4)) {
    const e = events.find((x) => x.groupBy.user === user && x.groupBy['src.ip'] === ip)!;
    assert.ok(e, `${user} ${ip}`);
    assert.equal(e.hits, size, `${user} ${ip}`);
    const want = docs
      .filter(
        (d) =>
          d.user === user && (d.src as { ip?: string } | undefined)?.ip === ip && d.outcome === 'failure',
      )
      .map((d) => d.n)
      .sort((a, b) => Number(a) - Number(b));
    // Paged the way XSOAR does (pages of 4 here), then compared as sets of log markers.
    const got: unknown[] = [];
    for (let page = 1; ; page++) {
      const p = await post('/v2/security/rules/events/logs/search', {
        filter: { alertEventId: e.alertEventId },
        pagination: { pageNumber: page, pageSize: 4 },
      });
      assert.equal(p.total, e.hits);
      if (p.results.length === 0) break;
      got.push(...p.results.map((l) => l.n));
    }
    assert.deepEqual(
      got.sort((a, b) => Number(a) - Number(b)),
      want,
      `${user} ${ip}`,
    );
  }
});

test('aggregations: UNIQUE_COUNT, SUM, MIN, MAX, AVG, NONE', async (t) => {
  const { s, addRule } = await setup(t);
  insertLogs(s.ctx, s.logsAccountId, [
    { ts: T0 - MIN, src: 'a', user: 'u1', bytes: 10 },
    { ts: T0 - MIN, src: 'a', user: 'u2', bytes: '20' },
    { ts: T0 - MIN, src: 'a', user: 'u2', bytes: 30 },
    { ts: T0 - MIN, src: 'b', user: 'u1', bytes: 'n/a' },
  ]);
  const cases: [string, string | undefined, string, number, number | null][] = [
    // [type, field, operator, threshold, expected value for group a (null = no trigger)]
    ['UNIQUE_COUNT', 'user', 'EQUALS', 2, 2],
    ['SUM', 'bytes', 'EQUALS', 60, 60],
    ['MIN', 'bytes', 'EQUALS', 10, 10],
    ['MAX', 'bytes', 'EQUALS', 30, 30],
    ['AVG', 'bytes', 'EQUALS', 20, 20],
    ['NONE', undefined, 'EQUALS', 3, 3],
    ['COUNT', undefined, 'EQUALS', 3, 3],
  ];
  for (const [type, field, op, threshold] of cases) {
    const rule = addRule(
      ruleRequest(
        { title: type },
        {
          query: '*',
          groupBy: ['src'],
          aggregation: { aggregationType: type as never, ...(field ? { fieldToAggregateOn: field } : {}) },
        },
        { operator: op as never, severityThresholdTiers: { LOW: threshold } },
      ),
    );
    const r = evaluateRule(s.ctx, rule, T0);
    assert.equal(r.events.length, 1, `${type}: exactly group a passes`);
    assert.deepEqual(r.events[0]!.groupBy, { src: 'a' }, type);
  }
  // Group b has no numeric bytes: MIN/MAX/AVG have no value, so it never triggers, even on NOT_EQUALS.
  const avg = addRule(
    ruleRequest(
      { title: 'avg ne' },
      { query: '*', groupBy: ['src'], aggregation: { aggregationType: 'AVG', fieldToAggregateOn: 'bytes' } },
      { operator: 'NOT_EQUALS', severityThresholdTiers: { LOW: -1 } },
    ),
  );
  assert.deepEqual(
    evaluateRule(s.ctx, avg, T0).events.map((e) => e.groupBy),
    [{ src: 'a' }],
  );
  const sum = addRule(
    ruleRequest(
      { title: 'sum in summary' },
      { query: '*', aggregation: { aggregationType: 'SUM', fieldToAggregateOn: 'bytes' }, groupBy: [] },
      { operator: 'GREATER_THAN', severityThresholdTiers: { INFO: 1 } },
    ),
  );
  const e = evaluateRule(s.ctx, sum, T0).events[0]!;
  assert.equal(e.groupBy, null);
  assert.equal(e.alertSummary, "Alert if query '*' results GREATER_THAN 1.00 in 10 minutes. Sum of 'bytes'");
});

test('operators and tiers', () => {
  const ops = [
    ['GREATER_THAN', [false, false, true]],
    ['GREATER_THAN_OR_EQUALS', [false, true, true]],
    ['LESS_THAN', [true, false, false]],
    ['LESS_THAN_OR_EQUALS', [true, true, false]],
    ['EQUALS', [false, true, false]],
    ['NOT_EQUALS', [true, false, true]],
  ] as const;
  for (const [op, expected] of ops) {
    assert.deepEqual(
      [4, 5, 6].map((v) => compare(v, op, 5)),
      expected,
      op,
    );
  }
  const tiers = { LOW: 1, MEDIUM: 10, HIGH: 100, SEVERE: 1000 };
  assert.equal(highestTier(0, 'GREATER_THAN_OR_EQUALS', tiers), null);
  assert.deepEqual(highestTier(150, 'GREATER_THAN_OR_EQUALS', tiers), { severity: 'HIGH', threshold: 100 });
  assert.deepEqual(highestTier(5000, 'GREATER_THAN_OR_EQUALS', tiers), {
    severity: 'SEVERE',
    threshold: 1000,
  });
  // For LESS_THAN the lowest values pass the most tiers; still the highest severity wins.
  assert.deepEqual(highestTier(0, 'LESS_THAN', tiers), { severity: 'SEVERE', threshold: 1000 });
});

test('without group-by there is one group, so LESS_THAN fires on silence (window = the time frame)', async (t) => {
  const { s, addRule } = await setup(t);
  const rule = addRule(
    ruleRequest(
      { title: 'heartbeat missing', searchTimeFrameMinutes: 5 },
      { query: 'type:heartbeat', groupBy: [] },
      { operator: 'LESS_THAN', severityThresholdTiers: { HIGH: 1 } },
    ),
  );
  const r = evaluateRule(s.ctx, rule, T0);
  assert.equal(r.events.length, 1);
  const e = r.events[0]!;
  assert.equal(e.groupBy, null);
  assert.equal(e.hits, 0);
  assert.equal(e.windowStart, T0 - 5 * MIN);
  assert.equal(e.windowEnd, T0);
  assert.equal(storedEvents(s)[0]!.group_by, null);
});

test('filters (term, terms, match, match_phrase, exists, range, must_not) narrow the logs', async (t) => {
  const { s, addRule } = await setup(t);
  insertLogs(s.ctx, s.logsAccountId, [
    {
      ts: T0 - MIN,
      k: 1,
      status: 500,
      method: 'POST',
      msg: 'Disk Full on sda',
      tag: 'x',
      nested: { a: 'b' },
    },
    { ts: T0 - MIN, k: 2, status: 404, method: 'GET', msg: 'not found', tag: 'x' },
    { ts: T0 - MIN, k: 3, status: 503, method: 'PUT', msg: 'disk full soon', 'nested.a': 'b' },
    { ts: T0 - MIN, k: 4, status: 200, method: 'GET', msg: 'ok' },
  ]);
  const run = (must: unknown[], mustNot: unknown[] = []) => {
    const rule = addRule(
      ruleRequest(
        { title: `f${Math.random()}` },
        {
          query: '*',
          groupBy: ['k'],
          filters: { bool: { must: must as never, must_not: mustNot as never } },
        },
        { operator: 'GREATER_THAN_OR_EQUALS', severityThresholdTiers: { LOW: 1 } },
      ),
    );
    return evaluateRule(s.ctx, rule, T0)
      .events.map((e) => Number(e.groupBy!.k))
      .sort();
  };
  assert.deepEqual(run([{ term: { method: 'GET' } }]), [2, 4]);
  assert.deepEqual(run([{ term: { status: { value: '500' } } }]), [1]);
  assert.deepEqual(run([{ terms: { method: ['PUT', 'POST'] } }]), [1, 3]);
  assert.deepEqual(run([{ match: { msg: 'disk' } }]), [1, 3]);
  assert.deepEqual(run([{ match_phrase: { msg: 'disk full on' } }]), [1]);
  assert.deepEqual(run([{ exists: { field: 'tag' } }]), [1, 2]);
  assert.deepEqual(run([{ term: { 'nested.a': 'b' } }]), [1, 3]);
  assert.deepEqual(run([{ range: { status: { gte: 500, lt: 600 } } }]), [1, 3]);
  assert.deepEqual(run([{ range: { status: { gte: 400 } } }], [{ term: { status: 404 } }]), [1, 3]);
  assert.deepEqual(run([{ query_string: { query: 'method:GET AND NOT status:200' } }]), [2]);
});

test('the Lucene query selects logs; other accounts and accounts not scanned are ignored', async (t) => {
  const { s, addRule } = await setup(t);
  const otherLogs = s.ctx.accounts.create({ name: 'unscanned', type: 'LOGS', createdAt: 0 }, []);
  insertLogs(s.ctx, s.logsAccountId, [
    { ts: T0 - MIN, message: 'Failed password for root', user: 'root' },
    { ts: T0 - MIN, message: 'Accepted publickey for root', user: 'root' },
  ]);
  insertLogs(s.ctx, otherLogs.id, [{ ts: T0 - MIN, message: 'Failed password for root', user: 'root' }]);
  const rule = addRule(
    ruleRequest({}, { query: 'message:"failed password"' }, { severityThresholdTiers: { LOW: 1 } }),
  );
  const r = evaluateRule(s.ctx, rule, T0);
  assert.equal(r.hits, 1);
  assert.equal(r.events.length, 1);
});

test('suppression: the same (rule, group) does not re-trigger within suppressNotificationsMinutes', async (t) => {
  const { s, addRule } = await setup(t);
  const rule = addRule(
    ruleRequest({ output: { suppressNotificationsMinutes: 5 } }, {}, { severityThresholdTiers: { LOW: 1 } }),
  );
  insertLogs(s.ctx, s.logsAccountId, [{ ts: T0 - MIN, outcome: 'failure', user: 'root' }]);
  assert.equal(evaluateRule(s.ctx, rule, T0).events.length, 1);
  insertLogs(s.ctx, s.logsAccountId, [{ ts: T0 + 30_000, outcome: 'failure', user: 'bob' }]);
  const second = evaluateRule(s.ctx, rule, T0 + MIN);
  assert.deepEqual(
    second.events.map((e) => e.groupBy),
    [{ user: 'bob' }],
    'a new group still triggers',
  );
  assert.equal(second.suppressed, 1);
  assert.equal(evaluateRule(s.ctx, rule, T0 + 4 * MIN).events.length, 0);
  assert.deepEqual(
    evaluateRule(s.ctx, rule, T0 + 5 * MIN).events.map((e) => e.groupBy),
    [{ user: 'root' }],
    'root triggers again once its 5 minutes have passed',
  );
  // Without suppression, every evaluation triggers again.
  const noSuppress = addRule(
    ruleRequest({ title: 'no suppression' }, {}, { severityThresholdTiers: { LOW: 1 } }),
  );
  assert.equal(evaluateRule(s.ctx, noSuppress, T0 + 5 * MIN).events.length, 2);
  assert.equal(evaluateRule(s.ctx, noSuppress, T0 + 5 * MIN).events.length, 2);
});

test('burst fault: each triggering evaluation adds burstSize events sharing one eventDate', async (t) => {
  const { s, addRule } = await setup(t);
  insertLogs(s.ctx, s.logsAccountId, [{ ts: T0 - MIN, outcome: 'failure', user: 'root' }]);
  const rule = addRule(ruleRequest({}, {}, { severityThresholdTiers: { LOW: 1 } }));
  s.ctx.faults.set({ burstSize: 50 });
  const r = evaluateRule(s.ctx, rule, T0);
  assert.equal(r.events.length, 51);
  const events = storedEvents(s);
  assert.equal(events.length, 51);
  assert.equal(new Set(events.map((e) => e.event_date)).size, 1);
  assert.equal(new Set(events.map((e) => e.alert_event_id)).size, 51);
  assert.equal(new Set(events.map((e) => e.group_by)).size, 51);
  // No trigger, no burst.
  const quiet = addRule(
    ruleRequest({ title: 'quiet' }, { query: 'nothing:matches' }, { severityThresholdTiers: { LOW: 1 } }),
  );
  assert.equal(evaluateRule(s.ctx, quiet, T0).events.length, 0);
});

test('late-index fault: a share of events is committed only at eventDate + lateIndexMs, with a later seq', async (t) => {
  const { s, addRule } = await setup(t);
  const { flushPendingEvents, pendingEventCount } =
    await import('../../../../src/modules/rules/engine/scheduler.ts');
  insertLogs(s.ctx, s.logsAccountId, [
    { ts: T0 - MIN, outcome: 'failure', user: 'a' },
    { ts: T0 - MIN, outcome: 'failure', user: 'b' },
  ]);
  const rule = addRule(ruleRequest({}, {}, { severityThresholdTiers: { LOW: 1 } }));
  s.ctx.faults.set({ lateIndexShare: 1, lateIndexMs: 90_000 });
  const r = evaluateRule(s.ctx, rule, T0);
  assert.equal(r.events.length, 2);
  assert.equal(r.pending, 2);
  assert.equal(storedEvents(s).length, 0);
  assert.equal(flushPendingEvents(s.ctx, T0 + 89_999), 0);
  s.ctx.faults.reset();
  // A newer event is indexed before the late ones.
  const other = addRule(ruleRequest({ title: 'newer' }, {}, { severityThresholdTiers: { LOW: 1 } }));
  evaluateRule(s.ctx, other, T0 + 60_000);
  assert.equal(flushPendingEvents(s.ctx, T0 + 90_000), 2);
  assert.equal(pendingEventCount(s.ctx), 0);
  const events = storedEvents(s);
  assert.equal(events.length, 4);
  const late = events.filter((e) => e.rule_id === rule.id);
  assert.ok(late.every((e) => e.event_date === T0 && e.stored_at === T0 + 90_000));
  const newer = events.filter((e) => e.rule_id === other.id);
  assert.ok(Math.min(...late.map((e) => e.seq)) > Math.max(...newer.map((e) => e.seq)));
  assert.ok(
    late.every((e) => e.logs.length === 1),
    'late events keep their logs',
  );
});

test('late-index share is honoured per event', async (t) => {
  const { s, addRule } = await setup(t);
  insertLogs(
    s.ctx,
    s.logsAccountId,
    Array.from({ length: 10 }, (_, i) => ({ ts: T0 - MIN, outcome: 'failure', user: `u${i}` })),
  );
  let n = 0;
  // Deterministic random: alternates 0.1, 0.9.
  s.ctx.faults.random = () => (n++ % 2 === 0 ? 0.1 : 0.9);
  s.ctx.faults.set({ lateIndexShare: 0.5, lateIndexMs: 1000 });
  const r = evaluateRule(s.ctx, addRule(ruleRequest({}, {}, { severityThresholdTiers: { LOW: 1 } })), T0);
  assert.equal(r.events.length, 10);
  assert.equal(r.pending, 5);
  assert.equal(storedEvents(s).length, 5);
});

test('logs behind an event are capped', async (t) => {
  const { s, addRule } = await setup(t);
  const { MAX_LOGS_PER_EVENT } = await import('../../../../src/modules/rules/engine/evaluate.ts');
  insertLogs(
    s.ctx,
    s.logsAccountId,
    Array.from({ length: MAX_LOGS_PER_EVENT + 5 }, (_, i) => ({
      ts: T0 - MIN + i,
      outcome: 'failure',
      user: 'root',
    })),
  );
  const r = evaluateRule(s.ctx, addRule(ruleRequest({}, {}, { severityThresholdTiers: { LOW: 1 } })), T0);
  assert.equal(r.events[0]!.logSeqs.length, MAX_LOGS_PER_EVENT);
  assert.equal(r.events[0]!.hits, MAX_LOGS_PER_EVENT + 5);
});

test('the free-text prefilter bound keeps every window log, whatever order logs were stored in', async (t) => {
  const { s, addRule } = await setup(t);
  const otherLogs = s.ctx.accounts.create({ name: 'second-logs', type: 'LOGS', createdAt: 0 }, []);
  s.ctx.store.db
    .prepare('UPDATE accounts SET accounts_to_scan = ? WHERE id = ?')
    .run(JSON.stringify([s.logsAccountId, otherLogs.id]), s.siemAccountId);
  insertLogs(s.ctx, otherLogs.id, [{ ts: T0 - 2 * MIN, outcome: 'failure', user: 'root' }]); // stored first
  insertLogs(s.ctx, s.logsAccountId, [
    ...Array.from({ length: 20 }, (_, i) => ({ ts: T0 - 60 * MIN + i, outcome: 'failure', user: 'root' })),
    { ts: T0 - 9 * MIN, outcome: 'failure', user: 'root' }, // old timestamp, stored late
  ]);
  const a = addRule(ruleRequest({ title: 'a' }, {}, { severityThresholdTiers: { LOW: 1 } }));
  const b = addRule(ruleRequest({ title: 'b' }, {}, { severityThresholdTiers: { LOW: 1 } }));
  assert.equal(evaluateRule(s.ctx, a, T0).hits, 2);
  // Stored between two evaluations at the same instant (which share the bound): still counted.
  insertLogs(s.ctx, s.logsAccountId, [{ ts: T0 - 5 * MIN, outcome: 'failure', user: 'root' }]);
  assert.equal(evaluateRule(s.ctx, b, T0).hits, 3);
});
