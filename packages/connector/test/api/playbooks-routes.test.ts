import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Playbook } from '../../src/playbooks/definition/schema.ts';
import { MemoryPlaybookService } from '../playbooks/memory-service.ts';
import { apiSetup } from './setup.ts';

const TRIAGE: Playbook = {
  name: 'triage',
  version: 1,
  inputs: { reason: { type: 'string' } },
  steps: [
    { id: 'prep', kind: 'set', values: { a: 1 } },
    {
      id: 'decide',
      kind: 'manual',
      prompt: 'Benign or not?',
      form: {
        verdict: { type: 'string', required: true, options: ['benign', 'malicious'] },
        score: { type: 'number' },
      },
    },
  ],
};
const ASSIGNED: Playbook = {
  name: 'assigned',
  version: 2,
  steps: [{ id: 'ask', kind: 'manual', prompt: 'only vi', assignee: 'someone' }],
};
const BROKEN: Playbook = { name: 'broken', version: 1, steps: [{ id: 'boom', kind: 'fail', message: 'no' }] };

async function setup(t: Parameters<typeof apiSetup>[0]) {
  const service = new MemoryPlaybookService(
    [TRIAGE, ASSIGNED, BROKEN],
    [
      {
        file: '/playbooks/bad.yaml',
        line: 7,
        step: 'x',
        code: 'PLAYBOOK_UNKNOWN_REFERENCE',
        message: 'nope',
      },
    ],
  );
  const s = await apiSetup(t, (h) => {
    service.incidentExists = async (id) => (await h.store.getIncident(id)) !== null;
    return { playbooks: service };
  });
  const start = (body: Record<string, unknown>, role: 'analyst' | 'viewer' | 'admin' = 'analyst') =>
    s.app.inject({ method: 'POST', url: '/api/playbook-runs', headers: s.as(role), payload: body });
  return { s, service, start };
}

test('GET /api/playbooks lists loaded playbooks (inputs, trigger, steps) and load errors for a viewer', async (t) => {
  const { s } = await setup(t);
  const r = await s.app.inject({ url: '/api/playbooks', headers: s.as('viewer') });
  assert.equal(r.statusCode, 200, r.body);
  const body = r.json();
  assert.deepEqual(
    body.playbooks.map((p: { name: string; version: number }) => `${p.name}@${p.version}`),
    ['triage@1', 'assigned@2', 'broken@1'],
  );
  assert.deepEqual(body.playbooks[0].inputs, { reason: { type: 'string', required: false } });
  assert.deepEqual(body.playbooks[0].steps, [
    { id: 'prep', kind: 'set', name: null },
    { id: 'decide', kind: 'manual', name: null },
  ]);
  assert.equal(body.playbooks[0].enabled, true);
  assert.deepEqual(body.errors, [
    { file: '/playbooks/bad.yaml', line: 7, step: 'x', code: 'PLAYBOOK_UNKNOWN_REFERENCE', message: 'nope' },
  ]);
});

test('POST /api/playbook-runs starts a run as the caller; bad playbook, version, incident, inputs and body are 4xx naming the field', async (t) => {
  const { s, service, start } = await setup(t);
  const ok = await start({ playbook: 'triage', incidentId: s.ids[0], inputs: { reason: 'check' } });
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(ok.json().status, 'waiting');
  assert.equal(ok.json().startedBy, 'analyst-key');
  assert.deepEqual(service.calls, [`start ${ok.json().id} by analyst-key`]);

  const viewer = await start({ playbook: 'triage', incidentId: s.ids[0] }, 'viewer');
  assert.equal(viewer.statusCode, 403);
  const cases: [Record<string, unknown>, number, string, string][] = [
    [{ playbook: 'nope', incidentId: s.ids[0] }, 404, 'PLAYBOOK_NOT_FOUND', 'body.playbook'],
    [{ playbook: 'triage', version: 9, incidentId: s.ids[0] }, 404, 'PLAYBOOK_NOT_FOUND', 'body.playbook'],
    [{ playbook: 'triage', incidentId: 'logzio:none' }, 404, 'INCIDENT_NOT_FOUND', 'body.incidentId'],
    [
      { playbook: 'triage', incidentId: s.ids[0], inputs: { reasn: 'x' } },
      400,
      'PLAYBOOK_INVALID_INPUT',
      'body.inputs.reasn',
    ],
    [{ playbook: 'triage', incidentId: s.ids[0], extra: 1 }, 400, 'VALIDATION_FAILED', 'body.extra'],
    [{ playbook: 'triage' }, 400, 'VALIDATION_FAILED', 'body.incidentId'],
  ];
  for (const [payload, status, code, field] of cases) {
    const r = await start(payload);
    assert.equal(r.statusCode, status, `${JSON.stringify(payload)}: ${r.body}`);
    assert.equal(r.json().errorCode, code, r.body);
    assert.equal(r.json().field, field, r.body);
  }
  assert.equal(service.runsById.size, 1, 'nothing started by a refused request');
  const none = await start({ playbook: 'broken', incidentId: null });
  assert.equal(none.statusCode, 201, none.body);
  assert.equal(none.json().incidentId, null);
});

