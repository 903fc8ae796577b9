import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SecurityRuleResponse, SecurityRuleSearchResponse } from '@siemlink/contracts';
import { buildTestSiem, type TestSiem } from '../../helpers.ts';
import { ruleRequest } from './fixtures.ts';

let s: TestSiem;
let other: { token: string; accountId: number };
const auth = () => ({ 'x-api-token': s.siemToken });

before(async () => {
  s = await buildTestSiem();
  const token = 'other-siem-token-0001';
  const a = s.ctx.accounts.create(
    {
      name: 'other-siem',
      type: 'SIEM',
      email: 'other@x.local',
      accountsToScan: [s.logsAccountId],
      createdAt: 0,
    },
    [{ kind: 'API', token }],
  );
  other = { token, accountId: a.id };
});
after(() => s.close());

async function create(body: unknown, headers: Record<string, string> = auth()) {
  return s.api.inject({ method: 'POST', url: '/v2/security/rules', headers, payload: body as object });
}

async function createOk(body: unknown): Promise<SecurityRuleResponse> {
  const r = await create(body);
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

describe('POST /v2/security/rules', () => {
  test('creates an enabled rule in the default configuration and echoes the model', async () => {
    const rule = await createOk(ruleRequest({ schedule: { cronExpression: '0 */5 * * * ?' } }));
    assert.ok(Number.isInteger(rule.id));
    assert.equal(rule.enabled, true);
    assert.equal(rule.protected, false);
    assert.equal(rule.title, 'Failed logins');
    assert.equal(rule.createdBy, 'secops@siemlink.local');
    assert.equal(rule.updatedBy, 'secops@siemlink.local');
    assert.match(rule.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(rule.mitreTags, ['T1110']);
    assert.equal(rule.schedule?.timezone, 'UTC');
    assert.equal(rule.subComponents[0]!.queryDefinition.shouldQueryOnAllAccounts, true);
    const configs = await s.api.inject({
      method: 'GET',
      url: '/v2/security/configurations',
      headers: auth(),
    });
    const def = configs.json().find((c: { isDefault: boolean }) => c.isDefault);
    assert.equal(rule.configId, def.id);
    assert.ok(def.id >= 14227);
  });

  test('enabled:false creates a disabled rule; query defaults to "*"', async () => {
    const req = ruleRequest({ enabled: false });
    delete (req.subComponents[0]!.queryDefinition as { query?: string }).query;
    const rule = await createOk(req);
    assert.equal(rule.enabled, false);
    assert.equal(rule.subComponents[0]!.queryDefinition.query, '*');
  });

  test('numbers sent as strings are accepted', async () => {
    const rule = await createOk({ ...ruleRequest(), searchTimeFrameMinutes: '15' });
    assert.equal(rule.searchTimeFrameMinutes, 15);
  });

  const bad: [string, unknown, string, string?][] = [
    ['missing title', { ...ruleRequest(), title: undefined }, 'body.title'],
    ['wrong type', { ...ruleRequest(), searchTimeFrameMinutes: 'ten' }, 'body.searchTimeFrameMinutes'],
    ['time frame out of range', ruleRequest({ searchTimeFrameMinutes: 1441 }), 'body.searchTimeFrameMinutes'],
    ['too many tags', ruleRequest({ tags: Array.from({ length: 26 }, (_, i) => `t${i}`) }), 'body.tags'],
    [
      'suppression out of range',
      ruleRequest({ output: { suppressNotificationsMinutes: 2 } }),
      'body.output.suppressNotificationsMinutes',
    ],
    ['no sub-components', ruleRequest({ subComponents: [] }), 'body.subComponents'],
    [
      'two sub-components',
      { ...ruleRequest(), subComponents: [...ruleRequest().subComponents, ...ruleRequest().subComponents] },
      'body.subComponents',
      'only one sub-component',
    ],
    [
      'more than 3 groupBy',
      ruleRequest({}, { groupBy: ['a', 'b', 'c', 'd'] }),
      'body.subComponents.0.queryDefinition.groupBy',
    ],
    [
      'invalid Lucene',
      ruleRequest({}, { query: 'user:(admin' }),
      'body.subComponents.0.queryDefinition.query',
      'invalid Lucene',
    ],
    [
      'unknown severity tier',
      ruleRequest({}, {}, { severityThresholdTiers: { CRITICAL: 5 } }),
      'body.subComponents.0.trigger.severityThresholdTiers.CRITICAL',
      'unknown severity',
    ],
    [
      'empty tiers',
      ruleRequest({}, {}, { severityThresholdTiers: {} }),
      'body.subComponents.0.trigger.severityThresholdTiers',
    ],
    [
      'unknown operator',
      ruleRequest({}, {}, { operator: 'BIGGER' as never }),
      'body.subComponents.0.trigger.operator',
    ],
    [
      'unknown aggregation',
      ruleRequest({}, { aggregation: { aggregationType: 'MEDIAN' as never } }),
      'body.subComponents.0.queryDefinition.aggregation.aggregationType',
    ],
    [
      'SUM without a field',
      ruleRequest({}, { aggregation: { aggregationType: 'SUM' } }),
      'body.subComponents.0.queryDefinition.aggregation.fieldToAggregateOn',
    ],
    [
      'PERCENTILE unsupported',
      ruleRequest({}, { aggregation: { aggregationType: 'PERCENTILE', fieldToAggregateOn: 'x' } }),
      'body.subComponents.0.queryDefinition.aggregation.aggregationType',
      'not supported',
    ],
    [
      'unsupported filter clause',
      ruleRequest({}, { filters: { bool: { must: [{ geo_distance: { distance: '1km' } }] } } }),
      'body.subComponents.0.queryDefinition.filters.bool.must.0.geo_distance',
    ],
    [
      'bad cron',
      ruleRequest({ schedule: { cronExpression: '* * *' } }),
      'body.schedule.cronExpression',
      'expected 5 fields',
    ],
    [
      'cron value out of range',
      ruleRequest({ schedule: { cronExpression: '61 * * * *' } }),
      'body.schedule.cronExpression',
      'minute',
    ],
    [
      'unknown timezone',
      ruleRequest({ schedule: { cronExpression: '* * * * *', timezone: 'Mars/Base' } }),
      'body.schedule.timezone',
    ],
    [
      'account not scanned',
      ruleRequest({}, { shouldQueryOnAllAccounts: false, accountIdsToQueryOn: [999] }),
      'body.subComponents.0.queryDefinition.accountIdsToQueryOn',
    ],
    ['foreign configuration', ruleRequest({ configId: 1 }), 'body.configId'],
  ];
  for (const [name, body, field, text] of bad) {
    test(`400 for ${name}, naming ${field}`, async () => {
      const r = await create(body);
      assert.equal(r.statusCode, 400, r.body);
      const err = r.json();
      assert.equal(err.field, field);
      assert.ok(typeof err.errorCode === 'string');
      assert.ok(err.message.includes(field), err.message);
      if (text) assert.ok(err.message.includes(text), err.message);
    });
  }

  test('400 for a configuration of another SIEM account', async () => {
    const c = await s.api.inject({
      method: 'POST',
      url: '/v2/security/configurations',
      headers: { 'x-api-token': other.token },
      payload: { name: 'theirs' },
    });
    assert.equal(c.statusCode, 201);
    const r = await create(ruleRequest({ configId: c.json().id }));
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().field, 'body.configId');
  });

  test('400 for malformed JSON', async () => {
    const r = await s.api.inject({
      method: 'POST',
      url: '/v2/security/rules',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload: '{"title": ',
    });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().errorCode, 'INVALID_JSON');
  });

  test('401 without a token, even with a bad body; 401 for an unknown token', async () => {
    const r = await create({ nonsense: true }, {});
    assert.equal(r.statusCode, 401);
    const r2 = await create(ruleRequest(), { 'x-api-token': 'not-a-token' });
    assert.equal(r2.statusCode, 401);
    assert.ok(!r2.body.includes('not-a-token'));
  });

  test('403 with a LOGS account token', async () => {
    const r = await create(ruleRequest(), { 'x-api-token': s.logsToken });
    assert.equal(r.statusCode, 403);
    const g = await s.api.inject({
      method: 'GET',
      url: '/v2/security/configurations',
      headers: { 'x-api-token': s.logsToken },
    });
    assert.equal(g.statusCode, 403);
  });

  test('nothing is written by a rejected request', async () => {
    const before = (await search({})).total;
    await create(ruleRequest({ title: 'never stored' }, { query: 'a:(' }));
    assert.equal((await search({})).total, before);
  });
});

