import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildApiApp } from '@siemlink/connector/api/app.ts';
import { createAuth } from '@siemlink/connector/auth/service.ts';
import { systemClock } from '@siemlink/connector/context.ts';
import { openIncidentStore } from '@siemlink/connector/store/index.ts';
import type { SiemClient } from '@siemlink/connector/client/types.ts';
import { createPlaybookService } from '@siemlink/connector/playbooks/service.ts';
import { executors } from '@siemlink/connector/playbooks/steps/index.ts';
// Tests only: the engine's test helpers (a schema-checked playbook, a `set` step).
import { playbook, testSet } from '../../connector/test/playbooks/helpers.ts';
import { runCli } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 1);

const TRIAGE = playbook({
  name: 'triage',
  version: 1,
  inputs: {
    limit: { type: 'number' },
    strict: { type: 'boolean' },
    ips: { type: 'array' },
    note: { type: 'string' },
  },
  steps: [
    {
      id: 'decide',
      kind: 'manual',
      prompt: 'Benign?',
      form: {
        verdict: { type: 'string', required: true, options: ['benign', 'malicious'] },
        score: { type: 'number' },
      },
    },
  ],
});
const BROKEN = playbook({ name: 'broken', version: 1, steps: [{ id: 'boom', kind: 'fail', message: 'no' }] });

