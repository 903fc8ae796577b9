import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, pickColumns } from '../src/output.ts';

test('formatTable aligns columns, flattens newlines and truncates long cells', () => {
  const t = formatTable(
    [
      { a: 'x', b: 'multi\nline' },
      { a: 'longer', b: { n: 1 } },
    ],
    ['a', 'b'],
    8,
  );
  assert.equal(t, ['a       b', '------  --------', 'x       multi l…', 'longer  {"n":1}'].join('\n'));
  assert.equal(formatTable([], ['a']), '(no results)');
  assert.deepEqual(pickColumns([{ z: 1, message: 'm', '@timestamp': 't' }], ['@timestamp', 'message'], 2), [
    '@timestamp',
    'message',
  ]);
});
