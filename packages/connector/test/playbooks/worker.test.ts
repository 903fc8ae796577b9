import assert from 'node:assert/strict';
import test from 'node:test';
import type { SiemClient } from '../../src/client/types.ts';
import { createPlaybookService } from '../../src/playbooks/service.ts';
import { executors as builtin } from '../../src/playbooks/steps/index.ts';
import { silent } from '../helpers.ts';
import { STORE_FACTORIES } from '../store/factories.ts';
import { inc } from '../store/fixtures.ts';
import { ManualClock, playbook, testSet } from './helpers.ts';

const chain = playbook({
  name: 'chain',
  version: 1,
  trigger: { on: 'incident.created' },
  steps: [
    { id: 'one', kind: 'set', values: { n: 1 } },
    { id: 'two', kind: 'set', values: { n: '${ steps.one.output.n + 1 }' } },
    { id: 'three', kind: 'update-incident', note: 'n=${ steps.two.output.n }' },
  ],
});

const POLL_MS = 12_345;

/** A clock that says when the worker starts waiting for its poll (after its first claim). */
class PollClock extends ManualClock {
  readonly polling = Promise.withResolvers<void>();
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms === POLL_MS) this.polling.resolve();
    return super.sleep(ms, signal);
  }
}

// SQLite only: on PostgreSQL the wake-up is a NOTIFY, still unverified here (the poll covers it).
for (const f of STORE_FACTORIES.filter((x) => x.name === 'sqlite')) {
  test(`${f.name}: a started worker is woken by the incident's commit (never by its poll) and keeps the run to itself`, async (t) => {
    const store = await f.open(t);
    if (!store) return;
    // The clock never moves: the poll, the heartbeat and the watchdog never fire, so only a
    // wake-up (in process on SQLite, LISTEN/NOTIFY on PostgreSQL) can start the run.
    const clock = new PollClock();
    const ended = Promise.withResolvers<string>();
    const service = createPlaybookService({
      store,
      playbooks: [chain],
      executors: [...builtin, testSet],
      clock,
      logger: silent,
      client: {} as SiemClient,
      env: {},
      worker: {
        owner: 'w1',
        pollMs: POLL_MS,
        onCommitted: (c, result) => {
          if (result === 'ok' && c.run && c.run.status !== 'running' && c.run.status !== 'waiting')
            ended.resolve(c.run.status);
        },
      },
    });
    t.after(() => service.close());
    await clock.polling.promise; // the worker is idle, waiting for a poll that never comes
    await store.insertIncidents([inc(1)], clock.now());
    assert.equal(await ended.promise, 'succeeded');
    const [run] = await service.runs({ limit: 1 });
    const events = (await store.playbooks.journal.events(run!.id)).map((e) => [e.kind, e.stepId]);
    // Each following step was leased in its predecessor's commit, to the same worker.
    assert.deepEqual(events, [
      ['run.created', null],
      ['step.claimed', 'one'],
      ['step.succeeded', 'one'],
      ['step.claimed', 'two'],
      ['step.succeeded', 'two'],
      ['step.claimed', 'three'],
      ['step.succeeded', 'three'],
      ['run.ended', null],
    ]);
    assert.deepEqual(
      (await store.listNotes('logzio:e1')).map((n) => n.body),
      ['n=2'],
    );
  });
}
