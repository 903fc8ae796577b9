import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SiemClient } from '../../src/client/types.ts';
import { createPlaybookService } from '../../src/playbooks/service.ts';
import type { LoadError } from '../../src/playbooks/types.ts';
import { executors } from '../../src/playbooks/steps/index.ts';
import type { PlaybookWorker } from '../../src/playbooks/engine/worker.ts';
import { silent } from '../helpers.ts';
import { playbook, testSet } from '../playbooks/helpers.ts';
import { apiSetup } from './setup.ts';

/** The API over the real engine (journal in the SQLite store, a worker driven with drain()). */

const TRIAGE = playbook({
  name: 'triage',
  version: 1,
  inputs: { reason: { type: 'string' }, limit: { type: 'number', default: 5 } },
  steps: [
    { id: 'prep', kind: 'set', values: { reason: '${ inputs.reason }' } },
    {
      id: 'decide',
      kind: 'manual',
      prompt: 'Benign or not?',
      form: {
        verdict: { type: 'string', required: true, options: ['benign', 'malicious'] },
        score: { type: 'number' },
      },
    },
    { id: 'tag', kind: 'update-incident', note: 'verdict: ${ steps.decide.output.verdict }' },
  ],
});
const ASSIGNED = playbook({
  name: 'assigned',
  version: 2,
  steps: [{ id: 'ask', kind: 'manual', prompt: 'only someone', assignee: 'someone' }],
});
const BROKEN = playbook({
  name: 'broken',
  version: 1,
  steps: [{ id: 'boom', kind: 'fail', message: 'no luck' }],
});
const LOAD_ERROR = {
  file: '/playbooks/bad.yaml',
  line: 7,
  step: 'x',
  code: 'PLAYBOOK_UNKNOWN_REFERENCE',
  message: 'inputs.InternalRange is not declared',
} satisfies LoadError;

async function setup(t: Parameters<typeof apiSetup>[0]) {
  let worker!: PlaybookWorker;
  const s = await apiSetup(t, (h) => {
    const service = createPlaybookService({
      store: h.store,
      playbooks: [TRIAGE, ASSIGNED, BROKEN],
      errors: [LOAD_ERROR],
      executors: [...executors, testSet],
      clock: h.clock,
      logger: silent,
      client: {} as SiemClient,
      env: {},
      run: false,
    });
    worker = service.worker!;
    t.after(() => service.close());
    return { playbooks: service };
  });
  const start = async (body: Record<string, unknown>, role: 'analyst' | 'viewer' | 'admin' = 'analyst') => {
    // Each run a second apart: the list's order (newest first) is then the order of the calls.
    s.h.clock.advance(1000);
    return s.app.inject({ method: 'POST', url: '/api/playbook-runs', headers: s.as(role), payload: body });
  };
  const get = (url: string) => s.app.inject({ url, headers: s.as('viewer') });
  return { s, start, get, drain: () => worker.drain() };
}

test('GET /api/playbooks lists loaded playbooks (inputs, trigger, steps) and load errors for a viewer', async (t) => {
  const { get } = await setup(t);
  const r = await get('/api/playbooks');
  assert.equal(r.statusCode, 200, r.body);
  const body = r.json();
  assert.equal(body.enabled, true);
  assert.deepEqual(
    body.playbooks.map((p: { name: string; version: number }) => `${p.name}@${p.version}`).sort(),
    ['assigned@2', 'broken@1', 'triage@1'],
  );
  const triage = body.playbooks.find((p: { name: string }) => p.name === 'triage');
  assert.deepEqual(triage.inputs, {
    reason: { type: 'string', required: false },
    limit: { type: 'number', default: 5, required: false },
  });
  assert.deepEqual(
    triage.steps.map((x: { id: string; kind: string }) => `${x.id}:${x.kind}`),
    ['prep:set', 'decide:manual', 'tag:update-incident'],
  );
  assert.deepEqual(body.errors, [LOAD_ERROR]);
});

