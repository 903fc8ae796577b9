/* eslint-disable @typescript-eslint/no-explicit-any -- response JSON is navigated freely in tests */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { SearchResponse } from '@siemlink/contracts';
import { buildTestSiem, type TestSiem } from '../../helpers.ts';
import { FakeClock } from '../../../src/clock.ts';
import { insertLogs, search } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

let siem: TestSiem;

before(async () => {
  siem = await buildTestSiem({ clock: new FakeClock(NOW) });
  const a = siem.logsAccountId;
  insertLogs(siem, a, [
    {
      ts: NOW - 1 * MIN,
      doc: {
        message: 'Failed password for alice from 10.0.0.1',
        user: 'alice',
        outcome: 'failure',
        src: { ip: '10.0.0.1' },
        status: 401,
        bytes: 100,
      },
    },
    {
      ts: NOW - 2 * MIN,
      doc: {
        message: 'Accepted password for bob',
        user: 'bob',
        outcome: 'success',
        src: { ip: '10.0.0.2' },
        status: 200,
        bytes: 300,
      },
    },
    {
      ts: NOW - 3 * MIN,
      doc: {
        message: 'Failed password for alice from 10.0.0.1',
        user: 'alice',
        outcome: 'failure',
        src: { ip: '10.0.0.1' },
        status: 401,
        bytes: 200,
      },
    },
    {
      ts: NOW - 2 * HOUR,
      doc: {
        message: 'process started: mimikatz.exe sekurlsa::logonpasswords',
        user: 'carol',
        host: 'ws-7',
        status: 0,
      },
    },
    {
      ts: NOW - 20 * HOUR,
      doc: { message: 'GET /wp-login.php 404', user: 'dave', status: 404, bytes: 5000, 'http.method': 'GET' },
    },
    {
      ts: NOW - 30 * HOUR,
      doc: { message: 'name test entry yesterday', name: 'test', user: 'erin', status: 500 },
    },
    // Older than yesterday: outside the default window.
    { ts: NOW - 3 * DAY, doc: { message: 'old mimikatz run', name: 'test', user: 'old' } },
    // XSOAR's test range (2020-02-09 .. 2020-03-29): only the last two calendar days are read.
    { ts: Date.UTC(2020, 2, 29, 10), doc: { message: 'march log', name: 'test', user: 'x1' } },
    { ts: Date.UTC(2020, 2, 20, 10), doc: { message: 'earlier march log', name: 'test', user: 'x2' } },
  ]);
  // Another account's logs, inside the window: never visible.
  insertLogs(siem, 9999, [
    {
      ts: NOW - MIN,
      doc: { message: 'Failed password for alice (other account)', user: 'alice', outcome: 'failure' },
    },
  ]);
});
after(() => siem.close());

const users = (b: Record<string, any>) => b.hits.hits.map((h: any) => h._source.user);

