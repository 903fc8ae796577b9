import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import { WebhookReceiver } from '../sinks/receiver.ts';
import { incident } from './helpers.ts';

const CHILD = join(import.meta.dirname, 'fixtures', 'dispatch-child.ts');
const SECRET = 'kill-test-secret';
const KILLS = 50;

/** Small seeded PRNG (mulberry32): the kill points differ per run of the loop, not per test run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Bounded by work (50 kills); the timeout is only a cap for a heavily loaded machine, where each
// of the 51 process starts can take seconds.
test(
  'dispatcher SIGKILLed at random points 50+ times: nothing lost, in order, duplicates counted',
  { timeout: 900_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'siemlink-outbox-kill-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'c.db');
    const receiver = new WebhookReceiver(SECRET);
    await receiver.start();
    t.after(() => receiver.stop());

    const store = openSqliteIncidentStore({ path, routes: [{ sink: 'hook' }] });
    let total = 0;
    const add = async (n: number) => {
      await store.insertIncidents(
        Array.from({ length: n }, (_, i) => incident(total + i)),
        Date.now(),
      );
      total += n;
    };
    await add(250);
    await store.close();

    const random = rng(0x5eed);
    let kills = 0;
    let lives = 0;
    let child: ChildProcess | undefined;
    // The receiver decides when to kill, by work: at its Nth request of this life, at one of three
    // points (before storing, after storing but before answering, just after answering).
    let target = 0;
    let seenThisLife = 0;
    receiver.answer = () => {
      seenThisLife++;
      if (kills >= KILLS || seenThisLife !== target || !child) return undefined;
      const point = Math.floor(random() * 3);
      const victim = child;
      kills++;
      if (point === 0) {
        victim.kill('SIGKILL');
        return { status: 503 };
      }
      if (point === 1) {
        victim.kill('SIGKILL');
        return undefined;
      }
      setImmediate(() => victim.kill('SIGKILL'));
      return undefined;
    };

    for (;;) {
      lives++;
      seenThisLife = 0;
      target = 1 + Math.floor(random() * 8);
      const c = spawn(
        process.execPath,
        ['--disable-warning=ExperimentalWarning', CHILD, path, receiver.url],
        {
          // The compile cache makes the 50 restarts cheaper (the same modules each time).
          env: { ...process.env, HOOK_SECRET: SECRET, NODE_COMPILE_CACHE: join(dir, 'compile-cache') },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      child = c;
      let stderr = '';
      c.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
      const [code, signal] = (await new Promise((resolve) => c.on('exit', (...a) => resolve(a)))) as [
        number | null,
        string | null,
      ];
      child = undefined;
      if (signal === 'SIGKILL') continue;
      assert.equal(code, 0, `dispatcher exited ${code}: ${stderr}`);
      if (kills >= KILLS) break;
      // Drained before enough kills: more work, same bound.
      const more = openSqliteIncidentStore({ path, routes: [{ sink: 'hook' }] });
      const before = total;
      await more.insertIncidents(
        Array.from({ length: 50 }, (_, i) => incident(before + i)),
        Date.now(),
      );
      total += 50;
      await more.close();
    }

    const expected = Array.from({ length: total }, (_, i) => incident(i).id);
    assert.deepEqual(receiver.storedIncidentIds(), expected, 'every incident once, in incident-time order');
    assert.equal(receiver.badSignatures, 0);
    const check = openSqliteIncidentStore({ path, routes: [{ sink: 'hook' }] });
    t.after(() => check.close());
    const [h] = await check.outbox.health(Date.now(), ['hook']);
    assert.equal(h?.backlog, 0);
    assert.equal(h?.dead, 0);
    assert.equal(h?.delivered, total);
    assert.ok(kills >= KILLS);
    t.diagnostic(
      `${kills} SIGKILLs over ${lives} dispatcher lives; ${total} incidents; ${receiver.requests.length} requests; ${receiver.duplicates} duplicate deliveries (deduplicated by Idempotency-Key)`,
    );
  },
);
