import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import pg from 'pg';
import type { SiemClient } from '../../src/client/types.ts';
import { systemClock } from '../../src/context.ts';
import { loadPlaybooks } from '../../src/playbooks/definition/load.ts';
import { createPlaybookService } from '../../src/playbooks/service.ts';
import { openIncidentStore } from '../../src/store/index.ts';
import { openPostgresIncidentStore } from '../../src/store/postgres.ts';
import type { IncidentStore } from '../../src/store/types.ts';
import { rng } from '../../../siem/test/lucene/rng.ts';
import { silent } from '../helpers.ts';
import { PG_URL, pgTestSchema } from '../store/factories.ts';
import { inc } from '../store/fixtures.ts';
import { startChaosReceiver, type Received } from './fixtures/chaos-receiver.ts';
import {
  alive,
  sigkill,
  sigterm,
  spawnCliWorker,
  type CliWorker,
  type Committed,
} from './fixtures/cli-worker.ts';

/**
 * The SIGKILL test. Real `siemlink worker` processes run a 5-step playbook (set, a foreach of
 * three `http` calls through the product's http step and client transport, update-incident,
 * deliver, set) on every new incident, and are SIGKILLed one at a time, then restarted. Kills are
 * placed by work, never by time:
 * - `unanswered`: the receiver holds the worker's n-th request and has it killed before answering;
 * - `answered`: the receiver answers the n-th request, then has it killed (before or after its commit);
 * - `committed`: killed when the worker says its k-th commit (between steps, or wherever it got to).
 * Afterwards every run must have succeeded, every `http` unit must have reached the receiver
 * under one idempotency key (runId:hunt:item:1) and been answered, no request may arrive for a
 * unit after its commit, and every local effect (note, tag change, outbox row) exists once.
 *
 * `npm test` runs SIEMLINK_CHAOS_KILLS (default 6) kills per store; `npm run test:chaos` 100.
 */

const KILLS = Number(process.env.SIEMLINK_CHAOS_KILLS ?? 6);
const SEED = Number(process.env.SIEMLINK_CHAOS_SEED ?? 20261202);
const MODES = ['unanswered', 'answered', 'committed'] as const;
type Mode = (typeof MODES)[number];
const ITEMS = ['a', 'b', 'c'];

function killPlaybook(receiverUrl: string) {
  return {
    name: 'kill-test',
    version: 1,
    trigger: { on: 'incident.created' },
    steps: [
      { id: 'facts', kind: 'set', values: { targets: ITEMS } },
      {
        id: 'hunt',
        kind: 'foreach',
        items: 'steps.facts.output.targets',
        concurrency: 2,
        do: {
          kind: 'http',
          url: `${receiverUrl}/hunt/\${ item }`,
          // Which worker process sent it: the receiver has that one killed.
          secrets: { slot: 'CHAOS_SLOT' },
          headers: { 'x-chaos-slot': '${ secrets.slot }' },
          body: { incident: '${ incident.id }', target: '${ item }' },
        },
      },
      {
        id: 'mark',
        kind: 'update-incident',
        addTags: ['hunted'],
        note: 'hunted ${ $count(steps.hunt.output) }',
      },
      { id: 'send', kind: 'deliver', sink: 'hook', message: { hunted: '${ $count(steps.hunt.output) }' } },
      { id: 'done', kind: 'set', values: { ok: true } },
    ],
  };
}

interface Target {
  store: IncidentStore;
  /** `siemlink worker` flags naming the store. */
  args: string[];
}

interface Outcome {
  incidents: number;
  kills: Record<string, number>;
  violations: string[];
  receiver: Awaited<ReturnType<typeof startChaosReceiver>>;
}

/** Cleanups run last-registered first (workers die before the store closes and the database goes). */
function cleanups(t: test.TestContext) {
  const fns: (() => unknown)[] = [];
  t.after(async () => {
    for (const f of fns.reverse()) await f();
  });
  return (f: () => unknown) => void fns.push(f);
}
type Defer = ReturnType<typeof cleanups>;

