import assert from 'node:assert/strict';
import test from 'node:test';
import { cefMessage } from '../../src/sinks/syslog.ts';
import { theHiveAlert } from '../../src/sinks/thehive.ts';
import { xsoarIncident } from '../../src/sinks/xsoar.ts';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import { ContractServer, type ContractRequest } from '../sinks/contract-server.ts';
import { richIncident, sinkHarness, T0 } from '../sinks/harness.ts';
import { WebhookReceiver } from '../sinks/receiver.ts';
import { engine, ManualClock, playbook } from './helpers.ts';

/** A playbook whose `deliver` step sends the incident to `sink` with a rendered message. */
const blockRequest = (sink: string) =>
  playbook({
    name: 'ask-block',
    version: 1,
    steps: [
      {
        id: 'block',
        kind: 'deliver',
        sink,
        message: { action: 'block-ip', ip: '${ incident.fields.`groupBy.src_ip` }', reason: 'brute force' },
      },
    ],
  });

/** Runs ask-block on the incident (already delivered once by routing) and dispatches again. */
async function deliverWithMessage(h: Awaited<ReturnType<typeof sinkHarness>>, sink: string) {
  const i = richIncident(1);
  await h.store.insertIncidents([i], T0);
  await h.dispatcher.drain();
  const { service, worker } = engine(h.store, [blockRequest(sink)], {
    clock: new ManualClock(T0),
    sinks: [sink],
  });
  const run = await service.start({ playbook: 'ask-block', incidentId: i.id, startedBy: 'test', inputs: {} });
  await worker.drain();
  assert.equal((await service.run(run.id))?.status, 'succeeded');
  await h.dispatcher.drain();
}

test('deliver: the webhook body carries the step message; the routed delivery before it has none', async (t) => {
  const receiver = new WebhookReceiver(undefined);
  await receiver.start();
  t.after(() => receiver.stop());
  const h = await sinkHarness(t, { kind: 'webhook', name: 'hook', url: receiver.url }, {});
  await deliverWithMessage(h, 'hook');
  const bodies = receiver.requests.map(
    (r) => JSON.parse(r.body) as { incident: { id: string }; message?: unknown },
  );
  assert.equal(bodies.length, 2);
  assert.equal(bodies[0]!.message, undefined);
  assert.deepEqual(bodies[1]!.message, { action: 'block-ip', ip: '10.0.0.5', reason: 'brute force' });
  assert.equal(bodies[1]!.incident.id, bodies[0]!.incident.id);
});

test('deliver: Slack shows the step message first, in the text and in a section block', async (t) => {
  const path = '/services/T0/B0/x';
  const slack = new ContractServer((r: ContractRequest) => {
    const b = r.json as { text?: unknown; blocks?: unknown };
    if (r.path !== path) return { status: 404, body: 'no_service' };
    if (typeof b?.text !== 'string' || !Array.isArray(b.blocks))
      return { status: 400, body: 'invalid_payload' };
    return { status: 200, body: 'ok' };
  });
  await slack.start();
  t.after(() => slack.stop());
  const h = await sinkHarness(
    t,
    { kind: 'slack', name: 'chat', urlEnv: 'SLACK_URL', consoleUrl: 'https://console.example/' },
    { SLACK_URL: slack.origin + path },
  );
  await deliverWithMessage(h, 'chat');
  assert.deepEqual(slack.violations, []);
  assert.equal(slack.requests.length, 2);
  const said = '{"action":"block-ip","ip":"10.0.0.5","reason":"brute force"}';
  const [before, after] = slack.requests.map(
    (r) => r.json as { text: string; blocks: { text?: { text: string } }[] },
  );
  assert.ok(!before!.text.includes('block-ip'));
  assert.ok(after!.text.startsWith(`${said}\n[HIGH]`), after!.text);
  assert.equal(after!.blocks[1]!.text?.text, said);
});

test('deliver: syslog CEF, XSOAR details and TheHive description carry the message as text', async (t) => {
  const store = openSqliteIncidentStore({ path: ':memory:' });
  t.after(() => store.close());
  await store.insertIncidents([richIncident(1)], T0);
  const i = (await store.getIncident(richIncident(1).id))!;
  assert.match(
    cefMessage(i, '1', undefined, 'block 10.0.0.5'),
    / cs4Label=playbookMessage cs4=block 10\.0\.0\.5/,
  );
  assert.doesNotMatch(cefMessage(i, '1'), /cs4/);
  const x = xsoarIncident(
    i,
    { type: 't', dedupField: 'f', consoleUrl: 'https://c/', createInvestigation: false },
    { ip: '10.0.0.5' },
  );
  assert.ok(String(x.details).startsWith('{"ip":"10.0.0.5"}\n\n'));
  const a = theHiveAlert(i, { type: 't', source: 's', tlp: 2, pap: 2, consoleUrl: 'https://c/' }, 'block it');
  assert.ok(String(a.description).startsWith('**Playbook**: block it\n'));
});

test('deliver: the sink from an input is checked when the step runs, the error naming deliver.sink', async (t) => {
  const store = openSqliteIncidentStore({ path: ':memory:' });
  t.after(() => store.close());
  await store.insertIncidents([richIncident(1)], T0);
  const pb = playbook({
    name: 'send-to',
    version: 1,
    inputs: { blockSink: { type: 'string', default: 'block-requests' } },
    steps: [{ id: 'send', kind: 'deliver', sink: '${ inputs.blockSink }' }],
  });
  const { service, worker } = engine(store, [pb], { sinks: ['block-requests', 'chat'] });
  t.after(() => service.close());
  const start = (inputs: Record<string, unknown>) =>
    service.start({ playbook: 'send-to', incidentId: richIncident(1).id, startedBy: 't', inputs });
  const byDefault = await start({});
  const chat = await start({ blockSink: 'chat' });
  const nowhere = await start({ blockSink: 'nowhere' });
  const empty = await start({ blockSink: '' });
  await worker.drain();
  for (const r of [byDefault, chat]) assert.equal((await service.run(r.id))!.status, 'succeeded');
  assert.deepEqual((await store.outbox.list({ limit: 10 })).map((x) => x.sink).sort(), [
    'block-requests',
    'chat',
  ]);
  const failed = await service.run(nowhere.id);
  assert.equal(failed!.status, 'failed');
  assert.equal(
    failed!.error,
    'step "send" failed: deliver.sink: no sink "nowhere" (from "${ inputs.blockSink }") is configured (configured: block-requests, chat)',
  );
  assert.match(
    (await service.run(empty.id))!.error!,
    /^step "send" failed: deliver\.sink: must give a sink name/,
  );
});
