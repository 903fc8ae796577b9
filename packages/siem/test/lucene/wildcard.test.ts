import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wildcardMatcher } from '../../src/lucene/wildcard.ts';
import { rng } from './rng.ts';

/** The old translation to a RegExp: right on small inputs, exponential on hostile ones. */
function oracle(pattern: string, caseSensitive = false): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) src += pattern[++i]!.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    else if (c === '*') src += '[^]*';
    else if (c === '?') src += '[^]';
    else src += c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, caseSensitive ? 'u' : 'iu');
}

const cases: [string, string, boolean][] = [
  ['mimi*', 'mimikatz', true],
  ['mimi*', 'MIMIKATZ', true],
  ['mimi*', 'xmimikatz', false],
  ['a*b*c', 'abc', true],
  ['a*b*c', 'aXbYc', true],
  ['a*b*c', 'acb', false],
  ['a?c', 'abc', true],
  ['a?c', 'ac', false],
  ['a*', 'a', true],
  ['*', '', true],
  ['?', '', false],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'axb', false],
  ['a\\?', 'a?', true],
  ['a*ab', 'aab', true],
  ['a*aba', 'aba', false],
  ['ab*ba', 'aba', false],
  ['ab*ba', 'abba', true],
  ['*?*?*', 'x', false],
  ['*?*?*', 'xy', true],
  ['😀?', '😀x', true],
  ['a?b', 'a😀b', true],
  ['??', '😀', false],
];

for (const [p, text, want] of cases) {
  test(`${p} on ${JSON.stringify(text)} is ${want}`, () => {
    assert.equal(wildcardMatcher(p).test(text), want);
    assert.equal(oracle(p).test(text), want, 'oracle agrees');
  });
}

test('the hostile pattern answers at once instead of backtracking', () => {
  const m = wildcardMatcher('M*?*?*?*?*?*?*?*?*z');
  assert.equal(m.test('Mozilla/5.0 ' + 'x'.repeat(100_000)), false);
  assert.equal(m.test('Mozilla/5.0 ' + 'x'.repeat(100_000) + 'z'), true);
  assert.equal(wildcardMatcher('*'.repeat(200) + 'a').test('b'.repeat(50_000)), false);
});

test('case-sensitive mode (field-name patterns)', () => {
  assert.equal(wildcardMatcher('user.*', { caseSensitive: true }).test('user.name'), true);
  assert.equal(wildcardMatcher('user.*', { caseSensitive: true }).test('User.name'), false);
});

test('agrees with the RegExp translation on random small patterns and texts', () => {
  const r = rng(13);
  const alphabet = ['a', 'b', 'A', '*', '?', '\\', '😀'];
  const textAlphabet = ['a', 'b', 'A', 'B', '*', '?', '\\', '😀'];
  const pick = (xs: string[], n: number) =>
    Array.from({ length: n }, () => xs[Math.floor(r() * xs.length)]!).join('');
  for (let i = 0; i < 5000; i++) {
    const p = pick(alphabet, Math.floor(r() * 7));
    const t = pick(textAlphabet, Math.floor(r() * 8));
    const cs = r() < 0.3;
    assert.equal(
      wildcardMatcher(p, { caseSensitive: cs }).test(t),
      oracle(p, cs).test(t),
      `${JSON.stringify(p)} on ${JSON.stringify(t)} (case-sensitive: ${cs})`,
    );
  }
});
