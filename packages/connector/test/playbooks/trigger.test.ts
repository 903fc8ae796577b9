import assert from 'node:assert/strict';
import test from 'node:test';
import { STORE_FACTORIES } from '../store/factories.ts';
import { inc } from '../store/fixtures.ts';
import { engine, playbook } from './helpers.ts';

const triage = playbook({
  name: 'triage',
  version: 1,
  trigger: { on: 'incident.created', when: 'incident.severity >= 3' },
  outputs: { verdict: 'steps.decide.output.next' },
  steps: [
    {
      id: 'facts',
      kind: 'set',
      values: { sev: '${ incident.severity }', label: 'sev-${ incident.severity }' },
    },
    {
      id: 'decide',
      kind: 'switch',
      cases: [{ when: 'steps.facts.output.sev >= 4', next: 'escalate' }],
      default: 'tag',
    },
    { id: 'escalate', kind: 'update-incident', status: 'active', note: 'escalated', next: 'done' },
    {
      id: 'tag',
      kind: 'update-incident',
      addTags: ['${ steps.facts.output.label }'],
      note: 'seen by triage',
    },
    { id: 'done', kind: 'end' },
  ],
});

for (const f of STORE_FACTORIES) {
  test(`${f.name}: incident.created starts one run per incident in the incidents' transaction; the run completes`, async (t) => {
    const store = await f.open(t);
    if (!store) return;
    const { service, worker } = engine(store, [triage]);
    t.after(() => service.close());

    await store.insertIncidents([inc(1, 3), inc(2, 4), inc(3, 1)], 1000);
    // Inserting the same incidents again starts nothing new (unique per incident, playbook, version).
    await store.insertIncidents([inc(1, 3), inc(2, 4)], 2000);
    const pending = await service.runs({ limit: 10 });
    assert.deepEqual(pending.map((r) => r.incidentId).sort(), ['logzio:e1', 'logzio:e2']);
    assert.ok(pending.every((r) => r.status === 'pending' && r.trigger === 'incident.created'));

    await worker.drain();
    const runs = await service.runs({ limit: 10 });
    assert.deepEqual(
      runs.map((r) => r.status),
      ['succeeded', 'succeeded'],
    );
    const r1 = runs.find((r) => r.incidentId === 'logzio:e1')!;
    const r2 = runs.find((r) => r.incidentId === 'logzio:e2')!;
    assert.deepEqual(r1.outputs, { verdict: 'tag' });
    assert.deepEqual(r2.outputs, { verdict: 'escalate' });

    const i1 = (await store.getIncident('logzio:e1'))!;
    assert.deepEqual(i1.tags, ['sev-3']);
    const i2 = (await store.getIncident('logzio:e2'))!;
    assert.equal(i2.status, 'active');
    // Every change is on the timeline with the run as its actor.
    const tl = await store.timeline('logzio:e1');
    const byRun = tl.filter((e) => e.actor.kind === 'playbook' && e.actor.name === r1.id).map((e) => e.kind);
    assert.deepEqual(byRun, ['playbook_run', 'tags_changed', 'note_added', 'playbook_run']);
    const notes = await store.listNotes('logzio:e1');
    assert.deepEqual(
      notes.map((n) => [n.body, n.author]),
      [['seen by triage', r1.id]],
    );

    const detail = (await service.run(r1.id))!;
    assert.deepEqual(
      detail.steps.map((s) => [s.stepId, s.status, s.attempt]),
      [
        ['facts', 'succeeded', 1],
        ['decide', 'succeeded', 1],
        ['tag', 'succeeded', 1],
        ['done', 'succeeded', 1],
      ],
    );
    assert.deepEqual(detail.steps[0]!.output, { sev: 3, label: 'sev-3' });
  });
}
