import assert from 'node:assert/strict';
import test from 'node:test';
import type { SiemClient, SearchLogsResponse } from '../../src/client/types.ts';
import { loadPlaybooks } from '../../src/playbooks/definition/load.ts';
import { createExpressions } from '../../src/playbooks/expressions/expressions.ts';
import { createPlaybookService } from '../../src/playbooks/service.ts';
import type { NewIncident } from '../../src/store/types.ts';
import { silent } from '../helpers.ts';
import { STORE_FACTORIES } from '../store/factories.ts';
import { ManualClock } from './helpers.ts';

/*
 * The shipped playbooks, loaded by the real loader and run by the real engine on a real store:
 * the static check resolved their paths against the declared outputs, and this proves the
 * declared outputs are what the steps actually return (a mismatch would give empty lists).
 */

const bruteForce = (n: number, ip: string): NewIncident => ({
  id: `logzio:bf${n}`,
  alertEventId: `bf${n}`,
  name: 'Brute force: repeated failed SSH logins for one user from one IP',
  occurred: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
  severity: 2,
  fields: { tags: ['authentication', 'brute_force', 'ssh'], 'groupBy.src_ip': ip, 'groupBy.user': 'root' },
  raw: { alertEventId: `bf${n}` },
});

/** The SIEM as the commands see it: logs behind each event, and hits for the hunted IP. */
function siem() {
  const queries: string[] = [];
  const client = {
    async *iterateEventLogs(id: string, size: number) {
      for (let i = 0; i < Math.min(3, size); i++) yield { message: `log ${i} of ${id}` };
    },
    async searchLogs(body: Record<string, unknown>): Promise<SearchLogsResponse> {
      const q = (body as { query: { bool: { must: { query_string?: { query: string } }[] } } }).query.bool
        .must[0].query_string!.query;
      queries.push(q);
      const hits = q.includes('95.163.1.2')
        ? [
            { user: 'root', src_ip: '95.163.1.2', hostname: 'bastion-01' },
            { user: 'admin', src_ip: '95.163.1.2', hostname: 'web-01' },
            { user: 'deploy', src_ip: '10.0.0.5', hostname: 'db.corp.example' },
            { user: 'root', client_ip: '2001:db8::7', server_name: 'cdn.other.example' },
          ]
        : [{ user: 'ops', src_ip: '10.1.1.1', hostname: 'web-02' }];
      return { hits: { total: hits.length, hits: hits.map((h, i) => ({ _id: String(i), _source: h })) } };
    },
  } as unknown as SiemClient;
  return { client, queries };
}

for (const f of STORE_FACTORIES) {
  test(`${f.name}: the built-in playbooks run on brute-force incidents (logs noted, IP hunted, external IP blocked)`, async (t) => {
    const store = await f.open(t);
    if (!store) return;
    const { client, queries } = siem();
    const expressions = createExpressions();
    const { playbooks, errors } = await loadPlaybooks(undefined, { expressions });
    assert.deepEqual(errors, []);
    const service = createPlaybookService({
      store,
      playbooks,
      expressions,
      clock: new ManualClock(),
      logger: silent,
      client,
      env: {},
      sinks: ['block-requests'],
      run: false,
    });
    t.after(() => service.close());

    await store.insertIncidents([bruteForce(1, '95.163.1.2'), bruteForce(2, '10.1.1.1')], 1000);
    await service.worker!.drain();

    const runs = await service.runs({ limit: 20 });
    const of = (incident: string, name: string) =>
      runs.find((r) => r.incidentId === incident && r.playbook === name)!;
    assert.deepEqual(
      runs.map((r) => `${r.incidentId} ${r.playbook} ${r.trigger} ${r.status}`).sort(),
      [
        'logzio:bf1 brute-force-response incident.created succeeded',
        'logzio:bf1 handle-logzio-alert incident.created succeeded',
        'logzio:bf1 indicator-hunting playbook succeeded',
        'logzio:bf2 brute-force-response incident.created succeeded',
        'logzio:bf2 handle-logzio-alert incident.created succeeded',
        'logzio:bf2 indicator-hunting playbook succeeded',
      ],
      JSON.stringify(runs.filter((r) => r.status !== 'succeeded').map((r) => [r.playbook, r.error])),
    );
    assert.deepEqual(of('logzio:bf1', 'handle-logzio-alert').outputs, { count: 3 });
    assert.deepEqual(of('logzio:bf1', 'indicator-hunting').outputs, {
      DetectedUsers: ['root', 'admin', 'deploy'],
      DetectedInternalIPs: ['10.0.0.5'],
      DetectedExternalIPs: ['95.163.1.2', '2001:db8::7'],
      DetectedInternalHosts: ['bastion-01', 'web-01', 'db.corp.example'],
      DetectedExternalHosts: ['cdn.other.example'],
      TotalHits: 4,
    });
    assert.ok(queries.includes('src_ip:"95.163.1.2"'), queries.join(' | '));

    // bf1: external and against 3 users (> MinUsers 1): block requested, severity HIGH.
    const bf1 = (await store.getIncident('logzio:bf1'))!;
    assert.equal(bf1.severity, 3);
    const block = (await service.run(of('logzio:bf1', 'brute-force-response').id))!.steps.find(
      (s) => s.stepId === 'block',
    )!;
    assert.equal(block.status, 'succeeded');
    assert.deepEqual((block.input as { message: unknown }).message, {
      action: 'block-ip',
      ip: '95.163.1.2',
      users: ['root', 'admin', 'deploy'],
      reason: 'brute force against 3 user(s)',
    });
    const outbox = await store.outbox.list({ sink: 'block-requests', limit: 10 });
    assert.deepEqual(
      outbox.map((o) => o.incidentId),
      ['logzio:bf1'],
    );
    const notes = (await store.listNotes('logzio:bf1')).map((n) => n.body);
    assert.ok(notes.includes('3 log(s) triggered this security event (alertEventId bf1).'), notes.join('\n'));
    assert.ok(notes.some((n) => n.startsWith('Indicator hunting: 1 search(es), 4 hit(s);')));
    assert.ok(notes.some((n) => n.startsWith('Source IP 95.163.1.2 is external')));

    // bf2: an internal source IP is never blocked; severity stays.
    assert.equal((await store.getIncident('logzio:bf2'))!.severity, 2);
    const bf2 = (await service.run(of('logzio:bf2', 'brute-force-response').id))!;
    assert.deepEqual(
      bf2.steps.map((s) => s.stepId),
      ['source', 'hunt', 'decide', 'done'],
    );
  });
}
