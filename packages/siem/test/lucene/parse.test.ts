import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLucene, type LuceneNode } from '../../src/lucene/index.ts';
import { SiemError } from '../../src/errors.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 30);
const t = (field: string | null, value: string): LuceneNode => ({ kind: 'term', field, value });

const valid: [string, LuceneNode][] = [
  ['*', { kind: 'all' }],
  ['*:*', { kind: 'all' }],
  ['', { kind: 'all' }],
  ['mimikatz', t(null, 'mimikatz')],
  ['user:alice', t('user', 'alice')],
  ['user:alice AND outcome:failure', { kind: 'and', nodes: [t('user', 'alice'), t('outcome', 'failure')] }],
  ['user:alice && outcome:failure', { kind: 'and', nodes: [t('user', 'alice'), t('outcome', 'failure')] }],
  ['a OR b', { kind: 'or', nodes: [t(null, 'a'), t(null, 'b')] }],
  ['a || b', { kind: 'or', nodes: [t(null, 'a'), t(null, 'b')] }],
  ['a b', { kind: 'or', nodes: [t(null, 'a'), t(null, 'b')] }],
  [
    'a:b OR c AND d',
    { kind: 'or', nodes: [t('a', 'b'), { kind: 'and', nodes: [t(null, 'c'), t(null, 'd')] }] },
  ],
  ['NOT a', { kind: 'not', node: t(null, 'a') }],
  ['-a:b', { kind: 'not', node: t('a', 'b') }],
  ['!a', { kind: 'not', node: t(null, 'a') }],
  ['a AND NOT b', { kind: 'and', nodes: [t(null, 'a'), { kind: 'not', node: t(null, 'b') }] }],
  ['a NOT b', { kind: 'and', nodes: [t(null, 'a'), { kind: 'not', node: t(null, 'b') }] }],
  ['+a b -c', { kind: 'and', nodes: [t(null, 'a'), { kind: 'not', node: t(null, 'c') }] }],
  ['-(a OR b)', { kind: 'not', node: { kind: 'or', nodes: [t(null, 'a'), t(null, 'b')] } }],
  ['x:(a OR b)', { kind: 'or', nodes: [t('x', 'a'), t('x', 'b')] }],
  [
    '(a OR b) AND c',
    { kind: 'and', nodes: [{ kind: 'or', nodes: [t(null, 'a'), t(null, 'b')] }, t(null, 'c')] },
  ],
  ['"failed password"', { kind: 'phrase', field: null, value: 'failed password' }],
  ['message:"a \\"quoted\\" word"', { kind: 'phrase', field: 'message', value: 'a "quoted" word' }],
  ['src.ip:10.0.0.1', t('src.ip', '10.0.0.1')],
  ['user.name:bob', t('user.name', 'bob')],
  ['path:\\/etc\\/passwd', t('path', '/etc/passwd')],
  ['foo\\*bar', t(null, 'foo*bar')],
  ['user:al*', { kind: 'wildcard', field: 'user', pattern: 'al*' }],
  ['user:a?ice', { kind: 'wildcard', field: 'user', pattern: 'a?ice' }],
  ['user:*', { kind: 'exists', field: 'user' }],
  ['_exists_:user.name', { kind: 'exists', field: 'user.name' }],
  [
    'n:[1 TO 5]',
    { kind: 'range', field: 'n', min: { value: 1, inclusive: true }, max: { value: 5, inclusive: true } },
  ],
  [
    'n:{1 TO 5]',
    { kind: 'range', field: 'n', min: { value: 1, inclusive: false }, max: { value: 5, inclusive: true } },
  ],
  ['n:[1 TO *]', { kind: 'range', field: 'n', min: { value: 1, inclusive: true } }],
  ['n:>=5', { kind: 'range', field: 'n', min: { value: 5, inclusive: true } }],
  ['n:<5', { kind: 'range', field: 'n', max: { value: 5, inclusive: false } }],
  [
    's:[a TO m}',
    {
      kind: 'range',
      field: 's',
      min: { value: 'a', inclusive: true },
      max: { value: 'm', inclusive: false },
    },
  ],
  [
    '@timestamp:[2026-01-01 TO 2026-01-02T00:00:00Z]',
    {
      kind: 'range',
      field: '@timestamp',
      min: { value: Date.UTC(2026, 0, 1), inclusive: true, time: true },
      max: { value: Date.UTC(2026, 0, 2), inclusive: true, time: true },
    },
  ],
  [
    '@timestamp:[now-1h TO now]',
    {
      kind: 'range',
      field: '@timestamp',
      min: { value: NOW - 3_600_000, inclusive: true, time: true },
      max: { value: NOW, inclusive: true, time: true },
    },
  ],
  [
    '@timestamp:>=now\\/d',
    {
      kind: 'range',
      field: '@timestamp',
      min: { value: Date.UTC(2026, 0, 15), inclusive: true, time: true },
    },
  ],
  [
    '@timestamp:[1581261159 TO 1585507577000]',
    {
      kind: 'range',
      field: '@timestamp',
      min: { value: 1581261159000, inclusive: true, time: true },
      max: { value: 1585507577000, inclusive: true, time: true },
    },
  ],
  ['status:404^2', t('status', '404')],
  ['user:alice~2', t('user', 'alice')],
  ['alice~', t(null, 'alice')],
  ['"x y"~3', { kind: 'phrase', field: null, value: 'x y' }],
  ['a\\~2', t(null, 'a~2')],
];

