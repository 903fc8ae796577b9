import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LUCENE_LIMITS, matchesLucene, parseLucene } from '../../src/lucene/index.ts';
import { fieldValues } from '../../src/lucene/text.ts';
import { SiemError } from '../../src/errors.ts';

const over: [string, string, string][] = [
  ['maxQueryLength', 'a '.repeat(LUCENE_LIMITS.maxQueryLength), 'characters'],
  ['maxClauses', 'a AND '.repeat(LUCENE_LIMITS.maxClauses) + 'a', 'clauses'],
  ['maxNesting', '('.repeat(21) + 'a' + ')'.repeat(21), 'levels'],
  ['maxFieldLength', `_exists_:${'a.'.repeat(1999)}a`, 'characters'],
  ['maxFieldSegments', `${'a.'.repeat(20)}b:x`, 'segments'],
  ['maxFieldLength', `${'f'.repeat(300)}:x`, 'characters'],
  ['maxPatternLength', `user_agent:M${'*?'.repeat(200)}z`, 'characters'],
  ['maxTermLength', `message:"${'word '.repeat(300)}"`, 'characters'],
];

for (const [limit, q, what] of over) {
  test(`${limit}: a 400 QUERY_LIMIT_EXCEEDED that names the limit and its value`, () => {
    assert.throws(
      () => parseLucene(q),
      (e: unknown) =>
        e instanceof SiemError &&
        e.status === 400 &&
        e.code === 'QUERY_LIMIT_EXCEEDED' &&
        e.field === 'query' &&
        e.message.includes(`${limit} is ${LUCENE_LIMITS[limit as keyof typeof LUCENE_LIMITS]}`) &&
        e.message.includes(what),
    );
  });
}

test('queries at the limits still parse', () => {
  parseLucene('a AND '.repeat(LUCENE_LIMITS.maxClauses - 1) + 'a');
  parseLucene('('.repeat(LUCENE_LIMITS.maxNesting - 1) + 'a' + ')'.repeat(LUCENE_LIMITS.maxNesting - 1));
  parseLucene(`${'a.'.repeat(LUCENE_LIMITS.maxFieldSegments - 1)}b:x`);
  parseLucene('ip:(' + Array.from({ length: 400 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(' OR ') + ')');
});

test('the hostile wildcard is accepted and matched without backtracking', () => {
  const node = parseLucene('user_agent:M*?*?*?*?*?*?*?*?*z');
  assert.equal(matchesLucene(node, { user_agent: 'Mozilla/5.0 ' + 'x'.repeat(50_000) }), false);
  assert.equal(matchesLucene(node, { user_agent: 'Mozilla/5.0 (X11) Gecko fuzz' }), true);
});

test('fieldValues walks long dotted paths in mixed nested/literal documents', () => {
  const path = Array.from({ length: 12 }, (_, i) => `k${i}`);
  // Alternate nesting and literal dotted keys: k0.k1 / k2 / k3.k4.k5 / ...
  const doc: Record<string, unknown> = {};
  let cur = doc;
  let i = 0;
  for (const size of [2, 1, 3, 1, 2]) {
    const key = path.slice(i, i + size).join('.');
    i += size;
    const next: Record<string, unknown> = { noise: 1 };
    cur[key] = next;
    cur = next;
  }
  cur[path.slice(i).join('.')] = ['v1', null, ['v2']];
  assert.deepEqual(fieldValues(doc, path.join('.')), ['v1', 'v2']);
  assert.deepEqual(fieldValues(doc, path.join('.') + '.missing'), []);
  const hostile = Array.from({ length: 2000 }, (_, j) => `s${j}`).join('.');
  assert.deepEqual(fieldValues({ s0: { s1: 'x' }, 's0.s1': 1 }, hostile), []);
});
