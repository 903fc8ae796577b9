import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { signEdgeGrid } from '../../../src/modules/feed/edgegrid.ts';
import { buildFeedSiem } from './feed-helpers.ts';

/** A GET as python-requests with EdgeGridAuth sends it (signed over the URL's host and path). */
function edgeGridGet(apiUrl: string, pathAndQuery: string, token: string, nowMs: number) {
  const host = new URL(apiUrl).host;
  const authorization = signEdgeGrid(
    { method: 'GET', scheme: 'http', host, pathAndQuery },
    { clientToken: 'akab-client-token', accessToken: token, clientSecret: token },
    { nowMs, nonce: '6b1f3c2e-2d7a-4a8e-9c55-0f4f8e3f6a10' },
  );
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      `${apiUrl}${pathAndQuery}`,
      {
        headers: {
          'User-Agent': 'python-requests/2.32.3',
          'Accept-Encoding': 'gzip, deflate',
          Accept: '*/*',
          Connection: 'keep-alive',
          Authorization: authorization,
        },
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * XSOAR's `akamai-siem-get-events config_ids=... time_stamp="1 hours"`
 * (Packs/Akamai_SIEM/Integrations/Akamai_SIEM/Akamai_SIEM.py): `parse_date_range("1 hours",
 * date_format="%s")` gives `from` = now - 3600 and `to` = now, both integer strings, and
 * `assign_params` keeps its dict order (offset, limit, to, from) minus the empty ones. `to` =
 * now is past the feed's now - 5 s maximum: clamped, not refused. Then the client's own parse:
 * everything but the last two split pieces are events, and its next cursor is max(int(start)).
 */
test('XSOAR Akamai get-events with time_stamp="1 hours" (to = now) over HTTP with EdgeGrid', async (t) => {
  const siem = await buildFeedSiem(t, { listen: true });
  const now = siem.clock.now();
  const nowS = Math.floor(now / 1000);
  const old = siem.add(2, { storedAt: now - 2 * 3600_000 });
  const inHour = [...siem.add(2, { storedAt: now - 1800_000 }), ...siem.add(1, { storedAt: now - 10_000 })];
  const tooFresh = siem.add(1, { storedAt: now - 2000 }); // not 5 s old yet: not served
  assert.equal(old.length + tooFresh.length, 3);

  for (const query of [`to=${nowS}&from=${nowS - 3600}`, `limit=20&to=${nowS}&from=${nowS - 3600}`]) {
    const res = await edgeGridGet(
      siem.ctx.urls.api,
      `/siem/v1/configs/${siem.configId}?${query}`,
      siem.siemToken,
      now,
    );
    assert.equal(res.status, 200, res.text);
    assert.ok(!res.text.includes('{ "total": 0'), res.text);
    const events = res.text
      .split('\n')
      .slice(0, -2)
      .map((l) => JSON.parse(l) as { httpMessage: { requestId: string; start: string } });
    assert.deepEqual(
      events.map((e) => e.httpMessage.requestId),
      inHour,
    );
    const cursor = Math.max(...events.map((e) => Number.parseInt(e.httpMessage.start, 10)));
    assert.ok(Number.isInteger(cursor) && cursor <= nowS);
    assert.match(res.text.split('\n').at(-2)!, /^\{ "total": 3, "offset": "[^"]+" \}$/);
  }
});