async function search(body: unknown, token = s.siemToken): Promise<SecurityRuleSearchResponse> {
  const r = await s.api.inject({
    method: 'POST',
    url: '/v2/security/rules/search',
    headers: { 'x-api-token': token },
    payload: body as object,
  });
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
}

describe('GET, PUT, DELETE, enable and disable', () => {
  test('GET returns the rule; 404 for unknown and foreign ids; 400 for a non-numeric id', async () => {
    const rule = await createOk(ruleRequest({ title: 'get me' }));
    const r = await s.api.inject({ method: 'GET', url: `/v2/security/rules/${rule.id}`, headers: auth() });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), rule);
    const unknown = await s.api.inject({ method: 'GET', url: '/v2/security/rules/999999', headers: auth() });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().errorCode, 'RULE_NOT_FOUND');
    const foreign = await s.api.inject({
      method: 'GET',
      url: `/v2/security/rules/${rule.id}`,
      headers: { 'x-api-token': other.token },
    });
    assert.equal(foreign.statusCode, 404);
    const nan = await s.api.inject({ method: 'GET', url: '/v2/security/rules/abc', headers: auth() });
    assert.equal(nan.statusCode, 400);
  });

  test('PUT replaces the definition, keeps enabled when absent, can disable', async () => {
    const clock = s.clock as { advance?: (ms: number) => Promise<void> };
    const rule = await createOk(ruleRequest({ title: 'put me' }));
    await clock.advance?.(1000);
    const r = await s.api.inject({
      method: 'PUT',
      url: `/v2/security/rules/${rule.id}`,
      headers: auth(),
      payload: ruleRequest({ title: 'put me v2', enabled: undefined }, { groupBy: ['user', 'ip'] }),
    });
    assert.equal(r.statusCode, 200, r.body);
    const updated: SecurityRuleResponse = r.json();
    assert.equal(updated.title, 'put me v2');
    assert.equal(updated.enabled, true);
    assert.equal(updated.createdAt, rule.createdAt);
    assert.notEqual(updated.updatedAt, rule.updatedAt);
    assert.deepEqual(updated.subComponents[0]!.queryDefinition.groupBy, ['user', 'ip']);
    const off = await s.api.inject({
      method: 'PUT',
      url: `/v2/security/rules/${rule.id}`,
      headers: auth(),
      payload: ruleRequest({ title: 'put me v2', enabled: false }),
    });
    assert.equal(off.json().enabled, false);
    const bad = await s.api.inject({
      method: 'PUT',
      url: `/v2/security/rules/${rule.id}`,
      headers: auth(),
      payload: ruleRequest({}, { query: '(' }),
    });
    assert.equal(bad.statusCode, 400);
    const foreign = await s.api.inject({
      method: 'PUT',
      url: `/v2/security/rules/${rule.id}`,
      headers: { 'x-api-token': other.token },
      payload: ruleRequest(),
    });
    assert.equal(foreign.statusCode, 404);
  });

  test('enable and disable', async () => {
    const rule = await createOk(ruleRequest({ title: 'toggle' }));
    const off = await s.api.inject({
      method: 'POST',
      url: `/v2/security/rules/${rule.id}/disable`,
      headers: auth(),
    });
    assert.equal(off.statusCode, 200);
    assert.equal(off.json().enabled, false);
    const on = await s.api.inject({
      method: 'POST',
      url: `/v2/security/rules/${rule.id}/enable`,
      headers: auth(),
    });
    assert.equal(on.json().enabled, true);
    const missing = await s.api.inject({
      method: 'POST',
      url: '/v2/security/rules/999999/enable',
      headers: auth(),
    });
    assert.equal(missing.statusCode, 404);
  });

  test('bodiless calls with the JSON header and Content-Length: 0 work (Python requests, Go net/http)', async () => {
    const rule = await createOk(ruleRequest({ title: 'json header, no body' }));
    const json = { ...auth(), 'content-type': 'application/json', 'content-length': '0' };
    for (const [method, url, enabled] of [
      ['POST', `/v2/security/rules/${rule.id}/disable`, false],
      ['POST', `/v2/security/rules/${rule.id}/enable`, true],
    ] as const) {
      const r = await s.api.inject({ method, url, headers: json, payload: '' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().enabled, enabled);
    }
    const search = await s.api.inject({
      method: 'POST',
      url: '/v2/security/rules/search',
      headers: json,
      payload: '',
    });
    assert.equal(search.statusCode, 200, search.body);
    const del = await s.api.inject({
      method: 'DELETE',
      url: `/v2/security/rules/${rule.id}`,
      headers: json,
      payload: '',
    });
    assert.equal(del.statusCode, 200, del.body);
    // A route that needs a body still says so.
    const create = await s.api.inject({
      method: 'POST',
      url: '/v2/security/rules',
      headers: json,
      payload: '',
    });
    assert.equal(create.statusCode, 400, create.body);
    assert.equal(create.json().field, 'body');
  });

  test('DELETE removes the rule (200), then 404', async () => {
    const rule = await createOk(ruleRequest({ title: 'delete me' }));
    const foreign = await s.api.inject({
      method: 'DELETE',
      url: `/v2/security/rules/${rule.id}`,
      headers: { 'x-api-token': other.token },
    });
    assert.equal(foreign.statusCode, 404);
    const r = await s.api.inject({ method: 'DELETE', url: `/v2/security/rules/${rule.id}`, headers: auth() });
    assert.equal(r.statusCode, 200);
    const again = await s.api.inject({
      method: 'DELETE',
      url: `/v2/security/rules/${rule.id}`,
      headers: auth(),
    });
    assert.equal(again.statusCode, 404);
  });
});