test('GET /api/playbook-runs filters by incident, status and playbook and pages with before; GET one has its steps', async (t) => {
  const { s, start } = await setup(t);
  const ids: string[] = [];
  for (const [playbook, incidentId] of [
    ['triage', s.ids[0]],
    ['broken', s.ids[0]],
    ['broken', s.ids[1]],
  ] as const)
    ids.push((await start({ playbook, incidentId })).json().id);
  const get = (qs: string) => s.app.inject({ url: `/api/playbook-runs${qs}`, headers: s.as('viewer') });
  const names = (r: Awaited<ReturnType<typeof get>>) => r.json().results.map((x: { id: string }) => x.id);
  assert.deepEqual(names(await get('')), [ids[2], ids[1], ids[0]]);
  assert.deepEqual(names(await get(`?incidentId=${encodeURIComponent(s.ids[0]!)}`)), [ids[1], ids[0]]);
  assert.deepEqual(names(await get('?status=failed')), [ids[2], ids[1]]);
  assert.deepEqual(names(await get('?status=waiting,succeeded')), [ids[0]]);
  assert.deepEqual(names(await get('?playbook=triage')), [ids[0]]);
  const page1 = await get('?limit=2');
  assert.deepEqual(names(page1), [ids[2], ids[1]]);
  assert.equal(page1.json().nextBefore, ids[1]);
  const page2 = await get(`?limit=2&before=${page1.json().nextBefore}`);
  assert.deepEqual(names(page2), [ids[0]]);
  assert.equal(page2.json().nextBefore, null);
  for (const [qs, field] of [
    ['?status=done', 'querystring.status'],
    ['?limit=0', 'querystring.limit'],
    ['?nope=1', 'querystring.nope'],
  ]) {
    const r = await get(qs!);
    assert.equal(r.statusCode, 400, qs);
    assert.equal(r.json().field, field, r.body);
  }

  const one = await s.app.inject({ url: `/api/playbook-runs/${ids[1]}`, headers: s.as('viewer') });
  assert.equal(one.statusCode, 200);
  assert.equal(one.json().steps[0].stepId, 'boom');
  assert.equal(one.json().steps[0].status, 'failed');
  assert.equal(one.json().steps[0].error, 'no');
  const missing = await s.app.inject({ url: '/api/playbook-runs/run-9999', headers: s.as('viewer') });
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(missing.json(), {
    errorCode: 'PLAYBOOK_RUN_NOT_FOUND',
    message: 'no playbook run with id "run-9999"',
    field: 'params.id',
  });
});

test('cancel and retry: only a run that has not ended is cancelled, only a failed one retried (409 otherwise); viewers may not', async (t) => {
  const { s, service, start } = await setup(t);
  const waiting = (await start({ playbook: 'triage', incidentId: s.ids[0] })).json().id;
  const failed = (await start({ playbook: 'broken', incidentId: s.ids[0] })).json().id;
  const post = (url: string, role: 'analyst' | 'viewer' = 'analyst') =>
    s.app.inject({ method: 'POST', url, headers: s.as(role) });
  assert.equal((await post(`/api/playbook-runs/${waiting}/cancel`, 'viewer')).statusCode, 403);
  assert.equal((await post(`/api/playbook-runs/${failed}/retry`, 'viewer')).statusCode, 403);
  const r1 = await post(`/api/playbook-runs/${waiting}/retry`);
  assert.equal(r1.statusCode, 409);
  assert.equal(r1.json().errorCode, 'PLAYBOOK_RUN_STATE');
  const c1 = await post(`/api/playbook-runs/${failed}/cancel`);
  assert.equal(c1.statusCode, 409);
  assert.equal(c1.json().errorCode, 'PLAYBOOK_RUN_STATE');
  const c2 = await post(`/api/playbook-runs/${waiting}/cancel`);
  assert.equal(c2.statusCode, 200, c2.body);
  assert.equal(c2.json().status, 'cancelled');
  const r2 = await post(`/api/playbook-runs/${failed}/retry`);
  assert.equal(r2.statusCode, 200, r2.body);
  assert.equal(r2.json().status, 'running');
  assert.equal((await post('/api/playbook-runs/run-9999/cancel')).json().errorCode, 'PLAYBOOK_RUN_NOT_FOUND');
  assert.deepEqual(service.calls.slice(2), [
    `cancel ${waiting} by analyst-key`,
    `retry ${failed} by analyst-key`,
  ]);
});

