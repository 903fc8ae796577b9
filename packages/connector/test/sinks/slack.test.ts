import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSinks, resolveSinks, sinkFromFlag } from '../../src/sinks/index.ts';
import { TestClock, silent } from '../helpers.ts';
import { ContractServer, type ContractRequest } from './contract-server.ts';
import { T0, recordingLogger, richIncident, sinkHarness } from './harness.ts';

const HOOK_PATH = '/services/T0SECRET/B0SECRET/xoxSecretToken123';

/** Slack's incoming webhook as documented: POST JSON {text, blocks}; 200 "ok". */
function slackContract(r: ContractRequest) {
  assert.equal(r.method, 'POST');
  if (r.path !== HOOK_PATH) return { status: 404, body: 'no_service' };
  assert.match(String(r.headers['content-type']), /^application\/json/);
  const b = r.json as { text?: unknown; blocks?: unknown };
  if (typeof b?.text !== 'string' || !Array.isArray(b.blocks))
    return { status: 400, body: 'invalid_payload' };
  return { status: 200, body: 'ok' };
}

async function setup(t: Parameters<typeof sinkHarness>[0], logger = silent) {
  const slack = new ContractServer(slackContract);
  await slack.start();
  t.after(() => slack.stop());
  const h = await sinkHarness(
    t,
    { kind: 'slack', name: 'chat', urlEnv: 'SLACK_URL', consoleUrl: 'https://console.example/' },
    { SLACK_URL: slack.origin + HOOK_PATH },
    logger,
  );
  return { slack, ...h };
}

test('slack: the documented request with rule, severity, group-by values and the console link', async (t) => {
  const { slack, store, dispatcher } = await setup(t);
  const i = richIncident(1);
  await store.insertIncidents([i], T0);
  await dispatcher.drain();
  assert.deepEqual(slack.violations, []);
  assert.equal(slack.requests.length, 1);
  const body = slack.requests[0]!.json as { text: string; blocks: { type: string }[] };
  const link = 'https://console.example/incidents/logzio%3Ae-000001';
  assert.equal(body.text, `[HIGH] Brute force SSH (src_ip=10.0.0.5, user=alice, hostname=web-1): ${link}`);
  const all = JSON.stringify(body.blocks);
  for (const want of ['Brute force SSH', 'rule-17', 'HIGH', '10.0.0.5', 'alice', 'web-1', link, i.occurred]) {
    assert.ok(all.includes(want), `blocks mention ${want}`);
  }
  assert.deepEqual(
    body.blocks.map((b) => b.type),
    ['header', 'section', 'section', 'section', 'actions'],
  );
  const [d] = await store.outbox.deliveries(i.id);
  assert.equal(d?.sink, 'chat');
  assert.equal(d?.remoteId, null);
  assert.equal(d?.deliveredAt, new Date(T0).toISOString());
});

test('slack: invalid_payload and no_service are dead letters at once, the answer kept', async (t) => {
  const { slack, store, dispatcher, clock } = await setup(t);
  slack.handle = (r) =>
    (r.json as { text: string }).text.includes('e-000001')
      ? { status: 400, body: 'invalid_payload' }
      : { status: 404, body: 'no_service' };
  await store.insertIncidents([richIncident(1), richIncident(2)], T0);
  await dispatcher.drain();
  clock.advance(60_000);
  await dispatcher.drain();
  const dead = await store.outbox.list({ state: 'dead', limit: 5 });
  assert.deepEqual(
    dead.map((d) => [d.incidentId, d.attempts, d.lastStatus, d.lastBody]),
    [
      ['logzio:e-000001', 1, 400, 'invalid_payload'],
      ['logzio:e-000002', 1, 404, 'no_service'],
    ],
  );
  assert.match(dead[0]!.lastError ?? '', /Slack answered HTTP 400 invalid_payload/);
});

test('slack: 429 with Retry-After holds the sink exactly that long', async (t) => {
  const { slack, store, dispatcher, clock } = await setup(t);
  let n = 0;
  const contract = slack.handle;
  slack.handle = (r) =>
    ++n === 1 ? { status: 429, headers: { 'retry-after': '12' }, body: 'rate_limited' } : contract(r);
  await store.insertIncidents([richIncident(1), richIncident(2)], T0);
  await dispatcher.drain();
  assert.equal(slack.requests.length, 1);
  clock.advance(11_999);
  await dispatcher.drain();
  assert.equal(slack.requests.length, 1);
  clock.advance(1);
  await dispatcher.drain();
  assert.equal(slack.requests.length, 3);
  assert.equal((await store.outbox.health(clock.now(), ['chat']))[0]?.backlog, 0);
});

test('slack: the webhook URL (the secret) is never logged, even on failures', async (t) => {
  const rec = recordingLogger();
  const { slack, store, dispatcher, clock } = await setup(t, rec.logger);
  slack.handle = () => ({ status: 503, body: 'service_unavailable' });
  await store.insertIncidents([richIncident(1)], T0);
  await dispatcher.drain();
  clock.advance(10 * 60_000);
  slack.handle = () => ({ status: 410, body: 'channel_is_archived' });
  await dispatcher.drain();
  assert.ok(rec.lines.length > 0);
  const logs = rec.lines.join('\n');
  for (const secret of ['T0SECRET', 'B0SECRET', 'xoxSecretToken123']) assert.ok(!logs.includes(secret));
  const [dead] = await store.outbox.list({ state: 'dead', limit: 1 });
  assert.ok(!JSON.stringify(dead).includes('xoxSecretToken123'));
});

test('slack: --sink slack:ENV names the variable; an unset one is a config error naming it', async () => {
  const c = sinkFromFlag('slack:MY_SLACK_HOOK');
  assert.equal(c.settings.urlEnv, 'MY_SLACK_HOOK');
  assert.equal(
    sinkFromFlag('slack:https://hooks.slack.com/services/x').settings.url,
    'https://hooks.slack.com/services/x',
  );
  const [config] = resolveSinks([{ kind: 'slack', name: 's' }]);
  await assert.rejects(
    openSinks([config!], { logger: silent, clock: new TestClock(T0), env: {} }),
    (err: Error & { field?: string }) => {
      assert.equal(err.field, 'sinks.s.urlEnv');
      assert.match(err.message, /SIEMLINK_SLACK_WEBHOOK_URL is not set/);
      return true;
    },
  );
});