test('POST /api/playbook-runs starts a run as the caller; bad playbook, version, incident, inputs and body are 4xx naming the field', async (t) => {
  const { s, start, get, drain } = await setup(t);
  const ok = await start({ playbook: 'triage', incidentId: s.ids[0], inputs: { reason: 'check' } });
  assert.equal(ok.statusCode, 201, ok.body);
  const run = ok.json();
  assert.equal(run.status, 'pending');
  assert.equal(run.trigger, 'manual');
  assert.equal(run.startedBy, 'analyst-key');
  assert.deepEqual(run.inputs, { reason: 'check', limit: 5 });

  assert.equal((await start({ playbook: 'triage', incidentId: s.ids[0] }, 'viewer')).statusCode, 403);
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
    [
      { playbook: 'triage', incidentId: s.ids[0], inputs: { limit: 'ten' } },
      400,
      'PLAYBOOK_INVALID_INPUT',
      'body.inputs.limit',
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
  assert.equal(
    (await get('/api/playbook-runs')).json().results.length,
    1,
    'nothing started by a refused request',
  );

  // The worker takes it to the manual step; the detail shows each step with input, output, timing.
  await drain();
  const detail = (await get(`/api/playbook-runs/${run.id}`)).json();
  assert.equal(detail.status, 'waiting');
  const prep = detail.steps.find((x: { stepId: string }) => x.stepId === 'prep');
  assert.equal(prep.status, 'succeeded');
  assert.deepEqual(prep.output, { reason: 'check' });
  assert.equal(prep.attempt, 1);
  assert.ok(prep.startedAt && prep.endedAt, 'timing');
  assert.equal(detail.steps.find((x: { stepId: string }) => x.stepId === 'decide').status, 'waiting');
});

test('GET /api/playbook-runs filters by incident, status and playbook and pages with before; GET one is 404 when unknown', async (t) => {
  const { s, start, get, drain } = await setup(t);
  const ids: string[] = [];
  for (const [playbook, incidentId] of [
    ['triage', s.ids[0]],
    ['broken', s.ids[0]],
    ['broken', s.ids[1]],
  ] as const)
    ids.push((await start({ playbook, incidentId })).json().id);
  await drain();
  const names = async (qs: string) =>
    (await get(`/api/playbook-runs${qs}`)).json().results.map((x: { id: string }) => x.id);
  assert.deepEqual(await names(''), [ids[2], ids[1], ids[0]]);
  assert.deepEqual(await names(`?incidentId=${encodeURIComponent(s.ids[0]!)}`), [ids[1], ids[0]]);
  assert.deepEqual(await names('?status=failed'), [ids[2], ids[1]]);
  assert.deepEqual(await names('?status=waiting,succeeded'), [ids[0]]);
  assert.deepEqual(await names('?playbook=triage'), [ids[0]]);
  const page1 = (await get('/api/playbook-runs?limit=2')).json();
  assert.deepEqual(
    page1.results.map((x: { id: string }) => x.id),
    [ids[2], ids[1]],
  );
  assert.equal(page1.nextBefore, ids[1]);
  const page2 = (await get(`/api/playbook-runs?limit=2&before=${page1.nextBefore}`)).json();
  assert.deepEqual(
    page2.results.map((x: { id: string }) => x.id),
    [ids[0]],
  );
  assert.equal(page2.nextBefore, null);
  for (const [qs, field] of [
    ['?status=done', 'querystring.status'],
    ['?limit=0', 'querystring.limit'],
    ['?nope=1', 'querystring.nope'],
  ]) {
    const r = await get(`/api/playbook-runs${qs}`);
    assert.equal(r.statusCode, 400, qs);
    assert.equal(r.json().field, field, r.body);
  }

  const failed = (await get(`/api/playbook-runs/${ids[1]}`)).json();
  assert.equal(failed.status, 'failed');
  assert.equal(failed.steps[0].stepId, 'boom');
  assert.equal(failed.steps[0].status, 'failed');
  assert.match(failed.steps[0].error, /no luck/);
  const missing = await get('/api/playbook-runs/no-such-run');
  assert.equal(missing.statusCode, 404);
  assert.deepEqual(missing.json(), {
    errorCode: 'PLAYBOOK_RUN_NOT_FOUND',
    message: 'no playbook run with id "no-such-run"',
    field: 'params.id',
  });
});

test('cancel and retry: a run that has not ended is cancelled, a failed one retried (409 otherwise); viewers may not', async (t) => {
  const { s, start, get, drain } = await setup(t);
  const waiting = (await start({ playbook: 'triage', incidentId: s.ids[0] })).json().id;
  const failed = (await start({ playbook: 'broken', incidentId: s.ids[0] })).json().id;
  await drain();
  const post = (url: string, role: 'analyst' | 'viewer' = 'analyst') =>
    s.app.inject({ method: 'POST', url, headers: s.as(role) });
  assert.equal((await post(`/api/playbook-runs/${waiting}/cancel`, 'viewer')).statusCode, 403);
  assert.equal((await post(`/api/playbook-runs/${failed}/retry`, 'viewer')).statusCode, 403);
  const r1 = await post(`/api/playbook-runs/${waiting}/retry`);
  assert.equal(r1.statusCode, 409, r1.body);
  assert.equal(r1.json().errorCode, 'PLAYBOOK_RUN_STATE');
  const c1 = await post(`/api/playbook-runs/${failed}/cancel`);
  assert.equal(c1.statusCode, 409, c1.body);
  assert.equal(c1.json().errorCode, 'PLAYBOOK_RUN_STATE');

  const c2 = await post(`/api/playbook-runs/${waiting}/cancel`);
  assert.equal(c2.statusCode, 200, c2.body);
  assert.equal(c2.json().status, 'cancelled');
  assert.deepEqual((await get(`/api/playbook-tasks`)).json().results, [], 'a cancelled run asks nothing');
  // The cancel is the analyst's, not the run's: in the run detail and on the incident's timeline.
  const who = (await get(`/api/playbook-runs/${waiting}`)).json() as {
    cancelledBy: string | null;
    error: string;
  };
  assert.ok(who.cancelledBy && who.error === `cancelled by ${who.cancelledBy}`, JSON.stringify(who));
  const ended = (await get(`/api/incidents/${encodeURIComponent(s.ids[0]!)}/timeline`))
    .json()
    .filter(
      (e: { kind: string; after: { status?: string } }) =>
        e.kind === 'playbook_run' && e.after.status === 'cancelled',
    );
  assert.deepEqual(
    ended.map((e: { after: { by?: string } }) => e.after.by),
    [who.cancelledBy],
  );
  assert.equal(
    (await get(`/api/playbook-runs/${failed}`)).json().cancelledBy,
    null,
    'nobody cancelled a failed run',
  );

  const r2 = await post(`/api/playbook-runs/${failed}/retry`);
  assert.equal(r2.statusCode, 200, r2.body);
  assert.ok(!['failed', 'cancelled'].includes(r2.json().status), r2.body);
  await drain();
  const again = (await get(`/api/playbook-runs/${failed}`)).json();
  assert.equal(again.status, 'failed');
  assert.ok(
    again.steps.some((x: { stepId: string; attempt: number }) => x.stepId === 'boom' && x.attempt === 2),
    'the failed step ran again as attempt 2',
  );
  assert.equal(
    (await post('/api/playbook-runs/no-such-run/cancel')).json().errorCode,
    'PLAYBOOK_RUN_NOT_FOUND',
  );
  assert.equal(
    (await post('/api/playbook-runs/no-such-run/retry')).json().errorCode,
    'PLAYBOOK_RUN_NOT_FOUND',
  );
});

test('manual tasks: listed by incident; an answer is checked against the form field by field, then the run goes on', async (t) => {
  const { s, start, get, drain } = await setup(t);
  const run = (await start({ playbook: 'triage', incidentId: s.ids[0] })).json().id;
  await start({ playbook: 'triage', incidentId: s.ids[1] });
  await drain();
  const tasks = await get(`/api/playbook-tasks?incidentId=${encodeURIComponent(s.ids[0]!)}`);
  assert.equal(tasks.statusCode, 200, tasks.body);
  assert.deepEqual(
    tasks
      .json()
      .results.map((x: { runId: string; stepId: string; prompt: string }) => [x.runId, x.stepId, x.prompt]),
    [[run, 'decide', 'Benign or not?']],
  );
  assert.deepEqual(Object.keys(tasks.json().results[0].form), ['verdict', 'score']);
  assert.equal((await get('/api/playbook-tasks')).json().results.length, 2);

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
      /one of benign, malicious/,
    ],
    [
      { answer: { verdict: 'benign', score: 'high' } },
      'PLAYBOOK_INVALID_ANSWER',
      'body.answer.score',
      /number/,
    ],
    [
      { answer: { verdict: 'benign', color: 'red' } },
      'PLAYBOOK_INVALID_ANSWER',
      'body.answer.color',
      /color/,
    ],
    [{ verdict: 'benign' }, 'VALIDATION_FAILED', 'body.answer', /required property 'answer'/],
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
    (await answer({ answer: {} }, 'decide', 'analyst', 'no-such-run')).json().errorCode,
    'PLAYBOOK_RUN_NOT_FOUND',
  );

  const ok = await answer({ answer: { verdict: 'malicious', score: 7 } });
  assert.equal(ok.statusCode, 200, ok.body);
  await drain();
  const done = (await get(`/api/playbook-runs/${run}`)).json();
  assert.equal(done.status, 'succeeded');
  const decided = done.steps.find((x: { stepId: string }) => x.stepId === 'decide').output;
  assert.equal(decided.verdict, 'malicious');
  assert.equal(decided.score, 7);
  assert.equal(decided.answeredBy, 'analyst-key', 'the answer is recorded under the caller');
  // The run's effect and its start and end are on the incident's timeline, under the run.
  const incident = (await get(`/api/incidents/${encodeURIComponent(s.ids[0]!)}`)).json();
  assert.ok(
    incident.notes.some((n: { body: string }) => n.body === 'verdict: malicious'),
    'the note',
  );
  const byRun = incident.timeline.filter((e: { actor: { name: string } }) => e.actor.name === run);
  assert.ok(byRun.length >= 2, JSON.stringify(incident.timeline));
  const second = await answer({ answer: { verdict: 'benign' } });
  assert.equal(second.statusCode, 404, 'answered once');
  assert.equal(second.json().errorCode, 'PLAYBOOK_TASK_NOT_FOUND');

  // A task assigned to someone: others get 403, an admin may answer.
  const other = (await start({ playbook: 'assigned', incidentId: s.ids[0] })).json().id;
  await drain();
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
