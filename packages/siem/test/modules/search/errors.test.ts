import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestSiem, type TestSiem } from '../../helpers.ts';
import { FakeClock } from '../../../src/clock.ts';
import { insertLogs, search } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
let siem: TestSiem;

before(async () => {
  siem = await buildTestSiem({ clock: new FakeClock(NOW) });
  insertLogs(siem, siem.logsAccountId, [{ ts: NOW - 1000, doc: { message: 'hello', user: 'alice' } }]);
});
after(() => siem.close());

describe('auth', () => {
  test('missing token: 401', async () => {
    const r = await search(siem, { query: { match_all: {} } }, { token: null });
    assert.equal(r.status, 401);
    assert.equal(r.body.errorCode, 'MISSING_TOKEN');
  });
  test('unknown token: 401, and the token is not echoed', async () => {
    const r = await search(siem, { query: { match_all: {} } }, { token: 'not-a-real-token-123' });
    assert.equal(r.status, 401);
    assert.ok(!JSON.stringify(r.body).includes('not-a-real-token-123'));
  });
  test('a SIEM (security) account token: 403', async () => {
    const r = await search(siem, { query: { match_all: {} } }, { token: siem.siemToken });
    assert.equal(r.status, 403);
    assert.equal(r.body.errorCode, 'WRONG_ACCOUNT_TYPE');
  });
  test('a shipping token is not an API token: 401', async () => {
    const r = await search(siem, { query: { match_all: {} } }, { token: siem.shippingToken });
    assert.equal(r.status, 401);
  });
});

function deep(n: number): unknown {
  let q: unknown = { match_all: {} };
  for (let i = 0; i < n; i++) q = { bool: { must: [q] } };
  return q;
}