async function chaos(defer: Defer, dir: string, target: Target, slotNames: string[]): Promise<Outcome> {
  const { store } = target;
  // Armed kill: the receiver and the commit lines count toward it; `fire` kills at once.
  let armed: { slot: string; mode: Mode; n: number; seen: number; fire: () => void } | null = null;
  const committed = new Set<string>();
  const violations: string[] = [];
  const count = (slot: string, mode: Mode) => {
    if (armed && armed.slot === slot && armed.mode === mode && ++armed.seen === armed.n) {
      const a = armed;
      armed = null;
      a.fire();
      return true;
    }
    return false;
  };
  const receiver = await startChaosReceiver({
    onRequest(r: Received) {
      // runId:stepId:item:attempt; the unit is the first three.
      if (committed.has(r.key.split(':').slice(0, 3).join(':'))) violations.push(r.key);
      return count(r.slot, 'unanswered') ? 'hold' : 'answer';
    },
    onAnswered: (r: Received) => void count(r.slot, 'answered'),
  });
  defer(() => receiver.close());

  const pbDir = join(dir, 'playbooks');
  mkdirSync(pbDir, { recursive: true });
  writeFileSync(join(pbDir, 'kill-test.yaml'), JSON.stringify(killPlaybook(receiver.url), null, 2));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({ sinks: [{ name: 'hook', kind: 'webhook', url: 'http://127.0.0.1:9/hook' }] }),
  );
  const loaded = await loadPlaybooks(pbDir, { builtin: false });
  assert.deepEqual(loaded.errors, []);
  // The parent only writes incidents: the trigger starts their runs in the same transaction.
  const service = createPlaybookService({
    store,
    playbooks: loaded.playbooks.filter((p) => p.definition.name === 'kill-test'),
    clock: systemClock,
    logger: silent,
    client: {} as SiemClient,
    worker: false,
  });
  defer(() => service.close());
  let incidents = 0;
  const arrive = () => store.insertIncidents([inc(incidents++), inc(incidents++)], Date.now());

  // "Quiet" (no open run) is checked after every commit any worker says: while a kill is armed,
  // quiet brings new incidents (the armed worker needs work); in the last phase it ends the test.
  let finalPhase = false;
  const quiet = Promise.withResolvers<void>();
  let checking = false;
  let again = false;
  const check = async (): Promise<void> => {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      do {
        again = false;
        const open = await store.playbooks.journal.runs({
          status: ['pending', 'running', 'waiting'],
          limit: 1,
        });
        if (open.length > 0) continue;
        if (finalPhase) quiet.resolve();
        else if (armed) await arrive();
      } while (again);
    } catch (err) {
      quiet.reject(err);
    } finally {
      checking = false;
    }
  };

  const env = (slot: string) => ({
    HOME: dir,
    SIEMLINK_API_URL: 'http://127.0.0.1:9',
    CHAOS_SLOT: slot,
    NODE_COMPILE_CACHE: join(dir, 'compile-cache'),
  });
  const args = [...target.args, '--config', config, '--playbooks', pbDir];
  let finalCommits = 0;
  const bound = { commits: Infinity };
  const slots = new Map<string, CliWorker>();
  const onCommit = (slot: string) => (c: Committed, w: CliWorker) => {
    if (c.stepId === 'hunt' && c.item !== null) committed.add(`${c.runId}:hunt:${c.item}`);
    if (w === slots.get(slot)) count(slot, 'committed');
    if (finalPhase && ++finalCommits > bound.commits)
      quiet.reject(new Error(`${finalCommits} commits after the last kill: more than the work left`));
    void check();
  };
  const start = (slot: string) => slots.set(slot, spawnCliWorker(args, env(slot), onCommit(slot)));
  defer(async () => {
    for (const w of slots.values()) await sigkill(w);
  });
  for (const s of slotNames) start(s);

  const random = rng(SEED);
  const kills: Record<string, number> = {};
  for (let k = 0; k < KILLS; k++) {
    const slot = slotNames[k % slotNames.length]!;
    const w = slots.get(slot)!;
    // Every mode on every slot in turn; where in the work it lands is random.
    const mode = MODES[(k + Math.floor(k / slotNames.length)) % MODES.length]!;
    const n = 1 + Math.floor(random() * (mode === 'committed' ? 12 : 4));
    const fired = Promise.withResolvers<void>();
    armed = {
      slot,
      mode,
      n,
      seen: 0,
      fire: () => {
        w.child.kill('SIGKILL');
        fired.resolve();
      },
    };
    await arrive();
    // A worker that exits on its own before its kill is a failure (it should run until killed).
    const exited = w.gone.then((code) => {
      throw new Error(`worker ${slot} exited (${code}) before its kill:\n${w.lines.join('\n')}`);
    });
    await Promise.race([fired.promise, exited]);
    await sigkill(w);
    assert.ok(!alive(w));
    kills[mode] = (kills[mode] ?? 0) + 1;
    start(slot);
  }

  // Last phase: no more kills or incidents; every run must end, bounded by the work left.
  finalPhase = true;
  bound.commits = incidents * 12 + 100;
  void check();
  await quiet.promise;
  const codes = await Promise.all([...slots.values()].map((w) => sigterm(w)));
  assert.deepEqual(
    codes,
    slotNames.map(() => 0),
    'every worker stops cleanly on SIGTERM',
  );
  return { incidents, kills, violations, receiver };
}

