import { test } from 'node:test';
import assert from 'node:assert/strict';
import { luceneToSql, matchesLucene, parseLucene } from '../../src/lucene/index.ts';
import { SiemError } from '../../src/errors.ts';
import { rng } from './rng.ts';

const TOKENS = [
  'a',
  'user',
  'alice',
  ':',
  '"',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ' TO ',
  ' AND ',
  ' OR ',
  'NOT ',
  '-',
  '+',
  '!',
  '*',
  '?',
  '\\',
  '/',
  '~',
  '^2',
  '>=',
  '<',
  '_exists_',
  '@timestamp',
  'now-5m',
  '2026-01-01',
  '10.0.0.1',
  ' ',
  '&&',
  '||',
  '.',
  'é',
  '\u0000',
  '中',
  '5',
  '1e3',
];

function check(q: string): void {
  try {
    const node = parseLucene(q, { now: 0 });
    // Whatever parses must also evaluate and compile without throwing.
    matchesLucene(node, { message: 'Alice failed from 10.0.0.1', user: { name: 'alice' }, n: 5 });
    luceneToSql(node);
  } catch (e) {
    if (!(e instanceof SiemError) || e.status !== 400) {
      assert.fail(`query ${JSON.stringify(q)} threw ${String(e)}`);
    }
  }
}

test('random bytes never throw anything but a 400 SiemError', () => {
  const r = rng(1);
  for (let i = 0; i < 3000; i++) {
    const len = Math.floor(r() * 40);
    let q = '';
    for (let j = 0; j < len; j++) q += String.fromCharCode(Math.floor(r() * (r() < 0.8 ? 128 : 0xffff)));
    check(q);
  }
});

test('random token soup never throws anything but a 400 SiemError', () => {
  const r = rng(2);
  for (let i = 0; i < 5000; i++) {
    const len = 1 + Math.floor(r() * 12);
    let q = '';
    for (let j = 0; j < len; j++) q += TOKENS[Math.floor(r() * TOKENS.length)];
    check(q);
  }
});

test('deep nesting is a 400 or a parse, never a crash', () => {
  check('('.repeat(5000) + 'a' + ')'.repeat(5000));
  check('a AND '.repeat(3000) + 'b');
});