describe('POST /v2/security/rules/search', () => {
  test('filters, sorts and pages', async () => {
    const mk = (title: string, tiers: Record<string, number>, tags: string[], enabled = true) =>
      createOk(ruleRequest({ title, tags, enabled }, {}, { severityThresholdTiers: tiers }));
    await mk('Search alpha', { LOW: 1 }, ['s1']);
    await mk('Search beta', { SEVERE: 1 }, ['s1', 's2'], false);
    await mk('Search gamma', { MEDIUM: 1, HIGH: 5 }, ['s2']);

    const all = await search({ filter: { search: 'search ' } });
    assert.equal(all.total, 3);
    assert.deepEqual(all.pagination, { pageNumber: 1, pageSize: 25 });

    assert.deepEqual(
      (await search({ filter: { search: 'search', severities: ['SEVERE', 'LOW'] } })).results.map(
        (r) => r.title,
      ),
      ['Search alpha', 'Search beta'],
    );
    assert.deepEqual(
      (await search({ filter: { search: 'search', enabledState: [false] } })).results.map((r) => r.title),
      ['Search beta'],
    );
    assert.deepEqual(
      (await search({ filter: { search: 'search', tags: ['s2'] } })).results.map((r) => r.title),
      ['Search beta', 'Search gamma'],
    );
    assert.equal(
      (await search({ filter: { search: 'search', createdBy: ['SECOPS@siemlink.local'] } })).total,
      3,
    );
    assert.equal((await search({ filter: { search: 'search', updatedBy: ['nobody@x'] } })).total, 0);

    const bySeverity = await search({
      filter: { search: 'search' },
      sort: { sortByField: 'SEVERITY', descending: true },
    });
    assert.deepEqual(
      bySeverity.results.map((r) => r.title),
      ['Search beta', 'Search gamma', 'Search alpha'],
    );
    const byName = await search({
      filter: { search: 'search' },
      sort: { sortByField: 'name', descending: true },
    });
    assert.deepEqual(
      byName.results.map((r) => r.title),
      ['Search gamma', 'Search beta', 'Search alpha'],
    );

    const page2 = await search({
      filter: { search: 'search' },
      sort: { sortByField: 'name' },
      pagination: { pageNumber: '2', pageSize: '2' },
    });
    assert.equal(page2.total, 3);
    assert.deepEqual(page2.pagination, { pageNumber: 2, pageSize: 2 });
    assert.deepEqual(
      page2.results.map((r) => r.title),
      ['Search gamma'],
    );
  });

  test("{} and an empty body return the account's rules only; nulls are absent", async () => {
    const mine = await search({});
    assert.ok(mine.total > 0);
    const theirs = await search({}, other.token);
    assert.equal(theirs.total, 0);
    const nulls = await search({
      filter: { search: null, severities: null },
      sort: null,
      pagination: { pageSize: null },
    });
    assert.equal(nulls.total, mine.total);
    const empty = await s.api.inject({ method: 'POST', url: '/v2/security/rules/search', headers: auth() });
    assert.equal(empty.statusCode, 200);
  });

  test('400 for bad sort field, bad severity, page size > 1000', async () => {
    for (const body of [
      { sort: { sortByField: 'color' } },
      { filter: { severities: ['CRITICAL'] } },
      { pagination: { pageSize: 1001 } },
    ]) {
      const r = await s.api.inject({
        method: 'POST',
        url: '/v2/security/rules/search',
        headers: auth(),
        payload: body,
      });
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.ok(r.json().field.startsWith('body.'));
    }
  });
});