/** A stored incident of the brute-force rule, id from its alert event id. */
const bruteForce = (alertEventId: string) => ({
  id: `logzio:${alertEventId}`,
  alertEventId,
  name: 'Brute force login',
  occurred: new Date(T0).toISOString(),
  severity: 3,
  fields: {},
  raw: {},
});

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-pb-cli-'));
  const store = await openIncidentStore({ dataDir: dir });
  await store.insertIncidents([bruteForce('e1')], T0);
  const service = createPlaybookService({
    store,
    playbooks: [TRIAGE, BROKEN],
    errors: [
      {
        file: '/pb/bad.yaml',
        line: 12,
        step: 'hunt',
        code: 'PLAYBOOK_UNKNOWN_REFERENCE',
        message: 'inputs.InternalRange is not declared',
      },
    ],
    executors: [...executors, testSet],
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    client: {} as SiemClient,
    env: {},
    // The test moves runs on with drain(): each CLI call sees a settled state.
    run: false,
  });
  const app = await buildApiApp({
    store,
    logger: pino({ level: 'silent' }),
    clock: systemClock,
    fetching: false,
    playbooks: service,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const { key } = await createAuth({ store, clock: systemClock }).createApiKey('cli', 'analyst', 'test');
  t.after(async () => {
    await app.close();
    await service.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = { PATH: process.env.PATH!, HOME: dir, SIEMLINK_CONNECTOR_URL: url, SIEMLINK_API_KEY: key };
  return { env, drain: () => service.worker!.drain() };
}

const json = (r: { stdout: string; stderr: string; code: number }) => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('playbooks list|run|runs|show|tasks|answer|cancel|retry over the API; inputs and answers typed by their declarations', async (t) => {
  const { env, drain } = await setup(t);
  const list = json(await runCli(['playbooks', 'list'], env));
  assert.deepEqual(
    list.playbooks.map((p: { name: string }) => p.name),
    ['triage', 'broken'],
  );
  assert.equal(list.errors[0].code, 'PLAYBOOK_UNKNOWN_REFERENCE');

  const run = json(
    await runCli(
      [
        'playbooks',
        'run',
        'triage',
        '--incident',
        'logzio:e1',
        '--input',
        'limit=5',
        '--input',
        'strict=true',
        '--input',
        'ips=["10.0.0.1"]',
        '--input',
        'note=a=b',
      ],
      env,
    ),
  );
  assert.equal(run.status, 'pending');
  assert.equal(run.startedBy, 'cli');
  await drain();
  assert.deepEqual(run.inputs, {
    limit: 5,
    strict: true,
    ips: ['10.0.0.1'],
    note: 'a=b',
  });

  for (const [args, message] of [
    [
      ['playbooks', 'run', 'triage', '--incident', 'logzio:e1', '--input', 'limit=many'],
      /--input limit must be a number/,
    ],
    [
      ['playbooks', 'run', 'triage', '--incident', 'logzio:e1', '--input', 'strict=yes'],
      /--input strict must be true or false/,
    ],
    [['playbooks', 'run', 'triage', '--incident', 'logzio:e1', '--input', 'nothing'], /must be name=value/],
    [
      ['playbooks', 'run', 'triage', '--incident', 'logzio:e1', '--input', 'bogus=1'],
      /\[PLAYBOOK_INVALID_INPUT\]/,
    ],
    [['playbooks', 'run', 'nope', '--incident', 'logzio:e1'], /\[PLAYBOOK_NOT_FOUND\]/],
    [['playbooks', 'run', 'triage', '--incident', 'logzio:none'], /\[INCIDENT_NOT_FOUND\]/],
    [['playbooks', 'run', 'triage'], /required option '--incident <id>'/],
    [['playbooks', 'show', 'run-9999'], /\[PLAYBOOK_RUN_NOT_FOUND\]/],
    [
      ['playbooks', 'answer', run.id, 'decide', 'verdict=maybe'],
      /\[PLAYBOOK_INVALID_ANSWER\] body.answer.verdict.*must be one of benign, malicious/,
    ],
    [['playbooks', 'answer', run.id, 'decide', 'verdict=benign', 'score=x'], /field score must be a number/],
  ] as const) {
    const r = await runCli([...args], env);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, message, args.join(' '));
  }

  const failed = json(await runCli(['playbooks', 'run', 'broken', '--incident', 'logzio:e1'], env));
  await drain();
  const runs = json(
    await runCli(['playbooks', 'runs', '--incident', 'logzio:e1', '--status', 'failed'], env),
  );
  assert.deepEqual(
    runs.results.map((r: { id: string }) => r.id),
    [failed.id],
  );
  const shown = json(await runCli(['playbooks', 'show', failed.id], env));
  assert.equal(shown.status, 'failed');
  assert.match(shown.steps[0].error, /no/);
  const tasks = json(await runCli(['playbooks', 'tasks', '--incident', 'logzio:e1'], env));
  assert.deepEqual(
    tasks.map((x: { stepId: string }) => x.stepId),
    ['decide'],
  );
  json(await runCli(['playbooks', 'answer', run.id, 'decide', 'verdict=benign', 'score=3'], env));
  await drain();
  const after = json(await runCli(['playbooks', 'show', run.id], env));
  assert.equal(after.status, 'succeeded');
  const decided = after.steps.find((x: { stepId: string }) => x.stepId === 'decide').output;
  assert.deepEqual([decided.verdict, decided.score, decided.answeredBy], ['benign', 3, 'cli']);
  const notRetryable = await runCli(['playbooks', 'retry', run.id], env);
  assert.match(notRetryable.stderr, /\[PLAYBOOK_RUN_STATE\]/);
  assert.notEqual(json(await runCli(['playbooks', 'retry', failed.id], env)).status, 'failed');
  assert.equal(json(await runCli(['playbooks', 'cancel', failed.id], env)).status, 'cancelled');
  const ended = await runCli(['playbooks', 'cancel', failed.id], env);
  assert.match(ended.stderr, /\[PLAYBOOK_RUN_STATE\]/);
});

test('playbooks validate: file:line: [CODE] step <id>: message per error and exit 1; a valid folder exits 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-pb-validate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { PATH: process.env.PATH!, HOME: dir };
  // The anchor's bug: the input is InternalIPRange, the step reads inputs.InternalRange.
  const file = join(dir, 'hunt.yaml');
  writeFileSync(
    file,
    [
      'name: hunt',
      'version: 1',
      'inputs:',
      '  InternalIPRange: { type: string, default: 10.0.0.0/8 }',
      'steps:',
      '  - id: split',
      '    kind: set',
      '    values:',
      "      ranges: '${ inputs.InternalRange }'",
      '',
    ].join('\n'),
  );
  const bad = await runCli(['playbooks', 'validate', file], env);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(
    bad.stdout,
    new RegExp(
      `^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:9: \\[PLAYBOOK_UNKNOWN_REFERENCE\\] step split: .*InternalRange`,
      'm',
    ),
  );
  assert.match(bad.stderr, /0 playbook\(s\) valid, 1 error\(s\)/);

  const fixtures = join(
    import.meta.dirname,
    '..',
    '..',
    'connector',
    'test',
    'playbooks',
    'fixtures',
    'valid',
  );
  const good = await runCli(['playbooks', 'validate', fixtures], env);
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.equal(good.stdout, '');
  assert.match(good.stderr, /3 playbook\(s\) valid, 0 error\(s\)/);
  const missing = await runCli(['playbooks', 'validate', join(dir, 'none.yaml')], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /\[PLAYBOOK_READ_ERROR\]/);
});

test('playbooks test: runs on a copy of an incident; http and deliver are recorded fakes; the real store is untouched', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-pb-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openIncidentStore({ dataDir: dir });
  await store.insertIncidents([bruteForce('e9')], T0);
  await store.close();
  const file = join(dir, 'page.yaml');
  writeFileSync(
    file,
    [
      'name: page',
      'version: 1',
      'inputs:',
      '  threshold: { type: number, default: 4 }',
      'steps:',
      '  - id: route',
      '    kind: switch',
      '    cases:',
      '      - when: incident.severity >= inputs.threshold',
      '        next: call',
      '    default: close',
      '  - id: call',
      '    kind: http',
      '    url: http://127.0.0.1:9/never-sent',
      '    secrets: { token: PAGER_TOKEN }',
      "    headers: { authorization: 'Bearer ${ secrets.token }' }",
      "    body: { text: 'page ${ incident.name }' }",
      '  - id: ship',
      '    kind: deliver',
      '    sink: block-requests',
      '  - id: close',
      '    kind: update-incident',
      '    status: active',
      '',
    ].join('\n'),
  );
  // The secret is set: the recorded request must still not show it.
  const env = { PATH: process.env.PATH!, HOME: dir, PAGER_TOKEN: 'very-secret-value' };
  const r = json(
    await runCli(
      [
        'playbooks',
        'test',
        file,
        '--incident',
        'logzio:e9',
        '--data-dir',
        dir,
        '--api-url',
        'http://127.0.0.1:9',
        '--input',
        'threshold=3',
      ],
      env,
    ),
  );
  assert.equal(r.run.status, 'succeeded');
  const steps = Object.fromEntries(r.run.steps.map((s: { stepId: string }) => [s.stepId, s]));
  assert.equal(steps.route.output.next, 'call');
  assert.deepEqual(steps.call.input.headers, { authorization: 'Bearer [redacted]' });
  assert.equal(steps.call.input.body.text, 'page Brute force login');
  assert.equal(steps.call.output.status, 200);
  assert.equal(steps.ship.output.sink, 'block-requests');
  assert.equal(steps.close.status, 'succeeded');
  assert.doesNotMatch(JSON.stringify(r), /very-secret-value/);
  // The real store: no run, no change.
  const after = await openIncidentStore({ dataDir: dir });
  t.after(() => after.close());
  assert.equal((await after.getIncident('logzio:e9'))?.status, 'new');
  assert.equal((await after.playbooks.journal.runs({ limit: 10 })).length, 0);

  const missing = await runCli(
    [
      'playbooks',
      'test',
      file,
      '--incident',
      'logzio:none',
      '--data-dir',
      dir,
      '--api-url',
      'http://127.0.0.1:9',
    ],
    env,
  );
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /--incident: no incident "logzio:none"/);
});
