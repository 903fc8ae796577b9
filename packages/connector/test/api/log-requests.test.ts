import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { buildApiApp } from '../../src/api/app.ts';
import { harness } from '../helpers.ts';

test('per-request log lines only with logRequests (the CLI’s SIEMLINK_LOG_REQUESTS=1), never from the environment', async (t) => {
  const h = harness(t);
  const before = process.env.SIEMLINK_LOG_REQUESTS;
  process.env.SIEMLINK_LOG_REQUESTS = '1'; // library code must not read it
  t.after(() => {
    if (before === undefined) delete process.env.SIEMLINK_LOG_REQUESTS;
    else process.env.SIEMLINK_LOG_REQUESTS = before;
  });
  const requestLines = async (logRequests?: boolean) => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const app = await buildApiApp({
      store: h.store,
      logger,
      clock: h.clock,
      fetching: false,
      ...(logRequests === undefined ? {} : { logRequests }),
    });
    t.after(() => app.close());
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    assert.equal(res.statusCode, 401);
    return lines.filter((l) => l.includes('"url":"/api/health"')).length;
  };
  assert.equal(await requestLines(), 0);
  assert.equal(await requestLines(false), 0);
  assert.ok((await requestLines(true)) > 0);
});