const bad: [string, unknown, number, string, string | RegExp][] = [
  ['body is an array', [], 400, 'INVALID_JSON', 'body'],
  ['query missing', { size: 10 }, 400, 'INVALID_QUERY', 'query'],
  ['query not an object', { query: 'user:alice' }, 400, 'INVALID_QUERY', 'query'],
  [
    'unknown top-level key',
    { query: { match_all: {} }, scroll: '1m', foo: 1 },
    400,
    'NOT_ALLOWED_ELEMENTS',
    /Found JSON elements which are not allowed \[scroll, foo\]/,
  ],
  ['size over 10000', { query: { match_all: {} }, size: 10001 }, 400, 'INVALID_QUERY', 'size'],
  ['size negative', { query: { match_all: {} }, size: -1 }, 400, 'INVALID_QUERY', 'size'],
  ['size not a number', { query: { match_all: {} }, size: 'ten' }, 400, 'INVALID_QUERY', 'size'],
  ['size fractional', { query: { match_all: {} }, size: 1.5 }, 400, 'INVALID_QUERY', 'size'],
  [
    'from + size over 10000',
    { query: { match_all: {} }, from: 9995, size: 10 },
    400,
    'INVALID_QUERY',
    'from',
  ],
  ['dayOffset not a number', { query: { match_all: {} }, dayOffset: 'x' }, 400, 'INVALID_QUERY', 'dayOffset'],
  ['version not boolean', { query: { match_all: {} }, version: 'yes' }, 400, 'INVALID_QUERY', 'version'],
  ['_source wrong type', { query: { match_all: {} }, _source: 5 }, 400, 'INVALID_QUERY', '_source'],
  ['sort on message', { query: { match_all: {} }, sort: ['message'] }, 400, 'SORT_NOT_ALLOWED', 'sort[0]'],
  ['sort bad order', { query: { match_all: {} }, sort: [{ user: 'up' }] }, 400, 'INVALID_QUERY', 'sort[0]'],
  [
    'allow_leading_wildcard true',
    { query: { query_string: { query: 'a', allow_leading_wildcard: true } } },
    400,
    'FORBIDDEN_QUERY',
    /allow_leading_wildcard not allowed to be true/,
  ],
  [
    'wildcard starting with *',
    { query: { wildcard: { user: '*lice' } } },
    400,
    'FORBIDDEN_QUERY',
    /not allowed to start with '\*' or '\?'/,
  ],
  [
    'wildcard starting with ?',
    { query: { bool: { must: [{ wildcard: { user: { value: '?lice' } } }] } } },
    400,
    'FORBIDDEN_QUERY',
    'query.bool.must[0].wildcard.user',
  ],
  [
    'leading wildcard in query_string',
    { query: { query_string: { query: 'user:*lice' } } },
    400,
    'LEADING_WILDCARD',
    /leading wildcard which is not allowed/,
  ],
  [
    'max_expansions anywhere',
    { query: { bool: { must: { match: { user: { query: 'a', max_expansions: 5 } } } } } },
    400,
    'FORBIDDEN_QUERY',
    'query.bool.must.match.user.max_expansions',
  ],
  [
    'fuzzy_max_expansions',
    { query: { query_string: { query: 'a', fuzzy_max_expansions: 5 } } },
    400,
    'FORBIDDEN_QUERY',
    'query.query_string.fuzzy_max_expansions',
  ],
  [
    'max_determinized_states in post_filter',
    { query: { match_all: {} }, post_filter: { query_string: { query: 'a', max_determinized_states: 1 } } },
    400,
    'FORBIDDEN_QUERY',
    'post_filter.query_string.max_determinized_states',
  ],
  [
    'invalid Lucene',
    { query: { query_string: { query: 'user:"alice' } } },
    400,
    'INVALID_LUCENE',
    'query.query_string.query',
  ],
  [
    'invalid Lucene in bool',
    { query: { bool: { filter: [{ query_string: { query: '(a OR' } }] } } },
    400,
    'INVALID_LUCENE',
    'query.bool.filter[0].query_string.query',
  ],
  [
    'query_string without query',
    { query: { query_string: { default_field: 'x' } } },
    400,
    'INVALID_QUERY',
    'query.query_string.query',
  ],
  [
    'query_string unknown option',
    { query: { query_string: { query: 'a', bogus: 1 } } },
    400,
    'INVALID_QUERY',
    'query.query_string.bogus',
  ],
  [
    'bad default_operator',
    { query: { query_string: { query: 'a', default_operator: 'XOR' } } },
    400,
    'INVALID_QUERY',
    'query.query_string.default_operator',
  ],
  ['unsupported query type', { query: { fuzzy: { user: 'alice' } } }, 400, 'INVALID_QUERY', 'query.fuzzy'],
  ['two keys in one clause', { query: { term: { a: 1 }, match: { b: 2 } } }, 400, 'INVALID_QUERY', 'query'],
  ['empty clause', { query: {} }, 400, 'INVALID_QUERY', 'query'],
  ['bool unknown key', { query: { bool: { musts: [] } } }, 400, 'INVALID_QUERY', 'query.bool.musts'],
  [
    'bad minimum_should_match',
    { query: { bool: { should: [{ match_all: {} }], minimum_should_match: 'lots' } } },
    400,
    'INVALID_QUERY',
    'query.bool.minimum_should_match',
  ],
  ['range not an object', { query: { range: { bytes: 5 } } }, 400, 'INVALID_QUERY', 'query.range.bytes'],
  [
    'range unknown key',
    { query: { range: { bytes: { above: 5 } } } },
    400,
    'INVALID_QUERY',
    'query.range.bytes.above',
  ],
  [
    'range bad date',
    { query: { range: { '@timestamp': { gte: 'last tuesday' } } } },
    400,
    'INVALID_QUERY',
    'query.range.@timestamp.gte',
  ],
  [
    'range bad date math',
    { query: { range: { '@timestamp': { gte: 'now-5x' } } } },
    400,
    'INVALID_QUERY',
    'query.range.@timestamp.gte',
  ],
  ['terms not an array', { query: { terms: { user: 'alice' } } }, 400, 'INVALID_QUERY', 'query.terms.user'],
  ['exists without field', { query: { exists: {} } }, 400, 'INVALID_QUERY', 'query.exists.field'],
  [
    'term with object value',
    { query: { term: { user: { value: { x: 1 } } } } },
    400,
    'INVALID_QUERY',
    'query.term',
  ],
  [
    'multi_match without query',
    { query: { multi_match: { fields: ['a'] } } },
    400,
    'INVALID_QUERY',
    'query.multi_match.query',
  ],
  ['nesting too deep', { query: deep(200) }, 400, 'INVALID_QUERY', 'query'],
  [
    'unsupported agg interval',
    {
      query: { match_all: {} },
      aggs: { x: { date_histogram: { field: '@timestamp', interval: 'fortnight' } } },
    },
    400,
    'INVALID_QUERY',
    'aggs.x',
  ],
  [
    'unknown option on terms agg sort',
    { query: { match_all: {} }, aggs: { x: { terms: { field: 'user', order: { _max: 'asc' } } } } },
    400,
    'INVALID_QUERY',
    'aggs.x',
  ],
  [
    'metric with sub-aggs',
    {
      query: { match_all: {} },
      aggs: { x: { max: { field: 'bytes' }, aggs: { y: { min: { field: 'bytes' } } } } },
    },
    400,
    'INVALID_QUERY',
    'aggs.x',
  ],
  [
    'aggs and aggregations both',
    { query: { match_all: {} }, aggs: {}, aggregations: {} },
    400,
    'INVALID_QUERY',
    'aggregations',
  ],
];

