import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { all } from '../../src/playbooks/journal/ops.ts';
import { createPlaybookService } from '../../src/playbooks/service.ts';
import { openPostgresIncidentStore } from '../../src/store/postgres.ts';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import type { IncidentStore } from '../../src/store/types.ts';
import type { SiemClient } from '../../src/client/types.ts';
import { rng } from '../../../siem/test/lucene/rng.ts';
import { silent } from '../helpers.ts';
import { PG_URL, pgTestSchema } from '../store/factories.ts';
import { inc } from '../store/fixtures.ts';
import { KILL_PLAYBOOK } from './fixtures/kill-playbook.ts';
import { killWorker, spawnWorker, type WorkerRun } from './fixtures/worker-run.ts';

/**
 * The SIGKILL test: worker processes (fixtures/worker-child.ts) run a 5-step playbook with a
 * foreach of HTTP calls on every new incident and are killed over and over, then started once
 * more and left to finish. Every run must complete, every HTTP call must reach the receiver under
 * exactly one idempotency key per item, and every local effect (note, tags, outbox row) must
 * exist exactly once. Kills are placed by the workers' reported phases, not by time: frozen
 * right after an HTTP call answered (before its commit), right after a commit, or at once at
 * the m-th line (anywhere, mid-transaction included).
 *
 * `npm test` runs a few kills; `npm run test:chaos` runs SIEMLINK_CHAOS_KILLS (100) per store.
 */

const KILLS = Number(process.env.SIEMLINK_CHAOS_KILLS ?? 6);
const SEED = Number(process.env.SIEMLINK_CHAOS_SEED ?? 20261202);
const KINDS = ['called', 'committed', 'anywhere'] as const;

