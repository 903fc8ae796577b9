import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimeArg, splitIntoTwoDayChunks, DAY_MS } from '../../src/commands/time.ts';

const NOW = Date.UTC(2026, 10, 22, 13, 30, 0); // 2026-11-22T13:30:00Z

test('time arguments: epoch s/ms by magnitude, ISO 8601 as UTC, now/today/yesterday, relative', () => {
  const table: [string | number, number][] = [
    ['1700000000', 1_700_000_000_000],
    [1700000000, 1_700_000_000_000],
    ['1700000000.5', 1_700_000_000_500],
    ['1700000000123', 1_700_000_000_123],
    [99_999_999_999, 99_999_999_999_000], // just below the boundary: seconds
    [100_000_000_000, 100_000_000_000], // at the boundary: milliseconds
    ['2026-11-20', Date.UTC(2026, 10, 20)],
    ['2026-11-20T10:00:00', Date.UTC(2026, 10, 20, 10)],
    ['2026-11-20T10:00:00Z', Date.UTC(2026, 10, 20, 10)],
    ['2026-11-20T12:00:00+02:00', Date.UTC(2026, 10, 20, 10)],
    ['now', NOW],
    ['NOW', NOW],
    ['today', Date.UTC(2026, 10, 22)],
    ['yesterday', Date.UTC(2026, 10, 21)],
    ['2 hours ago', NOW - 2 * 3_600_000],
    ['1 hour ago', NOW - 3_600_000],
    ['15 minutes ago', NOW - 15 * 60_000],
    ['30 s ago', NOW - 30_000],
    ['3 days ago', NOW - 3 * DAY_MS],
    ['1 week ago', NOW - 7 * DAY_MS],
    ['1 month ago', Date.UTC(2026, 9, 22, 13, 30)],
    ['2 years ago', Date.UTC(2024, 10, 22, 13, 30)],
  ];
  for (const [input, want] of table)
    assert.equal(parseTimeArg(input, NOW, '--from-time'), want, String(input));
});

test('bad time arguments name the flag', () => {
  for (const bad of ['soon', '2 fortnights ago', '2026-13-45T99:00', '-5', 'in 2 hours']) {
    assert.throws(() => parseTimeArg(bad, NOW, '--to-time'), /--to-time: .*is not/, bad);
  }
});

test('ranges are split into pieces of at most two UTC calendar days, oldest first, no gaps or overlaps', () => {
  const from = Date.UTC(2026, 10, 15, 6);
  const to = Date.UTC(2026, 10, 20, 18);
  const chunks = splitIntoTwoDayChunks(from, to);
  assert.deepEqual(chunks, [
    { from, to: Date.UTC(2026, 10, 17) - 1 },
    { from: Date.UTC(2026, 10, 17), to: Date.UTC(2026, 10, 19) - 1 },
    { from: Date.UTC(2026, 10, 19), to },
  ]);
  assert.deepEqual(splitIntoTwoDayChunks(from, from + 1000), [{ from, to: from + 1000 }]);
  // yesterday 00:00 .. now is one query, like the API's own default window
  assert.equal(splitIntoTwoDayChunks(Date.UTC(2026, 10, 21), NOW).length, 1);
});