describe('bad input gets a 400 naming the problem', () => {
  for (const [name, body, status, code, where] of bad) {
    test(name, async () => {
      const r = await search(siem, body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.errorCode, code, JSON.stringify(r.body));
      assert.equal(typeof r.body.message, 'string');
      if (typeof where === 'string')
        assert.ok(r.body.field?.startsWith(where), `field ${r.body.field} should start with ${where}`);
      else assert.match(r.body.message, where);
    });
  }

  test('malformed JSON: 400 INVALID_JSON', async () => {
    const r = await search(siem, undefined, { raw: '{"query": {"match_all": {}' });
    assert.equal(r.status, 400);
    assert.equal(r.body.errorCode, 'INVALID_JSON');
  });

  test('empty body: 400', async () => {
    const r = await search(siem, undefined, { raw: '' });
    assert.equal(r.status, 400);
  });

  test('nulls are treated as absent (FortiSOAR-style clients)', async () => {
    const r = await search(siem, { query: { match_all: {} }, size: null, sort: null, _source: null });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.hits.total, 1);
  });

  test('a @timestamp bound outside years 0000-9999 is a 400, not a 500 from the window', async () => {
    const range = (b: Record<string, unknown>) => ({ query: { range: { '@timestamp': b } } });
    const bodies: [unknown, string][] = [
      [range({ gte: '99999999999999999999' }), 'query.range.@timestamp.gte'],
      [range({ lte: -1e20 }), 'query.range.@timestamp.lte'],
      [range({ gte: '99999999999999999999', format: 'epoch_millis' }), 'query.range.@timestamp.gte'],
      [
        { query: { query_string: { query: '@timestamp:[99999999999999999999 TO *]' } } },
        'query.query_string',
      ],
    ];
    for (const [body, field] of bodies) {
      const r = await search(siem, body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.ok(r.body.field?.startsWith(field), `field ${r.body.field} should start with ${field}`);
      assert.match(r.body.message, /outside the supported dates/);
    }
    // JSON's 1e400 parses to Infinity: not silently an open bound.
    const inf = await search(siem, undefined, {
      raw: '{"query":{"range":{"@timestamp":{"gte":1e400}}}}',
    });
    assert.equal(inf.status, 400, JSON.stringify(inf.body));
  });

  test('the server keeps serving after errors', async () => {
    const r = await search(siem, { query: { query_string: { query: 'user:alice' } } });
    assert.equal(r.status, 200);
    assert.equal(r.body.hits.total, 1);
  });
});

describe('random query_string input never yields a 500', () => {
  test('fuzzed queries through the route', async () => {
    let s = 42;
    const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pieces = [
      'user',
      ':',
      'alice',
      '"',
      '(',
      ')',
      '[',
      ' TO ',
      ']',
      '*',
      '?',
      ' AND ',
      ' OR ',
      'NOT ',
      '-',
      '\\',
      '/',
      '@timestamp',
      'now-1d',
      '>',
      '{',
      '}',
      '~',
      '^',
      ' ',
    ];
    for (let i = 0; i < 300; i++) {
      let q = '';
      const n = 1 + Math.floor(rnd() * 10);
      for (let j = 0; j < n; j++) q += pieces[Math.floor(rnd() * pieces.length)];
      const r = await search(siem, { query: { query_string: { query: q } } });
      assert.ok(
        r.status === 200 || r.status === 400,
        `query ${JSON.stringify(q)} gave ${r.status} ${JSON.stringify(r.body)}`,
      );
    }
  });
});
