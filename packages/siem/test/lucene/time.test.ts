import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochFromNumber, parseIsoDate, resolveDateMath } from '../../src/lucene/index.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 34, 56, 789);

test('numbers below 1e11 are epoch seconds, above are epoch milliseconds (XSOAR sends seconds)', () => {
  assert.equal(epochFromNumber(1581261159), 1581261159000);
  assert.equal(epochFromNumber(1700000000.123456), 1700000000123);
  assert.equal(epochFromNumber(1585507577000), 1585507577000);
});

const math: [string, number][] = [
  ['now', NOW],
  ['now-5m', NOW - 5 * 60_000],
  ['now-1h/d', Date.UTC(2026, 0, 15)],
  ['now/h', Date.UTC(2026, 0, 15, 12)],
  ['now-2d+3h', NOW - 2 * 86_400_000 + 3 * 3_600_000],
  ['now+1M/M', Date.UTC(2026, 1, 1)],
  ['now-1y/y', Date.UTC(2025, 0, 1)],
  ['now/w', Date.UTC(2026, 0, 12)],
  ['now-30s/m', Date.UTC(2026, 0, 15, 12, 34)],
];
for (const [expr, want] of math) {
  test(`date math ${expr}`, () => assert.equal(resolveDateMath(expr, NOW), want));
}

test('malformed date math is undefined', () => {
  for (const bad of ['now-', 'now-5x', 'now/', 'nowish', 'now-1d/dd'])
    assert.equal(resolveDateMath(bad, NOW), undefined, bad);
});

test('ISO dates: zone-less means UTC; garbage is undefined', () => {
  assert.equal(parseIsoDate('2026-01-15'), Date.UTC(2026, 0, 15));
  assert.equal(parseIsoDate('2026-01-15T10:00:00'), Date.UTC(2026, 0, 15, 10));
  assert.equal(parseIsoDate('2026-01-15T10:00:00+02:00'), Date.UTC(2026, 0, 15, 8));
  assert.equal(parseIsoDate('2026-01-15 10:00:00.5Z'), Date.UTC(2026, 0, 15, 10, 0, 0, 500));
  assert.equal(parseIsoDate('yesterday'), undefined);
  assert.equal(parseIsoDate('2026-13-45'), undefined);
});