async function verify(
  t: test.TestContext,
  store: IncidentStore,
  o: Outcome,
  name: string,
  startedAt: number,
) {
  const journal = store.playbooks.journal;
  const runs = await journal.runs({ limit: 100_000 });
  assert.equal(runs.length, o.incidents, 'one run per incident');
  assert.deepEqual(
    runs.filter((r) => r.status !== 'succeeded').map((r) => [r.id, r.status, r.error]),
    [],
    'every run completed',
  );
  // HTTP: exactly the expected keys (one per run and item, attempt 1: a kill never makes a new
  // attempt), each answered at least once, none sent again after its unit committed.
  const expected = runs.flatMap((r) => ITEMS.map((_, i) => `${r.id}:hunt:${i}:1`)).sort();
  assert.deepEqual([...o.receiver.requests.keys()].sort(), expected, 'one idempotency key per call');
  assert.deepEqual(
    expected.filter((k) => !o.receiver.answers.has(k)),
    [],
    'every call answered (its effect delivered)',
  );
  assert.deepEqual(o.violations, [], 'no request for a unit after its commit');
  const requests = [...o.receiver.requests.values()].reduce((a, b) => a + b, 0);
  const repeatedAfterAnswer = o.receiver.log.filter((r) => r.answeredBefore > 0).length;
  for (const r of runs) {
    const d = (await journal.detail(r.id))!;
    assert.deepEqual(
      d.steps.map((s) => `${s.stepId}${s.item === null ? '' : `[${s.item}]`}:${s.status}:${s.attempt}`),
      ['facts', 'hunt', 'hunt[0]', 'hunt[1]', 'hunt[2]', 'mark', 'send', 'done'].map(
        (x) => `${x}:succeeded:1`,
      ),
    );
    // A committed step never runs again: one success entry per unit in the journal.
    const successes = (await journal.events(r.id)).filter((e) => e.kind === 'step.succeeded');
    assert.equal(successes.length, 8, `${r.id}: each unit committed once`);
    const notes = await store.listNotes(r.incidentId!);
    assert.deepEqual(
      notes.map((x) => [x.body, x.author]),
      [['hunted 3', r.id]],
      'the note exactly once',
    );
    const tl = await store.timeline(r.incidentId!);
    assert.equal(tl.filter((e) => e.kind === 'tags_changed').length, 1, 'the tag change exactly once');
  }
  const queued = await store.outbox.list({ sink: 'hook', limit: 100_000 });
  assert.deepEqual(
    queued.map((q) => q.incidentId).sort(),
    runs.map((r) => r.incidentId).sort(),
    'one delivery queued per run',
  );
  const kills = Object.values(o.kills).reduce((a, b) => a + b, 0);
  const [load1] = loadavg();
  t.diagnostic(
    `pb-sigkill/${name}: seed=${SEED} kills=${kills} ${JSON.stringify(o.kills)} runs=${runs.length} ` +
      `effects=${o.receiver.answers.size} requests=${requests} redeliveries=${requests - o.receiver.requests.size} ` +
      `(after an answer: ${repeatedAfterAnswer}) duration=${((Date.now() - startedAt) / 1000).toFixed(1)}s load1=${load1!.toFixed(1)}`,
  );
  // A request held unanswered while its worker died is sent again, under the same key.
  if ((o.kills.unanswered ?? 0) > 0)
    assert.ok(requests > o.receiver.requests.size, 'a call re-sent after a kill');
}

test(`SIGKILL a SQLite siemlink worker by work (${KILLS} kills): every run completes, every effect once`, async (t) => {
  const startedAt = Date.now();
  const defer = cleanups(t);
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-pb-kill-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openIncidentStore({ dataDir: dir });
  defer(() => store.close());
  const outcome = await chaos(defer, dir, { store, args: ['--data-dir', dir] }, ['w0']);
  await verify(t, store, outcome, 'sqlite', startedAt);
});

test(`SIGKILL three PostgreSQL siemlink workers sharing the queue, by work (${KILLS} kills): every run completes, every effect once`, async (t) => {
  const startedAt = Date.now();
  // Skips (or fails under CI) when PostgreSQL is not there; the workers get a database of their own.
  if (!(await pgTestSchema(t))) return;
  const defer = cleanups(t);
  const db = `siemlink_chaos_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${db}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${db}`;
  defer(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await admin.end();
  });
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-pb-kill-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openPostgresIncidentStore({ connectionString: url.toString() });
  defer(() => store.close());
  const outcome = await chaos(
    defer,
    dir,
    { store, args: ['--data-dir', dir, '--store-url', url.toString()] },
    ['w0', 'w1', 'w2'],
  );
  await verify(t, store, outcome, 'postgres x3', startedAt);
});