describe('what real clients send (api-contracts §3)', () => {
  test('XSOAR search command body: legacy range keys, seconds string and ms number, size as a string', async () => {
    const r = await search(siem, {
      query: {
        bool: {
          must: [
            { query_string: { query: 'name:test' } },
            {
              range: {
                '@timestamp': {
                  from: '1581261159',
                  include_lower: true,
                  to: 1585507577000,
                  include_upper: true,
                },
              },
            },
          ],
        },
      },
      size: '20',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(Value.Check(SearchResponse, r.body));
    assert.equal(r.body.hits.total, 1);
    assert.deepEqual(users(r.body), ['x1']);
    assert.equal(r.headers['x-siemlink-search-window-clamped'], 'true');
  });

  test('XSOAR test button: query_string "*" with size 10 matches everything in the window', async () => {
    const r = await search(siem, { query: { query_string: { query: '*' } }, size: 10 });
    assert.equal(r.status, 200);
    assert.equal(r.body.hits.total, 6);
    assert.equal(typeof r.body.hits.total, 'number');
    assert.deepEqual(users(r.body), ['alice', 'bob', 'alice', 'carol', 'dave', 'erin']);
  });

  test('Siemplify: size 1000 (also as a string), query_string with a time range', async () => {
    for (const size of [1000, '1000']) {
      const r = await search(siem, {
        query: {
          bool: {
            must: [
              { query_string: { query: 'user:alice' } },
              {
                range: {
                  '@timestamp': { gte: new Date(NOW - HOUR).toISOString(), lte: new Date(NOW).toISOString() },
                },
              },
            ],
          },
        },
        size,
      });
      assert.equal(r.status, 200);
      assert.ok(r.body.hits.total >= 0);
      assert.deepEqual(users(r.body), ['alice', 'alice']);
    }
  });

  test('X-USER-TOKEN (legacy Search API header) works like X-API-TOKEN', async () => {
    const r = await search(siem, { query: { match_all: {} } }, { header: 'x-user-token' });
    assert.equal(r.status, 200);
    assert.equal(r.body.hits.total, 6);
  });

  test('the documented date-math example', async () => {
    const r = await search(siem, { query: { range: { '@timestamp': { gte: 'now-5m', lte: 'now' } } } });
    assert.equal(r.status, 200);
    assert.deepEqual(users(r.body), ['alice', 'bob', 'alice']);
  });
});

describe('query DSL', () => {
  const cases: [string, unknown, string[]][] = [
    ['match_all', { match_all: {} }, ['alice', 'bob', 'alice', 'carol', 'dave', 'erin']],
    [
      'query_string fields + AND',
      { query_string: { query: 'user:alice AND outcome:failure' } },
      ['alice', 'alice'],
    ],
    ['query_string free text', { query_string: { query: 'mimikatz' } }, ['carol']],
    ['query_string phrase', { query_string: { query: '"accepted password"' } }, ['bob']],
    [
      'query_string default_field',
      { query_string: { query: 'alice', default_field: 'user' } },
      ['alice', 'alice'],
    ],
    ['query_string fields[]', { query_string: { query: 'ws-7', fields: ['host', 'user'] } }, ['carol']],
    [
      'query_string default_operator AND',
      { query_string: { query: 'failed bob', default_operator: 'AND' } },
      [],
    ],
    [
      'query_string default_operator OR',
      { query_string: { query: 'mimikatz bob', default_operator: 'OR' } },
      ['bob', 'carol'],
    ],
    ['query_string dotted field and IP', { query_string: { query: 'src.ip:10.0.0.2' } }, ['bob']],
    ['query_string _exists_', { query_string: { query: '_exists_:host' } }, ['carol']],
    ['query_string range', { query_string: { query: 'status:[400 TO 499]' } }, ['alice', 'alice', 'dave']],
    ['query_string wildcard', { query_string: { query: 'user:ca*' } }, ['carol']],
    ['query_string NOT', { query_string: { query: 'NOT user:alice AND _exists_:outcome' } }, ['bob']],
    ['match (OR of tokens)', { match: { message: 'accepted mimikatz' } }, ['bob', 'carol']],
    [
      'match operator and',
      { match: { message: { query: 'failed alice', operator: 'and' } } },
      ['alice', 'alice'],
    ],
    ['match number', { match: { status: 404 } }, ['dave']],
    ['multi_match', { multi_match: { query: 'ws-7 dave', fields: ['host', 'user^2'] } }, ['carol', 'dave']],
    [
      'multi_match phrase',
      { multi_match: { query: 'password for bob', type: 'phrase', fields: ['message'] } },
      ['bob'],
    ],
    ['match_phrase', { match_phrase: { message: 'password for alice' } }, ['alice', 'alice']],
    ['match_phrase no match', { match_phrase: { message: 'alice for password' } }, []],
    ['term', { term: { user: 'bob' } }, ['bob']],
    ['term with value', { term: { user: { value: 'bob' } } }, ['bob']],
    ['terms', { terms: { user: ['bob', 'carol'] } }, ['bob', 'carol']],
    ['terms empty', { terms: { user: [] } }, []],
    ['range gt/lt', { range: { bytes: { gt: 100, lt: 5000 } } }, ['bob', 'alice']],
    ['range gte/lte strings', { range: { bytes: { gte: '100', lte: '300' } } }, ['alice', 'bob', 'alice']],
    [
      'range legacy exclusive',
      { range: { bytes: { from: 100, to: 300, include_lower: false, include_upper: false } } },
      ['alice'],
    ],
    [
      'range @timestamp ISO',
      { range: { '@timestamp': { gte: new Date(NOW - 3 * HOUR).toISOString() } } },
      ['alice', 'bob', 'alice', 'carol'],
    ],
    [
      'range @timestamp epoch ms number',
      { range: { '@timestamp': { gte: NOW - 3 * HOUR } } },
      ['alice', 'bob', 'alice', 'carol'],
    ],
    [
      'range @timestamp epoch seconds string',
      { range: { '@timestamp': { gte: String((NOW - 3 * HOUR) / 1000) } } },
      ['alice', 'bob', 'alice', 'carol'],
    ],
    [
      'range @timestamp format epoch_second',
      { range: { '@timestamp': { gte: (NOW - 3 * HOUR) / 1000, format: 'epoch_second' } } },
      ['alice', 'bob', 'alice', 'carol'],
    ],
    [
      'range @timestamp date math rounding',
      { range: { '@timestamp': { gte: 'now/d' } } },
      ['alice', 'bob', 'alice', 'carol'],
    ],
    ['exists', { exists: { field: 'http.method' } }, ['dave']],
    ['wildcard', { wildcard: { user: 'da?e' } }, ['dave']],
    ['wildcard object form', { wildcard: { user: { value: 'er*' } } }, ['erin']],
    ['prefix', { prefix: { user: 'ca' } }, ['carol']],
    ['constant_score', { constant_score: { filter: { term: { user: 'bob' } } } }, ['bob']],
    [
      'bool must + must_not',
      { bool: { must: [{ match: { outcome: 'failure' } }], must_not: { range: { bytes: { gt: 150 } } } } },
      ['alice'],
    ],
    [
      'bool should alone: at least one',
      { bool: { should: [{ term: { user: 'bob' } }, { term: { user: 'dave' } }] } },
      ['bob', 'dave'],
    ],
    [
      'bool should with must: optional',
      { bool: { must: { term: { user: 'bob' } }, should: { term: { user: 'nobody' } } } },
      ['bob'],
    ],
    [
      'bool minimum_should_match 2',
      {
        bool: {
          should: [{ term: { user: 'alice' } }, { term: { outcome: 'failure' } }, { term: { status: 200 } }],
          minimum_should_match: 2,
        },
      },
      ['alice', 'alice'],
    ],
    [
      'bool filter',
      { bool: { filter: [{ term: { user: 'alice' } }, { range: { bytes: { gte: 200 } } }] } },
      ['alice'],
    ],
    ['empty bool', { bool: {} }, ['alice', 'bob', 'alice', 'carol', 'dave', 'erin']],
  ];
  for (const [name, query, want] of cases) {
    test(name, async () => {
      const r = await search(siem, { query, size: 100 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(users(r.body), want);
      assert.equal(r.body.hits.total, want.length);
    });
  }
});

describe('paging, sort, _source, post_filter, window', () => {
  test('from/size page through newest first; total counts all', async () => {
    const r = await search(siem, { query: { match_all: {} }, from: 1, size: 2 });
    assert.deepEqual(users(r.body), ['bob', 'alice']);
    assert.equal(r.body.hits.total, 6);
    const q = await search(siem, {
      query: { query_string: { query: 'user:alice OR user:bob' } },
      from: '2',
      size: '5',
    });
    assert.deepEqual(users(q.body), ['alice']);
    assert.equal(q.body.hits.total, 3);
  });

  test('size 0 returns no hits but the total', async () => {
    const r = await search(siem, { query: { term: { outcome: 'failure' } }, size: 0 });
    assert.deepEqual(r.body.hits.hits, []);
    assert.equal(r.body.hits.total, 2);
  });

  test('sort by @timestamp asc and by a field desc, with sort values and null scores', async () => {
    const asc = await search(siem, {
      query: { match_all: {} },
      sort: [{ '@timestamp': { order: 'asc' } }],
      size: 2,
    });
    assert.deepEqual(users(asc.body), ['erin', 'dave']);
    assert.deepEqual(asc.body.hits.hits[0].sort, [NOW - 30 * HOUR]);
    assert.equal(asc.body.hits.hits[0]._score, null);
    assert.equal(asc.body.hits.max_score, null);
    const byBytes = await search(siem, {
      query: { match_all: {} },
      sort: [{ bytes: 'desc' }, 'user'],
      size: 10,
    });
    assert.deepEqual(users(byBytes.body), ['dave', 'bob', 'alice', 'alice', 'carol', 'erin']);
    const q = await search(siem, {
      query: { query_string: { query: 'status:*' } },
      sort: { status: { order: 'asc' } },
      size: 2,
      from: 1,
    });
    assert.deepEqual(users(q.body), ['bob', 'alice']);
  });

  test('hits carry ES 6 fields', async () => {
    const r = await search(siem, { query: { term: { user: 'bob' } } });
    const h = r.body.hits.hits[0];
    assert.equal(typeof h._id, 'string');
    assert.equal(typeof h._index, 'string');
    assert.equal(h._type, 'test');
    assert.equal(h._score, 1);
    assert.equal(r.body.hits.max_score, 1);
    assert.equal(r.body.timed_out, false);
    assert.equal(r.body._shards.failed, 0);
    assert.equal(r.body.aggregations, undefined);
  });

  test('_source false, includes list, includes/excludes object', async () => {
    const off = await search(siem, { query: { term: { user: 'bob' } }, _source: false });
    assert.equal(off.body.hits.hits[0]._source, undefined);
    const inc = await search(siem, { query: { term: { user: 'bob' } }, _source: ['user', 'src.ip'] });
    assert.deepEqual(inc.body.hits.hits[0]._source, { user: 'bob', src: { ip: '10.0.0.2' } });
    const obj = await search(siem, {
      query: { term: { user: 'bob' } },
      _source: { includes: ['*'], excludes: ['message', 'src.*'] },
    });
    assert.equal(obj.body.hits.hits[0]._source.message, undefined);
    assert.deepEqual(obj.body.hits.hits[0]._source.src, {});
    assert.equal(obj.body.hits.hits[0]._source.user, 'bob');
  });

  test('post_filter narrows hits but not aggregations', async () => {
    const r = await search(siem, {
      query: { range: { '@timestamp': { gte: 'now-10m' } } },
      post_filter: { term: { user: 'bob' } },
      aggs: { users: { terms: { field: 'user' } } },
    });
    assert.deepEqual(users(r.body), ['bob']);
    assert.equal(r.body.hits.total, 1);
    assert.deepEqual(r.body.aggregations.users.buckets, [
      { key: 'alice', doc_count: 2 },
      { key: 'bob', doc_count: 1 },
    ]);
  });

  test('dayOffset moves the two-day window back (query parameter and body)', async () => {
    const viaQuery = await search(siem, { query: { match_all: {} } }, { url: '/v1/search?dayOffset=2' });
    assert.equal(viaQuery.status, 200);
    assert.deepEqual(users(viaQuery.body), ['old']);
    const viaBody = await search(siem, { query: { match_all: {} }, dayOffset: '2' });
    assert.deepEqual(users(viaBody.body), ['old']);
  });

  test('a timestamp range selects other days (up to two calendar days)', async () => {
    const r = await search(siem, {
      query: { range: { '@timestamp': { gte: NOW - 12 * HOUR - 3 * DAY, lt: NOW - 2 * DAY } } },
    });
    assert.deepEqual(users(r.body), ['old']);
    assert.equal(r.headers['x-siemlink-search-window-clamped'], undefined);
  });

  test('an account sees only its own logs', async () => {
    const r = await search(siem, { query: { query_string: { query: 'other' } } });
    assert.equal(r.body.hits.total, 0);
  });
});

describe('aggregations', () => {
  test('terms, date_histogram with a metric, cardinality, value_count, min/max/avg/sum', async () => {
    const r = await search(siem, {
      query: { match_all: {} },
      size: 0,
      aggs: {
        users: { terms: { field: 'user', size: 2 } },
        per_day: {
          date_histogram: { field: '@timestamp', fixed_interval: '1d' },
          aggs: { top: { max: { field: 'bytes' } } },
        },
        distinct: { cardinality: { field: 'user' } },
        n: { value_count: { field: 'bytes' } },
        lo: { min: { field: 'bytes' } },
        hi: { max: { field: 'bytes' } },
        mean: { avg: { field: 'bytes' } },
        total: { sum: { field: 'bytes' } },
        last: { max: { field: '@timestamp' } },
      },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const a = r.body.aggregations;
    assert.deepEqual(a.users, {
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: 3,
      buckets: [
        { key: 'alice', doc_count: 2 },
        { key: 'bob', doc_count: 1 },
      ],
    });
    assert.deepEqual(
      a.per_day.buckets.map((b: any) => [b.key_as_string.slice(0, 10), b.doc_count, b.top.value]),
      [
        ['2026-01-14', 2, 5000],
        ['2026-01-15', 4, 300],
      ],
    );
    assert.equal(a.distinct.value, 5);
    assert.equal(a.n.value, 4);
    assert.equal(a.lo.value, 100);
    assert.equal(a.hi.value, 5000);
    assert.equal(a.mean.value, 1400);
    assert.equal(a.total.value, 5600);
    assert.equal(a.last.value, NOW - MIN);
    assert.equal(a.last.value_as_string, new Date(NOW - MIN).toISOString());
  });

  test('date_histogram fills empty buckets; "aggregations" key works too', async () => {
    const r = await search(siem, {
      query: { range: { '@timestamp': { gte: 'now-21h' } } },
      size: 0,
      aggregations: { h: { date_histogram: { field: '@timestamp', interval: '2h' } } },
    });
    assert.deepEqual(
      r.body.aggregations.h.buckets.map((b: any) => b.doc_count),
      [1, 0, 0, 0, 0, 0, 0, 0, 0, 4],
    );
  });

  const rejected: [string, unknown, string][] = [
    ['significant_terms', { x: { significant_terms: { field: 'user' } } }, 'FORBIDDEN_QUERY'],
    ['multi_terms', { x: { multi_terms: { terms: [{ field: 'user' }] } } }, 'FORBIDDEN_QUERY'],
    ['aggregation on message', { x: { terms: { field: 'message' } } }, 'FORBIDDEN_QUERY'],
    [
      'bucket inside bucket',
      {
        x: {
          terms: { field: 'user' },
          aggs: { y: { date_histogram: { field: '@timestamp', interval: '1h' } } },
        },
      },
      'FORBIDDEN_QUERY',
    ],
    ['terms size over 1000', { x: { terms: { field: 'user', size: 1001 } } }, 'INVALID_QUERY'],
    ['unsupported type', { x: { histogram: { field: 'bytes', interval: 10 } } }, 'AGGREGATION_NOT_SUPPORTED'],
    ['missing field', { x: { terms: { size: 5 } } }, 'INVALID_QUERY'],
    [
      'too many buckets',
      { x: { date_histogram: { field: '@timestamp', fixed_interval: '1s' } } },
      'TOO_MANY_BUCKETS',
    ],
  ];
  for (const [name, aggs, code] of rejected) {
    test(`rejects ${name}`, async () => {
      const r = await search(siem, { query: { match_all: {} }, aggs });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.errorCode, code);
      assert.ok(r.body.field?.startsWith('aggs.x'), r.body.field);
    });
  }
});
