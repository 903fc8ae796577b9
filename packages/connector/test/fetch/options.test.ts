import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { parseFirstFetch, resolveFetchOptions } from '../../src/fetch/options.ts';
import { silent } from '../helpers.ts';

test('parseFirstFetch: <number> <unit>, singular or plural, every unit', () => {
  assert.equal(parseFirstFetch('1 minute'), 60_000);
  assert.equal(parseFirstFetch('12 hours'), 12 * 3600_000);
  assert.equal(parseFirstFetch('7 days'), 7 * 86_400_000);
  assert.equal(parseFirstFetch('1 hours'), 3600_000);
  assert.equal(parseFirstFetch('2 Weeks'), 14 * 86_400_000);
  assert.equal(parseFirstFetch('1 month'), 30 * 86_400_000);
  assert.equal(parseFirstFetch('1 year'), 365 * 86_400_000);
});

test('parseFirstFetch: anything else is a clear config error', () => {
  for (const bad of ['7days', '7', 'days', '1.5 hours', '-1 hours', '0 hours', '3 fortnights', '']) {
    assert.throws(
      () => parseFirstFetch(bad),
      (e: { code?: string; field?: string; message: string }) =>
        e.code === 'INVALID_FETCH_OPTION' &&
        e.field === 'firstFetch' &&
        /<number> <unit>|at least 1/.test(e.message),
      bad,
    );
  }
});

test('resolveFetchOptions: panel defaults', () => {
  const o = resolveFetchOptions({}, silent);
  assert.equal(o.enabled, true);
  assert.equal(o.firstFetch, '1 hour');
  assert.equal(o.maxFetch, 50);
  assert.equal(o.bufferMinutes, 3);
  assert.equal(o.intervalSeconds, 60);
  assert.equal(o.source, 'search');
  assert.equal(o.feedDecodeThread, false, 'one thread: bounded memory and CPU by default');
});

test('resolveFetchOptions: feedDecodeThread is a boolean, named when it is not', () => {
  assert.equal(resolveFetchOptions({ feedDecodeThread: true }, silent).feedDecodeThread, true);
  assert.equal(resolveFetchOptions({ feedDecodeThread: 'true' }, silent).feedDecodeThread, true);
  assert.throws(() => resolveFetchOptions({ feedDecodeThread: 'sometimes' }, silent), /feedDecodeThread/);
});

test('resolveFetchOptions: maxFetch > 50 is clamped with a warning; < 1 is an error', () => {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
  assert.equal(resolveFetchOptions({ maxFetch: '200' }, logger).maxFetch, 50);
  assert.match(lines.join(''), /clamped to 50/);
  assert.throws(() => resolveFetchOptions({ maxFetch: 0 }, silent), /maxFetch: must be at least 1/);
  assert.throws(() => resolveFetchOptions({ maxFetch: 'many' }, silent), /maxFetch/);
});

test('resolveFetchOptions: bad severities, source, feed without configIds are errors naming the field', () => {
  assert.throws(() => resolveFetchOptions({ severities: 'HIGH,CRITICAL' }, silent), /severities: "CRITICAL"/);
  assert.throws(
    () => resolveFetchOptions({ source: 'kafka' }, silent),
    /source: must be search or feed \(got "kafka"\)/,
  );
  assert.throws(() => resolveFetchOptions({ source: 'feed' }, silent), /configIds/);
  assert.throws(() => resolveFetchOptions({ firstFetch: '2 eons' }, silent), /firstFetch/);
  assert.deepEqual(resolveFetchOptions({ severities: 'high, severe' }, silent).severities, [
    'HIGH',
    'SEVERE',
  ]);
});
