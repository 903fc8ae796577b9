import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { formatTable, pickColumns, printLines } from '../src/output.ts';

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

test('printLines waits while the stream is full, goes on as it drains, and stops when it closes', async () => {
  // A stream that takes one byte before it says it is full, and completes writes only when told.
  const pending: (() => void)[] = [];
  const written: string[] = [];
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk.toString());
      pending.push(cb);
    },
  });
  let done = false;
  const printing = printLines([{ n: 1 }, { n: 2 }, { n: 3 }], out).then(() => (done = true));
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(written, ['{"n":1}\n'], 'the second line waits for the first to drain');
  assert.equal(done, false);
  while (!done) {
    pending.shift()?.();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await printing;
  assert.deepEqual(written, ['{"n":1}\n', '{"n":2}\n', '{"n":3}\n']);

  // A reader gone while a line waits: printLines returns (no hang), and writes nothing more.
  const seen: string[] = [];
  const gone = new Writable({
    highWaterMark: 1,
    write: (chunk: Buffer) => {
      seen.push(chunk.toString());
    },
  });
  const left = printLines([{ n: 1 }, { n: 2 }, { n: 3 }], gone);
  gone.destroy();
  await left;
  assert.deepEqual(seen, ['{"n":1}\n']);
});