/** Counts every POST per Idempotency-Key. */
async function receiver(t: test.TestContext) {
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ first: n === 1 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hunt` };
}

interface Slot {
  owner: string;
  env: Record<string, string>;
}

/** Kills each slot's worker KILLS / slots times, incidents arriving before each start. */
async function chaos(
  t: test.TestContext,
  store: IncidentStore,
  slots: Slot[],
  receiverUrl: string,
): Promise<{ landed: Record<string, number>; incidents: number }> {
  // The parent only writes incidents: the trigger starts their runs in the same transaction.
  const service = createPlaybookService({
    store,
    playbooks: [KILL_PLAYBOOK],
    clock: { now: () => Date.now(), sleep: async () => {} },
    logger: silent,
    client: {} as SiemClient,
    worker: false,
  });
  t.after(() => service.close());
  let n = 0;
  const arrive = (k: number) =>
    store.insertIncidents(k % 2 === 0 ? [inc(n++)] : [inc(n++), inc(n++)], Date.now());
  const live = new Set<WorkerRun>();
  t.after(async () => {
    for (const w of live) await killWorker(w);
  });
  const landed: Record<string, number> = {};
  const spawn = (slot: Slot, freezeAt: string | undefined, onLine: (line: string) => void) => {
    const w = spawnWorker(
      { ...slot.env, CHILD_OWNER: slot.owner, CHILD_RECEIVER: receiverUrl, CHILD_FREEZE_AT: freezeAt },
      onLine,
    );
    live.add(w);
    return w;
  };
  const perSlot = Math.ceil(KILLS / slots.length);
  await Promise.all(
    slots.map(async (slot, s) => {
      const random = rng(SEED + s);
      for (let k = 0; k < perSlot; k++) {
        const kind = KINDS[(k + s) % KINDS.length]!;
        const freezeAt =
          kind === 'anywhere'
            ? undefined
            : `${kind}:${1 + Math.floor(random() * (kind === 'called' ? 3 : 8))}`;
        const mth = 1 + Math.floor(random() * 12);
        await arrive(k);
        const killNow = Promise.withResolvers<void>();
        let seen = 0;
        const w = spawn(slot, freezeAt, (line) => {
          if (line === 'frozen' || (kind === 'anywhere' && line !== 'started' && ++seen === mth))
            killNow.resolve();
        });
        await Promise.race([killNow.promise, w.gone]);
        const finished = w.lines.includes('done');
        await killWorker(w);
        live.delete(w);
        const last =
          w.lines
            .filter((l) => l !== 'frozen')
            .at(-1)
            ?.split(' ')[0] ?? 'nothing';
        const where = finished ? 'finished-first' : `${freezeAt ? 'frozen' : 'anywhere'}/${last}`;
        landed[where] = (landed[where] ?? 0) + 1;
      }
    }),
  );
  // Last start: every slot runs until no run is open (each exits on its own). Bounded by work: a
  // worker that prints far more lines than the whole backlog needs is stuck, and fails the test.
  const bound = n * 40 + 200;
  const finals = await Promise.all(
    slots.map(
      (slot) =>
        new Promise<boolean>((resolve) => {
          const w = spawn(slot, undefined, () => {
            if (w.lines.length > bound) resolve(false);
          });
          void w.gone.then(() => resolve(w.lines.includes('done')));
        }),
    ),
  );
  for (const w of live) await killWorker(w);
  live.clear();
  assert.deepEqual(
    finals,
    slots.map(() => true),
    'every last worker finished on its own',
  );
  return { landed, incidents: n };
}

async function verify(
  t: test.TestContext,
  store: IncidentStore,
  seen: Map<string, number>,
  outcome: { landed: Record<string, number>; incidents: number },
  name: string,
) {
  const journal = store.playbooks.journal;
  const runs = await journal.runs({ limit: 10_000 });
  assert.equal(runs.length, outcome.incidents, 'one run per incident');
  assert.deepEqual(
    runs.filter((r) => r.status !== 'succeeded').map((r) => [r.id, r.status, r.error]),
    [],
    'every run completed',
  );
  // HTTP: exactly the expected keys (one per run and item, attempt 1: a kill never makes a new attempt).
  const expected = runs.flatMap((r) => [0, 1, 2].map((i) => `${r.id}:hunt:${i}:1`)).sort();
  assert.deepEqual([...seen.keys()].sort(), expected, 'one idempotency key per call');
  const resent = [...seen.values()].reduce((a, b) => a + b, 0) - seen.size;
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
  const deliveries = await journal.db.read(() =>
    all<{ run_id: string; n: number | string }>(
      'SELECT run_id, COUNT(*) AS n FROM S.pb_deliveries GROUP BY run_id',
    ),
  );
  assert.equal(deliveries.length, runs.length);
  assert.ok(
    deliveries.every((d) => Number(d.n) === 1),
    'one delivery enqueued per run',
  );
  assert.equal((await store.outbox.list({ sink: 'hook', limit: 10_000 })).length, runs.length);
  t.diagnostic(
    `pb-sigkill/${name}: seed=${SEED} kills=${KILLS} landed=${JSON.stringify(outcome.landed)} runs=${runs.length} ` +
      `calls=${seen.size} resentAfterKill=${resent}`,
  );
  // Some kills landed between an HTTP call and its commit: the receiver saw those keys again.
  if ((outcome.landed['frozen/called'] ?? 0) > 0)
    assert.ok(resent > 0, 'a call re-sent under its key after a kill');
}

test(`SIGKILL a SQLite playbook worker at chosen phases (${KILLS} kills): every run completes, every effect once`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-pb-kill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'c.db');
  const store = openSqliteIncidentStore({ path: db });
  t.after(() => store.close());
  const { seen, url } = await receiver(t);
  const env = { CHILD_DB: db, NODE_COMPILE_CACHE: join(dir, 'compile-cache') };
  const outcome = await chaos(t, store, [{ owner: 'w0', env }], url);
  await verify(t, store, seen, outcome, 'sqlite');
});

test(`SIGKILL three PostgreSQL playbook workers sharing the queue (${KILLS} kills): every run completes, every effect once`, async (t) => {
  const pg = await pgTestSchema(t);
  if (!pg) return;
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-pb-kill-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = pg.track(await openPostgresIncidentStore({ connectionString: PG_URL, schema: pg.schema }));
  const { seen, url } = await receiver(t);
  const env = {
    CHILD_PG_URL: PG_URL,
    CHILD_PG_SCHEMA: pg.schema,
    NODE_COMPILE_CACHE: join(dir, 'compile-cache'),
  };
  const outcome = await chaos(
    t,
    store,
    ['w0', 'w1', 'w2'].map((owner) => ({ owner, env })),
    url,
  );
  await verify(t, store, seen, outcome, 'postgres');
});
