import assert from 'node:assert/strict';
import test from 'node:test';
import type { StepExecutor } from '../../src/playbooks/types.ts';
import { STORE_FACTORIES } from '../store/factories.ts';
import { inc } from '../store/fixtures.ts';
import { engine, hangingHttp, ManualClock, playbook } from './helpers.ts';

/** A test `http` that records each call's idempotency key and fails while `failing` says so. */
function recordingHttp(failing: (item: unknown, attempt: number) => boolean) {
  const calls: string[] = [];
  const executor: StepExecutor = {
    kind: 'http',
    async execute(_step, ctx) {
      calls.push(ctx.idempotencyKey);
      if (failing(ctx.scope.item, ctx.attempt)) throw new Error(`refused ${String(ctx.scope.item)}`);
      return { output: { echoed: ctx.scope.item ?? null } };
    },
  };
  return { calls, executor };
}

for (const f of STORE_FACTORIES) {
  const open = async (t: test.TestContext) => {
    const store = await f.open(t);
    if (store) await store.insertIncidents([inc(1, 3)], 1000);
    return store;
  };

  test(`${f.name}: switch takes the first true case, and default when none matches`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const pb = playbook({
      name: 'route',
      version: 1,
      inputs: { n: { type: 'number', default: 0 } },
      outputs: { went: 'steps.pick.output.next' },
      steps: [
        {
          id: 'pick',
          kind: 'switch',
          cases: [
            { when: 'inputs.n > 10', next: 'big' },
            { when: 'inputs.n > 5', next: 'medium' },
          ],
          default: 'small',
        },
        { id: 'big', kind: 'end' },
        { id: 'medium', kind: 'end' },
        { id: 'small', kind: 'end' },
      ],
    });
    const { service, worker } = engine(store, [pb]);
    t.after(() => service.close());
    const outcome = async (n: number) => {
      const r = await service.start({ playbook: 'route', incidentId: null, inputs: { n }, startedBy: 't' });
      await worker.drain();
      const d = (await service.run(r.id))!;
      assert.equal(d.status, 'succeeded');
      return [(d.outputs as { went: string }).went, d.steps.map((s) => s.stepId).join(',')];
    };
    assert.deepEqual(await outcome(20), ['big', 'pick,big']);
    assert.deepEqual(await outcome(7), ['medium', 'pick,medium']);
    // No case matches: the mandatory default is taken, the run never stalls.
    assert.deepEqual(await outcome(1), ['small', 'pick,small']);
  });

  test(`${f.name}: fail ends the run failed with its message; end ends it succeeded at once`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const pb = playbook({
      name: 'stop',
      version: 1,
      inputs: { bad: { type: 'boolean', default: false } },
      steps: [
        { id: 'check', kind: 'switch', cases: [{ when: 'inputs.bad', next: 'boom' }], default: 'ok' },
        { id: 'boom', kind: 'fail', message: 'bad input for ${ run.playbook }' },
        { id: 'ok', kind: 'end' },
        { id: 'never', kind: 'set', values: { x: 1 } },
      ],
    });
    const { service, worker } = engine(store, [pb]);
    t.after(() => service.close());
    const bad = await service.start({
      playbook: 'stop',
      incidentId: null,
      inputs: { bad: true },
      startedBy: 't',
    });
    const good = await service.start({ playbook: 'stop', incidentId: null, startedBy: 't' });
    await worker.drain();
    const b = (await service.run(bad.id))!;
    assert.equal(b.status, 'failed');
    assert.equal(b.error, 'bad input for stop');
    const g = (await service.run(good.id))!;
    assert.equal(g.status, 'succeeded');
    assert.deepEqual(
      g.steps.map((s) => s.stepId),
      ['check', 'ok'],
    );
  });

  test(`${f.name}: foreach keeps each item's output and status; an empty list completes at once`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const http = recordingHttp(() => false);
    const pb = playbook({
      name: 'loop',
      version: 1,
      inputs: { list: { type: 'array', default: [] } },
      outputs: { all: 'steps.each.output' },
      steps: [
        { id: 'each', kind: 'foreach', items: 'inputs.list', concurrency: 2, do: { kind: 'http', url: 'x' } },
        { id: 'after', kind: 'set', values: { n: '${ $count(steps.each.output) }' } },
      ],
    });
    const { service, worker } = engine(store, [pb], { executors: [http.executor] });
    t.after(() => service.close());
    const full = await service.start({
      playbook: 'loop',
      incidentId: null,
      inputs: { list: ['a', 'b', 'c', 'd', 'e'] },
      startedBy: 't',
    });
    const empty = await service.start({
      playbook: 'loop',
      incidentId: null,
      inputs: { list: [] },
      startedBy: 't',
    });
    await worker.drain();
    const d = (await service.run(full.id))!;
    assert.equal(d.status, 'succeeded');
    assert.deepEqual(
      (d.outputs as { all: unknown[] }).all,
      ['a', 'b', 'c', 'd', 'e'].map((x) => ({ echoed: x })),
    );
    const items = d.steps.filter((s) => s.item !== null);
    assert.deepEqual(
      items.map((s) => [s.item, s.status]),
      [0, 1, 2, 3, 4].map((i) => [i, 'succeeded']),
    );
    assert.equal(http.calls.length, 5);
    const e = (await service.run(empty.id))!;
    assert.equal(e.status, 'succeeded');
    assert.deepEqual(e.outputs, { all: [] });
    assert.deepEqual(
      e.steps.map((s) => [s.stepId, s.status, s.output]),
      [
        ['each', 'succeeded', []],
        ['after', 'succeeded', { n: 0 }],
      ],
    );
  });

  test(`${f.name}: a retried foreach never re-runs items that succeeded (step retry and run retry)`, async (t) => {
    const store = await open(t);
    if (!store) return;
    // Item "b" fails on its first two attempts; everything else succeeds at once.
    const http = recordingHttp((item, attempt) => item === 'b' && attempt <= 2);
    const pb = playbook({
      name: 'flaky-loop',
      version: 1,
      steps: [
        {
          id: 'each',
          kind: 'foreach',
          items: '["a", "b", "c"]',
          concurrency: 3,
          do: { kind: 'http', url: 'x' },
        },
      ],
    });
    const { service, worker } = engine(store, [pb], { executors: [http.executor] });
    t.after(() => service.close());
    const r = await service.start({ playbook: 'flaky-loop', incidentId: null, startedBy: 't' });
    await worker.drain();
    let d = (await service.run(r.id))!;
    assert.equal(d.status, 'failed');
    assert.match(d.error!, /1 of 3 items failed; item 1: refused b/);
    // Retry the run: only the failed item runs again (attempt 2), then it fails again ...
    await service.retry(r.id, 'analyst');
    await worker.drain();
    d = (await service.run(r.id))!;
    assert.equal(d.status, 'failed');
    // ... and the third time it succeeds. a and c ran exactly once each, ever.
    await service.retry(r.id, 'analyst');
    await worker.drain();
    d = (await service.run(r.id))!;
    assert.equal(d.status, 'succeeded');
    assert.deepEqual(
      http.calls.filter((k) => k.includes(':each:0:')),
      [`${r.id}:each:0:1`],
    );
    assert.deepEqual(
      http.calls.filter((k) => k.includes(':each:2:')),
      [`${r.id}:each:2:1`],
    );
    assert.deepEqual(
      http.calls.filter((k) => k.includes(':each:1:')),
      [1, 2, 3].map((a) => `${r.id}:each:1:${a}`),
    );
    assert.deepEqual(
      d.steps.filter((s) => s.item !== null).map((s) => [s.item, s.status, s.attempt]),
      [
        [0, 'succeeded', 1],
        [1, 'succeeded', 3],
        [2, 'succeeded', 1],
      ],
    );
  });

  test(`${f.name}: a foreach step's own retry re-runs only its failed items`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const http = recordingHttp((item, attempt) => item === 2 && attempt === 1);
    const pb = playbook({
      name: 'retry-loop',
      version: 1,
      steps: [
        {
          id: 'each',
          kind: 'foreach',
          items: '[1, 2, 3]',
          retry: { max: 1, backoff: '1s' },
          do: { kind: 'http', url: 'x' },
        },
      ],
    });
    const clock = new ManualClock();
    const { service, worker } = engine(store, [pb], { executors: [http.executor], clock });
    t.after(() => service.close());
    const r = await service.start({ playbook: 'retry-loop', incidentId: null, startedBy: 't' });
    await worker.drain();
    // The retry is due after its backoff (a durable due time, not a sleep).
    assert.equal((await service.run(r.id))!.status, 'running');
    clock.advance(1000);
    await worker.drain();
    const d = (await service.run(r.id))!;
    assert.equal(d.status, 'succeeded');
    assert.deepEqual(
      http.calls.map((k) => k.slice(r.id.length + 1)),
      ['each:0:1', 'each:1:1', 'each:2:1', 'each:1:2'],
    );
  });

  test(`${f.name}: a sub-playbook runs as its own run; its result arrives as the step's output`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const child = playbook({
      name: 'child',
      version: 2,
      inputs: { who: { type: 'string', required: true } },
      outputs: { greeting: 'steps.hello.output.text' },
      steps: [{ id: 'hello', kind: 'set', values: { text: 'hello ${ inputs.who } on ${ incident.id }' } }],
    });
    const parent = playbook({
      name: 'parent',
      version: 1,
      outputs: { got: 'steps.call.output.greeting' },
      steps: [
        { id: 'call', kind: 'playbook', playbook: 'child', with: { who: 'parent' } },
        { id: 'use', kind: 'set', values: { upper: '${ $uppercase(steps.call.output.greeting) }' } },
      ],
    });
    const { service, worker } = engine(store, [child, parent]);
    t.after(() => service.close());
    const r = await service.start({ playbook: 'parent', incidentId: 'logzio:e1', startedBy: 't' });
    await worker.drain();
    const d = (await service.run(r.id))!;
    assert.equal(d.status, 'succeeded');
    assert.deepEqual(d.outputs, { got: 'hello parent on logzio:e1' });
    assert.deepEqual(d.steps[1]!.output, { upper: 'HELLO PARENT ON LOGZIO:E1' });
    const runs = await service.runs({ limit: 10 });
    const sub = runs.find((x) => x.playbook === 'child')!;
    assert.equal(sub.parentRunId, r.id);
    assert.equal(sub.trigger, 'playbook');
    assert.equal(sub.status, 'succeeded');
  });

  test(`${f.name}: a failed sub-playbook fails its step, which takes on-error`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const child = playbook({
      name: 'broken',
      version: 1,
      steps: [{ id: 'x', kind: 'fail', message: 'nope' }],
    });
    const parent = playbook({
      name: 'guarded',
      version: 1,
      steps: [
        { id: 'call', kind: 'playbook', playbook: 'broken', 'on-error': 'recover' },
        { id: 'unreached', kind: 'end' },
        { id: 'recover', kind: 'set', values: { why: '${ steps.call.error }' } },
      ],
    });
    const { service, worker } = engine(store, [child, parent]);
    t.after(() => service.close());
    const r = await service.start({ playbook: 'guarded', incidentId: null, startedBy: 't' });
    await worker.drain();
    const d = (await service.run(r.id))!;
    assert.equal(d.status, 'succeeded');
    assert.deepEqual(
      d.steps.map((s) => [s.stepId, s.status]),
      [
        ['call', 'failed'],
        ['recover', 'succeeded'],
      ],
    );
    assert.match(
      (d.steps[1]!.output as { why: string }).why,
      /sub-playbook "broken" run .* ended failed: nope/,
    );
  });

  test(`${f.name}: manual waits durably; the answer is checked against the form, then the run goes on`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const pb = playbook({
      name: 'ask',
      version: 1,
      outputs: { decision: 'steps.approve.output.decision' },
      steps: [
        {
          id: 'approve',
          kind: 'manual',
          prompt: 'Block ${ incident.id }?',
          form: {
            decision: { type: 'string', required: true, options: ['block', 'ignore'] },
            minutes: { type: 'number' },
          },
        },
      ],
    });
    const { service, worker } = engine(store, [pb]);
    t.after(() => service.close());
    const r = await service.start({ playbook: 'ask', incidentId: 'logzio:e1', startedBy: 't' });
    await worker.drain();
    assert.equal((await service.run(r.id))!.status, 'waiting');
    const tasks = await service.tasks({ incidentId: 'logzio:e1' });
    assert.deepEqual(
      tasks.map((x) => [x.runId, x.stepId, x.prompt]),
      [[r.id, 'approve', 'Block logzio:e1?']],
    );
    await assert.rejects(service.answer(r.id, 'approve', { decision: 'maybe' }, 'ana'), {
      code: 'PLAYBOOK_INVALID_ANSWER',
      field: 'body.answer.decision',
    });
    await assert.rejects(service.answer(r.id, 'approve', { minutes: 5 }, 'ana'), {
      code: 'PLAYBOOK_INVALID_ANSWER',
    });
    await assert.rejects(service.answer(r.id, 'approve', { decision: 'block', extra: 1 }, 'ana'), {
      field: 'body.answer.extra',
    });
    await assert.rejects(service.answer(r.id, 'nope', { decision: 'block' }, 'ana'), {
      code: 'PLAYBOOK_TASK_NOT_FOUND',
    });
    // A worker that restarts meanwhile changes nothing: the wait is a row, not a promise.
    assert.equal(await worker.drain(), 0);
    await service.answer(r.id, 'approve', { decision: 'block', minutes: 5 }, 'ana');
    await worker.drain();
    const d = (await service.run(r.id))!;
    assert.equal(d.status, 'succeeded');
    assert.deepEqual(d.outputs, { decision: 'block' });
    assert.equal((d.steps[0]!.output as { answeredBy: string }).answeredBy, 'ana');
    assert.deepEqual(await service.tasks({}), []);
  });

  test(`${f.name}: wait holds a durable due time (duration and until) on the injected clock`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const clock = new ManualClock();
    const pb = playbook({
      name: 'pause',
      version: 1,
      steps: [
        { id: 'nap', kind: 'wait', duration: '5m' },
        { id: 'until', kind: 'wait', until: '$millis() + 0 = 0 ? 0 : ' + String(clock.now() + 600_000) },
        { id: 'done', kind: 'end' },
      ],
    });
    const { service, worker } = engine(store, [pb], { clock });
    t.after(() => service.close());
    const r = await service.start({ playbook: 'pause', incidentId: null, startedBy: 't' });
    await worker.drain();
    let d = (await service.run(r.id))!;
    assert.deepEqual(
      d.steps.map((s) => [s.stepId, s.status]),
      [['nap', 'waiting']],
    );
    assert.equal(d.steps[0]!.dueAt, new Date(clock.now() + 300_000).toISOString());
    clock.advance(299_999);
    assert.equal(await worker.drain(), 0);
    clock.advance(1);
    await worker.drain();
    d = (await service.run(r.id))!;
    assert.deepEqual(
      d.steps.map((s) => [s.stepId, s.status]),
      [
        ['nap', 'succeeded'],
        ['until', 'waiting'],
      ],
    );
    clock.advance(300_000);
    await worker.drain();
    assert.equal((await service.run(r.id))!.status, 'succeeded');
  });

  test(`${f.name}: a step that hangs hits its timeout, is retried as a new attempt, then takes on-error`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const clock = new ManualClock();
    const pb = playbook({
      name: 'hang',
      version: 1,
      steps: [
        {
          id: 'call',
          kind: 'http',
          url: 'x',
          timeout: '30s',
          retry: { max: 1, on: ['timeout'] },
          'on-error': 'note',
        },
        { id: 'unreached', kind: 'end' },
        { id: 'note', kind: 'set', values: { why: '${ steps.call.error }' } },
      ],
    });
    const { service, worker } = engine(store, [pb], { clock, executors: [hangingHttp] });
    t.after(() => service.close());
    const r = await service.start({ playbook: 'hang', incidentId: null, startedBy: 't' });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const d = worker.drain();
      await clock.sleeping();
      clock.advance(30_000);
      await d;
      if (attempt === 1) {
        const s = (await service.run(r.id))!.steps[0]!;
        assert.deepEqual([s.status, s.attempt, s.error], ['ready', 2, 'timed out after 30000 ms']);
        clock.advance(1000); // the retry's backoff
      }
    }
    await worker.drain();
    const d = (await service.run(r.id))!;
    assert.equal(d.status, 'succeeded');
    assert.deepEqual(
      d.steps.map((s) => [s.stepId, s.status, s.attempt]),
      [
        ['call', 'failed', 2],
        ['note', 'succeeded', 1],
      ],
    );
    const events = await store.playbooks.journal.events(r.id);
    assert.deepEqual(
      events.filter((e) => e.stepId === 'call').map((e) => [e.kind, e.attempt]),
      [
        ['step.claimed', 1],
        ['step.retry', 2],
        ['step.claimed', 2],
        ['step.failed', 2],
      ],
    );
  });

  test(`${f.name}: the watchdog marks a run past its deadline timed-out (visible); retry resumes it`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const clock = new ManualClock();
    const pb = playbook({
      name: 'slow',
      version: 1,
      deadline: '10m',
      steps: [
        { id: 'first', kind: 'set', values: { a: 1 } },
        { id: 'hold', kind: 'wait', duration: '1h' },
        { id: 'last', kind: 'set', values: { b: 2 } },
      ],
    });
    const { service, worker } = engine(store, [pb], { clock });
    t.after(() => service.close());
    const r = await service.start({ playbook: 'slow', incidentId: 'logzio:e1', startedBy: 't' });
    await worker.drain();
    clock.advance(9 * 60_000);
    assert.deepEqual((await worker.watchdog()).timedOut, []);
    clock.advance(60_000);
    assert.deepEqual((await worker.watchdog()).timedOut, [r.id]);
    let d = (await service.run(r.id))!;
    assert.equal(d.status, 'timed-out');
    assert.deepEqual(
      d.steps.map((s) => [s.stepId, s.status]),
      [
        ['first', 'succeeded'],
        ['hold', 'cancelled'],
      ],
    );
    const tl = await store.timeline('logzio:e1');
    assert.deepEqual((tl.at(-1)!.after as { status: string }).status, 'timed-out');
    await service.retry(r.id, 'ana');
    await worker.drain();
    clock.advance(3_600_000);
    await worker.drain();
    d = (await service.run(r.id))!;
    assert.equal(d.status, 'succeeded');
    assert.deepEqual(
      d.steps.map((s) => [s.stepId, s.status, s.attempt]),
      [
        ['first', 'succeeded', 1],
        ['hold', 'succeeded', 2],
        ['last', 'succeeded', 1],
      ],
    );
  });

  test(`${f.name}: cancel ends a waiting run and its sub-runs; an ended run cannot be cancelled`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const child = playbook({
      name: 'child',
      version: 1,
      steps: [{ id: 'ask', kind: 'manual', prompt: 'ok?' }],
    });
    const parent = playbook({
      name: 'parent',
      version: 1,
      steps: [{ id: 'call', kind: 'playbook', playbook: 'child' }],
    });
    const { service, worker } = engine(store, [child, parent]);
    t.after(() => service.close());
    const r = await service.start({ playbook: 'parent', incidentId: null, startedBy: 't' });
    await worker.drain();
    assert.equal((await service.tasks({})).length, 1);
    const c = await service.cancel(r.id, 'ana');
    assert.equal(c!.status, 'cancelled');
    assert.equal(c!.error, 'cancelled by ana');
    const runs = await service.runs({ limit: 10 });
    assert.deepEqual(
      runs.map((x) => x.status),
      ['cancelled', 'cancelled'],
    );
    assert.deepEqual(await service.tasks({}), []);
    await assert.rejects(service.cancel(r.id, 'ana'), { code: 'PLAYBOOK_RUN_STATE' });
    assert.equal(await service.cancel('nope', 'ana'), null);
  });

  test(`${f.name}: a lease that expires puts the step back: same attempt, same key; the old holder's commit is refused`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const clock = new ManualClock();
    const http = recordingHttp(() => false);
    const pb = playbook({
      name: 'lease',
      version: 1,
      steps: [
        { id: 'call', kind: 'http', url: 'x' },
        { id: 'mark', kind: 'update-incident', note: 'called' },
      ],
    });
    const { service, worker } = engine(store, [pb], { clock, executors: [http.executor] });
    t.after(() => service.close());
    const r = await service.start({ playbook: 'lease', incidentId: 'logzio:e1', startedBy: 't' });
    const journal = store.playbooks.journal;
    // A worker claims the step and dies before committing.
    const [dead] = await journal.claim('dead-worker', clock.now(), 30_000, 10);
    assert.equal(dead!.row.attempt, 1);
    assert.equal(await worker.drain(), 0); // leased: nobody else may take it yet
    clock.advance(30_000);
    await worker.drain();
    assert.deepEqual(http.calls, [`${r.id}:call:-:1`]);
    assert.equal((await service.run(r.id))!.status, 'succeeded');
    // The dead worker's late completion is refused: nothing is applied twice.
    const late = await journal.complete({
      rowId: dead!.row.id,
      runId: r.id,
      stepId: 'call',
      item: null,
      attempt: 1,
      owner: 'dead-worker',
      now: clock.now(),
      row: { status: 'succeeded', output: {} },
      effects: [{ kind: 'update-incident', incidentId: 'logzio:e1', patch: {}, note: 'twice?' }],
      events: [],
    });
    assert.equal(late, 'lost');
    assert.deepEqual(
      (await store.listNotes('logzio:e1')).map((n) => n.body),
      ['called'],
    );
  });

  test(`${f.name}: deliver enqueues one outbox row for a configured sink; an unknown sink fails the step`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const pb = playbook({
      name: 'send',
      version: 1,
      inputs: { sink: { type: 'string', default: 'hook' } },
      steps: [{ id: 'send', kind: 'deliver', sink: 'hook', message: { reason: 'block ${ incident.id }' } }],
    });
    const other = playbook({
      name: 'send-elsewhere',
      version: 1,
      steps: [{ id: 'send', kind: 'deliver', sink: 'nowhere' }],
    });
    const { service, worker } = engine(store, [pb, other], { sinks: ['hook'] });
    t.after(() => service.close());
    const r = await service.start({ playbook: 'send', incidentId: 'logzio:e1', startedBy: 't' });
    const bad = await service.start({ playbook: 'send-elsewhere', incidentId: 'logzio:e1', startedBy: 't' });
    await worker.drain();
    assert.equal((await service.run(r.id))!.status, 'succeeded');
    const rows = await store.outbox.list({ limit: 10 });
    assert.deepEqual(
      rows.map((x) => [x.sink, x.incidentId]),
      [['hook', 'logzio:e1']],
    );
    const b = (await service.run(bad.id))!;
    assert.equal(b.status, 'failed');
    assert.match(b.error!, /no sink "nowhere" is configured \(configured: hook\)/);
  });

  test(`${f.name}: manual start checks the playbook, its inputs and the incident`, async (t) => {
    const store = await open(t);
    if (!store) return;
    const pb = playbook({
      name: 'typed',
      version: 1,
      inputs: { ips: { type: 'array', required: true }, days: { type: 'number', default: 7 } },
      steps: [{ id: 'x', kind: 'end' }],
    });
    const { service } = engine(store, [pb]);
    t.after(() => service.close());
    const start = (req: object) =>
      service.start({ playbook: 'typed', incidentId: null, startedBy: 't', ...req });
    await assert.rejects(start({ playbook: 'nope' }), { code: 'PLAYBOOK_NOT_FOUND' });
    await assert.rejects(start({}), { code: 'PLAYBOOK_INVALID_INPUT', field: 'body.inputs.ips' });
    await assert.rejects(
      start({ inputs: { ips: 'x' } }),
      /body.inputs.ips: must be of type array, got string/,
    );
    await assert.rejects(
      start({ inputs: { ips: [], InternalRange: 'x' } }),
      /declares no input "InternalRange" \(it has: ips, days\)/,
    );
    await assert.rejects(start({ inputs: { ips: [] }, incidentId: 'nope' }), { code: 'INCIDENT_NOT_FOUND' });
    const r = await start({ inputs: { ips: ['1.2.3.4'] } });
    assert.deepEqual(r.inputs, { ips: ['1.2.3.4'], days: 7 });
    assert.equal(r.status, 'pending');
  });
}
