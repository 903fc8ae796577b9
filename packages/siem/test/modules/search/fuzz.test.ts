import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestSiem, type TestSiem } from '../../helpers.ts';
import { FakeClock } from '../../../src/clock.ts';
import { insertLogs, search } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
let siem: TestSiem;

before(async () => {
  siem = await buildTestSiem({ clock: new FakeClock(NOW) });
  insertLogs(
    siem,
    siem.logsAccountId,
    Array.from({ length: 50 }, (_, i) => ({
      ts: NOW - i * 600_000,
      doc: {
        message: `event ${i} user${i % 5}`,
        user: `user${i % 5}`,
        n: i,
        tags: ['a', i % 2 ? 'b' : 'c'],
        nested: { x: i },
      },
    })),
  );
});
after(() => siem.close());

let s = 7;
const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const KEYS = [
  'bool',
  'must',
  'should',
  'must_not',
  'filter',
  'minimum_should_match',
  'query_string',
  'query',
  'default_field',
  'fields',
  'default_operator',
  'match',
  'match_phrase',
  'multi_match',
  'match_all',
  'term',
  'terms',
  'range',
  'gte',
  'lt',
  'from',
  'to',
  'include_lower',
  'exists',
  'field',
  'wildcard',
  'prefix',
  'value',
  'user',
  'n',
  '@timestamp',
  'nested.x',
  'tags',
  'format',
  'aggs',
  'terms',
  'date_histogram',
  'interval',
  'size',
  'max',
  'order',
  '_count',
];
const SCALARS: unknown[] = [
  'user1',
  '*',
  'now-1h',
  'now/d',
  '2026-01-15',
  5,
  -1,
  0,
  1e12,
  '10',
  true,
  false,
  'a*',
  '*a',
  'AND',
  '(',
  '"',
  'epoch_millis',
  '1h',
  1.5,
  '',
];

function value(depth: number): unknown {
  const k = rnd();
  if (depth > 4 || k < 0.35) return pick(SCALARS);
  if (k < 0.5) return Array.from({ length: Math.floor(rnd() * 3) }, () => value(depth + 1));
  const o: Record<string, unknown> = {};
  const n = 1 + Math.floor(rnd() * 2);
  for (let i = 0; i < n; i++) o[pick(KEYS)] = value(depth + 1);
  return o;
}

const FIELDS = ['user', 'n', '@timestamp', 'nested.x', 'tags', 'message', 'missing'];
const sc = () =>
  rnd() < 0.8 ? pick(['user1', 'a', 'b', 5, '10', 'now-1h', '2026-01-15', 'event']) : pick(SCALARS);

/** Mostly well-formed clauses, with a random bad value now and then. */
function clause(depth: number): unknown {
  if (rnd() < 0.05) return value(depth);
  const f = pick(FIELDS);
  switch (depth > 3 ? Math.floor(rnd() * 8) + 1 : Math.floor(rnd() * 9)) {
    case 0: {
      const b: Record<string, unknown> = {};
      for (const k of ['must', 'should', 'must_not', 'filter'])
        if (rnd() < 0.4) b[k] = rnd() < 0.5 ? clause(depth + 1) : [clause(depth + 1), clause(depth + 1)];
      if (rnd() < 0.2) b.minimum_should_match = pick([1, 2, '50%', '-1', 'x']);
      return { bool: b };
    }
    case 1:
      return {
        query_string: {
          query: pick([
            'user:user1',
            '*',
            'event AND n:[1 TO 9]',
            'user:u*',
            '"event 1"',
            '_exists_:tags',
            'n:>5',
            '(a OR',
          ]),
        },
      };
    case 2:
      return { match: { [f]: sc() } };
    case 3:
      return { term: { [f]: sc() } };
    case 4:
      return { terms: { [f]: [sc(), sc()] } };
    case 5:
      return {
        range: {
          [f]: {
            [pick(['gte', 'gt', 'lte', 'lt', 'from', 'to'])]: sc(),
            ...(rnd() < 0.3 ? { format: 'epoch_millis' } : {}),
          },
        },
      };
    case 6:
      return { exists: { field: f } };
    case 7:
      return { wildcard: { [f]: pick(['us*', 'a?', '*x', 'e*t']) } };
    default:
      return { match_phrase: { [f]: sc() } };
  }
}

function aggs(): unknown {
  const f = pick(FIELDS);
  return pick([
    { a: { terms: { field: f, size: pick([1, 5, 2000, 'x']) } } },
    {
      a: {
        date_histogram: { field: '@timestamp', fixed_interval: pick(['1h', '10m', 'x']) },
        aggs: { m: { max: { field: f } } },
      },
    },
    { a: { [pick(['min', 'max', 'avg', 'sum', 'cardinality', 'value_count', 'stats'])]: { field: f } } },
    value(1),
  ]);
}

test('random DSL bodies get 200 or 400, never a 500', async () => {
  let ok = 0;
  for (let i = 0; i < 400; i++) {
    const body: Record<string, unknown> = { query: rnd() < 0.2 ? value(0) : clause(0) };
    if (rnd() < 0.3) body.aggs = aggs();
    if (rnd() < 0.3)
      body.sort = rnd() < 0.7 ? [{ [pick(FIELDS)]: pick(['asc', 'desc', { order: 'desc' }]) }] : value(2);
    if (rnd() < 0.2) body._source = value(3);
    if (rnd() < 0.2) body.post_filter = clause(1);
    if (rnd() < 0.3) body.size = pick([...SCALARS, 3, '7']);
    const r = await search(siem, body);
    assert.ok(
      r.status === 200 || r.status === 400,
      `${JSON.stringify(body)} -> ${r.status} ${JSON.stringify(r.body)}`,
    );
    if (r.status === 400) assert.equal(typeof r.body.errorCode, 'string');
    else ok++;
  }
  // Most random trees are invalid; enough must be valid for the 200 paths to be exercised too.
  assert.ok(ok >= 100, `only ${ok} bodies were valid`);
});
