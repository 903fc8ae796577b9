import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from 'logzio-nodejs';
import { buildTestSiem } from '../../helpers.ts';

// The real npm shipper, unmodified, against the real listener on a real port.
for (const compress of [false, true]) {
  test(`logzio-nodejs ships to the listener (compress: ${compress})`, async (t) => {
    const siem = await buildTestSiem({ listen: true });
    t.after(() => siem.close());
    const url = new URL(siem.ctx.urls.listener);
    const logger = createLogger({
      token: siem.shippingToken,
      protocol: 'http',
      host: url.hostname,
      port: url.port,
      type: 'nodejs-app',
      compress,
      sendIntervalMs: 60_000,
      bufferSize: 1000,
      addOtelContext: false,
      internalLogger: { log() {} },
    });
    logger.log('plain string message');
    logger.log({ message: 'user login failed', user: 'alice', src_ip: '203.0.113.9' });
    logger.log({ message: 'custom type', type: 'audit', '@timestamp': '2026-01-01T00:00:00.000Z' });
    const err = await new Promise<Error | undefined>((resolve) => logger.sendAndClose((e) => resolve(e)));
    assert.equal(err, undefined);
    const rows = siem.ctx.store.db.prepare('SELECT type, ts, doc FROM logs ORDER BY seq').all() as {
      type: string;
      ts: number;
      doc: string;
    }[];
    assert.equal(rows.length, 3);
    const docs = rows.map((r) => JSON.parse(r.doc));
    assert.deepEqual(
      docs.map((d) => [d.message, d.type]),
      [
        ['plain string message', 'nodejs-app'],
        ['user login failed', 'nodejs-app'],
        ['custom type', 'audit'],
      ],
    );
    assert.equal(docs[1].user, 'alice');
    assert.equal(rows[2].ts, Date.parse('2026-01-01T00:00:00.000Z'));
    for (const d of docs) assert.ok(!Number.isNaN(Date.parse(d['@timestamp'])));
  });
}

test('logzio-nodejs reports a wrong token as a failed bulk', async (t) => {
  const siem = await buildTestSiem({ listen: true });
  t.after(() => siem.close());
  const url = new URL(siem.ctx.urls.listener);
  const logger = createLogger({
    token: 'not-a-real-token',
    host: url.hostname,
    port: url.port,
    sendIntervalMs: 60_000,
    addOtelContext: false,
    internalLogger: { log() {} },
  });
  logger.log({ message: 'x' });
  const err = await new Promise<Error | undefined>((resolve) => logger.sendAndClose((e) => resolve(e)));
  assert.ok(err instanceof Error);
  assert.match(err.message, /401/);
  const n = siem.ctx.store.db.prepare('SELECT count(*) AS n FROM logs').get() as { n: number };
  assert.equal(n.n, 0);
});