test('manual tasks: listed by incident; an answer is checked against the form field by field, then the run goes on', async (t) => {
  const { s, service, start } = await setup(t);
  const run = (await start({ playbook: 'triage', incidentId: s.ids[0] })).json().id;
  await start({ playbook: 'triage', incidentId: s.ids[1] });
  const tasks = await s.app.inject({
    url: `/api/playbook-tasks?incidentId=${encodeURIComponent(s.ids[0]!)}`,
    headers: s.as('viewer'),
  });
  assert.equal(tasks.statusCode, 200, tasks.body);
  assert.deepEqual(
    tasks
      .json()
      .results.map((x: { runId: string; stepId: string; prompt: string }) => [x.runId, x.stepId, x.prompt]),
    [[run, 'decide', 'Benign or not?']],
  );
  assert.equal(
    (await s.app.inject({ url: '/api/playbook-tasks', headers: s.as('viewer') })).json().results.length,
    2,
  );

  const answer = (
    payload: unknown,
    step = 'decide',
    role: 'analyst' | 'viewer' | 'admin' = 'analyst',
    id = run,
  ) =>
    s.app.inject({
      method: 'POST',
      url: `/api/playbook-runs/${id}/steps/${step}/answer`,
      headers: s.as(role),
      payload: payload as Record<string, unknown>,
    });
  assert.equal((await answer({ answer: { verdict: 'benign' } }, 'decide', 'viewer')).statusCode, 403);
  for (const [payload, code, field, message] of [
    [{ answer: {} }, 'PLAYBOOK_INVALID_ANSWER', 'body.answer.verdict', /is required/],
    [
      { answer: { verdict: 'maybe' } },
      'PLAYBOOK_INVALID_ANSWER',
      'body.answer.verdict',
      /must be one of benign, malicious/,
    ],
    [
      { answer: { verdict: 'benign', score: 'high' } },
      'PLAYBOOK_INVALID_ANSWER',
      'body.answer.score',
      /must be a number/,
    ],
    [
      { answer: { verdict: 'benign', color: 'red' } },
      'PLAYBOOK_INVALID_ANSWER',
      'body.answer.color',
      /color/,
    ],
    [
      { verdict: 'benign' },
      'VALIDATION_FAILED',
      'body.answer',
      /body.answer must have required property 'answer'/,
    ],
  ] as const) {
    const r = await answer(payload);
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().errorCode, code, r.body);
    assert.equal(r.json().field, field, r.body);
    assert.match(r.json().message, message);
  }
  const wrongStep = await answer({ answer: {} }, 'prep');
  assert.equal(wrongStep.statusCode, 404);
  assert.equal(wrongStep.json().errorCode, 'PLAYBOOK_TASK_NOT_FOUND');
  assert.equal(
    (await answer({ answer: {} }, 'decide', 'analyst', 'run-9999')).json().errorCode,
    'PLAYBOOK_RUN_NOT_FOUND',
  );

  const ok = await answer({ answer: { verdict: 'malicious', score: 7 } });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().status, 'succeeded');
  assert.deepEqual(ok.json().steps.find((x: { stepId: string }) => x.stepId === 'decide').output, {
    verdict: 'malicious',
    score: 7,
  });
  assert.equal((await answer({ answer: { verdict: 'benign' } })).json().errorCode, 'PLAYBOOK_TASK_NOT_FOUND');
  assert.ok(service.calls.includes(`answer ${run}/decide by analyst-key`));

  // A task assigned to someone: others get 403, an admin may answer.
  const other = (await start({ playbook: 'assigned', incidentId: s.ids[0] })).json().id;
  const refused = await answer({ answer: {} }, 'ask', 'analyst', other);
  assert.equal(refused.statusCode, 403);
  assert.equal(refused.json().errorCode, 'PLAYBOOK_TASK_ASSIGNED');
  assert.equal((await answer({ answer: {} }, 'ask', 'admin', other)).statusCode, 200);
});

test('without a playbook service the lists are empty (enabled: false) and the rest answers 503 PLAYBOOKS_UNAVAILABLE', async (t) => {
  const s = await apiSetup(t);
  const get = async (url: string) => {
    const r = await s.app.inject({ url, headers: s.as('viewer') });
    assert.equal(r.statusCode, 200, url);
    return r.json();
  };
  assert.deepEqual(await get('/api/playbooks'), { enabled: false, playbooks: [], errors: [] });
  assert.deepEqual(await get('/api/playbook-runs'), { results: [], nextBefore: null });
  assert.deepEqual(await get('/api/playbook-tasks'), { results: [] });
  for (const [method, url, payload] of [
    ['GET', '/api/playbook-runs/x', undefined],
    ['POST', '/api/playbook-runs', { playbook: 'a', incidentId: null }],
    ['POST', '/api/playbook-runs/x/cancel', undefined],
    ['POST', '/api/playbook-runs/x/retry', undefined],
    ['POST', '/api/playbook-runs/x/steps/y/answer', { answer: {} }],
  ] as const) {
    const r = await s.app.inject({ method, url, headers: s.as('admin'), payload });
    assert.equal(r.statusCode, 503, url);
    assert.equal(r.json().errorCode, 'PLAYBOOKS_UNAVAILABLE');
  }
});
