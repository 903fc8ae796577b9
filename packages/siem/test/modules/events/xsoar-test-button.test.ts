import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { FakeClock } from '../../../src/clock.ts';
import { buildTestSiem } from '../../helpers.ts';
import { insertLogs } from '../search/helpers.ts';
import { insertEvents, makeEvent } from './seed.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

/** One POST as python-requests sends it: its default headers, the body bytes as given. */
function pythonPost(url: string, path: string, token: string, body: string) {
  return new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        headers: {
          'User-Agent': 'python-requests/2.32.3',
          'Accept-Encoding': 'gzip, deflate',
          Accept: '*/*',
          Connection: 'keep-alive',
          'Content-Type': 'application/json',
          'X-API-TOKEN': token,
          'Content-Length': Buffer.byteLength(body),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
          resolve({ status: res.statusCode!, json: JSON.parse(text.toString('utf8')) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * XSOAR's Logz.io `test-module` (Packs/Logzio/Integrations/Logzio/Logzio.py): its
 * `fetch_triggered_rules(start_time=time.time())` default is evaluated once at import, so the
 * Test button sends `fromDate` = that instant and `toDate` = now - 180 s, then a `/v1/search`
 * for `*`. Both must answer 200 (it accepts no other status). Bodies are byte-for-byte what
 * Python's `json.dumps` writes (", " and ": " separators, float repr, `fetch_count` as the
 * string "50").
 */
test('XSOAR Logz.io Test button: both requests answer 200 over HTTP', async (t) => {
  const siem = await buildTestSiem({ clock: new FakeClock(NOW), listen: true });
  t.after(() => siem.close());
  insertEvents(siem, [makeEvent(siem.siemAccountId, { eventDate: NOW - 600_000 })]);
  insertLogs(siem, siem.logsAccountId, [{ ts: NOW - 60_000, doc: { message: 'hello' } }]);

  const importedAt = NOW / 1000 - 2.4570131301879883; // module import, just before the button ran
  const fromDate = importedAt.toString();
  const toDate = (NOW / 1000 - 0.0123 - 180).toString();
  assert.ok(Number(fromDate) > Number(toDate));
  const eventsBody =
    '{"pagination": {"pageNumber": 1, "pageSize": "50"}, "sort": [{"field": "DATE", "descending": false}], ' +
    `"filter": {"timeRange": {"fromDate": ${fromDate}, "toDate": ${toDate}}}}`;
  const events = await pythonPost(
    siem.ctx.urls.api,
    '/v2/security/rules/events/search',
    siem.siemToken,
    eventsBody,
  );
  assert.equal(events.status, 200, JSON.stringify(events.json));
  assert.deepEqual(events.json, { total: 0, results: [], pagination: { pageNumber: 1, pageSize: 50 } });

  const logsBody = '{"query": {"bool": {"must": [{"query_string": {"query": "*"}}]}}, "size": 10}';
  const logs = await pythonPost(siem.ctx.urls.api, '/v1/search', siem.logsToken, logsBody);
  assert.equal(logs.status, 200, JSON.stringify(logs.json));
  assert.equal((logs.json as { hits: { total: number } }).hits.total, 1);
});