for (const [q, want] of valid) {
  test(`parses ${JSON.stringify(q)}`, () => assert.deepEqual(parseLucene(q, { now: NOW }), want));
}

test('default operator AND joins bare terms', () => {
  assert.deepEqual(parseLucene('a b', { defaultOperator: 'AND' }), {
    kind: 'and',
    nodes: [t(null, 'a'), t(null, 'b')],
  });
});

test('default fields receive bare terms', () => {
  assert.deepEqual(parseLucene('x', { defaultFields: ['message'] }), t('message', 'x'));
  assert.deepEqual(parseLucene('x', { defaultFields: ['a', 'b'] }), {
    kind: 'or',
    nodes: [t('a', 'x'), t('b', 'x')],
  });
  assert.deepEqual(parseLucene('x', { defaultFields: ['*'] }), t(null, 'x'));
});

test('leading wildcards are allowed only when asked', () => {
  assert.deepEqual(parseLucene('*ice', { allowLeadingWildcard: true }), {
    kind: 'wildcard',
    field: null,
    pattern: '*ice',
  });
});

const invalid: [string, string][] = [
  ['a:"unterminated', 'INVALID_LUCENE'],
  ['(a OR b', 'INVALID_LUCENE'],
  ['a)', 'INVALID_LUCENE'],
  ['a:', 'INVALID_LUCENE'],
  ['AND', 'INVALID_LUCENE'],
  ['OR b', 'INVALID_LUCENE'],
  ['n:[1 TO', 'INVALID_LUCENE'],
  ['a:b:c', 'INVALID_LUCENE'],
  ['::', 'INVALID_LUCENE'],
  ['a:/re.*/', 'INVALID_LUCENE'],
  ['[1 TO 5]', 'INVALID_LUCENE'],
  ['>5', 'INVALID_LUCENE'],
  ['@timestamp:[yesterday TO now]', 'INVALID_LUCENE'],
  ['@timestamp:>now-5x', 'INVALID_LUCENE'],
  ['*ice', 'LEADING_WILDCARD'],
  ['user:*ice', 'LEADING_WILDCARD'],
  ['user:?lice', 'LEADING_WILDCARD'],
  ['a AND *b', 'LEADING_WILDCARD'],
  ['x'.repeat(40_000), 'QUERY_LIMIT_EXCEEDED'],
];

for (const [q, code] of invalid) {
  test(`rejects ${JSON.stringify(q.slice(0, 40))} with ${code}`, () => {
    assert.throws(
      () => parseLucene(q, { now: NOW }),
      (e: unknown) => e instanceof SiemError && e.status === 400 && e.code === code && e.message.length > 0,
    );
  });
}

test('date math without a clock is a 400, not a guess', () => {
  assert.throws(
    () => parseLucene('@timestamp:>now-5m'),
    (e: unknown) => e instanceof SiemError && e.status === 400,
  );
});

test('syntax errors name the position', () => {
  assert.throws(() => parseLucene('a:"x'), /position \d+/);
});