describe('security configurations', () => {
  test('create, list with rule counts; rules go to the named configuration', async () => {
    const c = await s.api.inject({
      method: 'POST',
      url: '/v2/security/configurations',
      headers: auth(),
      payload: { name: 'Cloud' },
    });
    assert.equal(c.statusCode, 201, c.body);
    const cloud = c.json();
    assert.equal(cloud.name, 'Cloud');
    assert.equal(cloud.ruleCount, 0);
    const rule = await createOk(ruleRequest({ title: 'cloud rule', configId: cloud.id }));
    assert.equal(rule.configId, cloud.id);
    const list = await s.api.inject({ method: 'GET', url: '/v2/security/configurations', headers: auth() });
    const found = list.json().find((x: { id: number }) => x.id === cloud.id);
    assert.equal(found.ruleCount, 1);
    assert.equal(list.json()[0].isDefault, true);
    const theirs = await s.api.inject({
      method: 'GET',
      url: '/v2/security/configurations',
      headers: { 'x-api-token': other.token },
    });
    assert.ok(theirs.json().every((x: { id: number }) => x.id !== cloud.id));
  });

  test('409 for a duplicate name, 400 for an empty one', async () => {
    const dup = await s.api.inject({
      method: 'POST',
      url: '/v2/security/configurations',
      headers: auth(),
      payload: { name: 'Cloud' },
    });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().field, 'body.name');
    const empty = await s.api.inject({
      method: 'POST',
      url: '/v2/security/configurations',
      headers: auth(),
      payload: { name: '' },
    });
    assert.equal(empty.statusCode, 400);
  });
});
