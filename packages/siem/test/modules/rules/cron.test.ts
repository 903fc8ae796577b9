import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CronError, nextCronTime, parseCron } from '../../../src/modules/rules/cron.ts';
import { nextRunAfter } from '../../../src/modules/rules/schedule.ts';

const at = (iso: string) => Date.parse(iso);
const next = (expr: string, from: string, tz = 'UTC') => {
  const t = nextCronTime(parseCron(expr, tz), at(from));
  return t === null ? null : new Date(t).toISOString();
};

test('5-field cron', () => {
  assert.equal(next('*/5 * * * *', '2026-01-01T10:02:30Z'), '2026-01-01T10:05:00.000Z');
  assert.equal(next('*/5 * * * *', '2026-01-01T10:05:00Z'), '2026-01-01T10:10:00.000Z', 'strictly after');
  assert.equal(next('* * * * *', '2026-01-01T10:05:59.500Z'), '2026-01-01T10:06:00.000Z');
  assert.equal(next('30 2 * * *', '2026-01-01T10:00:00Z'), '2026-01-02T02:30:00.000Z');
  assert.equal(next('0 9 * * MON-FRI', '2026-01-03T10:00:00Z'), '2026-01-05T09:00:00.000Z'); // Sat -> Mon
  assert.equal(next('0 0 1 JAN,JUL *', '2026-02-01T00:00:00Z'), '2026-07-01T00:00:00.000Z');
  assert.equal(next('0 0 * * 7', '2026-01-01T00:00:00Z'), '2026-01-04T00:00:00.000Z', '7 is Sunday');
  assert.equal(next('0-10/5 1 * * *', '2026-01-01T01:06:00Z'), '2026-01-01T01:10:00.000Z');
});

test('Quartz 6/7-field cron with seconds and ?', () => {
  assert.equal(next('0 */5 * * * ?', '2026-01-01T10:02:30Z'), '2026-01-01T10:05:00.000Z');
  assert.equal(next('30 * * * * ?', '2026-01-01T10:02:30Z'), '2026-01-01T10:03:30.000Z');
  assert.equal(next('*/10 * * * * ?', '2026-01-01T10:02:31Z'), '2026-01-01T10:02:40.000Z');
  assert.equal(next('0 0 12 ? * 2', '2026-01-01T00:00:00Z'), '2026-01-05T12:00:00.000Z', 'Quartz 2 = Monday');
  assert.equal(next('0 0 12 1 * ? 2027', '2026-01-01T00:00:00Z'), '2027-01-01T12:00:00.000Z');
  assert.equal(next('0 0 12 1 * ? 2020', '2026-01-01T00:00:00Z'), null);
});

test('timezones', () => {
  // 09:00 in New York (UTC-5 in January) is 14:00 UTC.
  assert.equal(next('0 9 * * *', '2026-01-01T00:00:00Z', 'America/New_York'), '2026-01-01T14:00:00.000Z');
});

test('bad expressions name the field', () => {
  assert.throws(() => parseCron('* * *'), /expected 5 fields/);
  assert.throws(() => parseCron('60 * * * *'), /minute field: 60 is outside 0-59/);
  assert.throws(() => parseCron('0 0 L * ?  *'), CronError);
  assert.throws(() => parseCron('0 0 12 ? * 6#3'), /day-of-week field/);
  assert.throws(() => parseCron('*/0 * * * *'), /step/);
  assert.throws(() => parseCron('5-1 * * * *'), /reversed/);
  assert.throws(() => parseCron('* * * * *', 'Nowhere/City'), /unknown timezone/);
});

test('no schedule: every minute on the minute boundary', () => {
  assert.equal(nextRunAfter({}, at('2026-01-01T10:02:30Z')), at('2026-01-01T10:03:00Z'));
  assert.equal(nextRunAfter({}, at('2026-01-01T10:03:00Z')), at('2026-01-01T10:04:00Z'));
  assert.equal(
    nextRunAfter({ schedule: { cronExpression: '0 */5 * * * ?' } }, at('2026-01-01T10:03:00Z')),
    at('2026-01-01T10:05:00Z'),
  );
});
