import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, type SplitLine } from '../../../src/modules/listener/lines.ts';

function split(chunks: Buffer[], maxLineBytes = 1000): SplitLine[] {
  const out: SplitLine[] = [];
  const s = new LineSplitter({ maxLineBytes, onLine: (l) => out.push(l) });
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

const bytewise = (text: string) => [...Buffer.from(text)].map((b) => Buffer.from([b]));

test('lines split across chunks (even inside a UTF-8 character or a CRLF) come out whole', () => {
  const text = '{"m":"héllo ✓"}\r\nsecond line\n\nlast';
  const expected = [
    { lineNo: 1, text: '{"m":"héllo ✓"}' },
    { lineNo: 2, text: 'second line' },
    { lineNo: 3, text: '' },
    { lineNo: 4, text: 'last' },
  ];
  assert.deepEqual(split([Buffer.from(text)]), expected);
  assert.deepEqual(split(bytewise(text)), expected);
});

test('a trailing newline adds no extra line', () => {
  assert.deepEqual(split([Buffer.from('a\nb\n')]), [
    { lineNo: 1, text: 'a' },
    { lineNo: 2, text: 'b' },
  ]);
});

test('an oversize line is reported by size only, even when it arrives in pieces', () => {
  const long = 'x'.repeat(25);
  for (const chunks of [[Buffer.from(`ok\n${long}\nok2`)], bytewise(`ok\n${long}\nok2`)]) {
    assert.deepEqual(split(chunks, 10), [
      { lineNo: 1, text: 'ok' },
      { lineNo: 2, oversizeBytes: 25 },
      { lineNo: 3, text: 'ok2' },
    ]);
  }
  assert.deepEqual(split([Buffer.from('x'.repeat(10))], 10), [{ lineNo: 1, text: 'x'.repeat(10) }]);
  assert.deepEqual(split([Buffer.from('x'.repeat(11))], 10), [{ lineNo: 1, oversizeBytes: 11 }]);
});
