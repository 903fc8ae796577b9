import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { resolveSink } from '../../src/sinks/config.ts';
import { openSqliteIncidentStore } from '../../src/store/sqlite.ts';
import { WebhookReceiver } from '../sinks/receiver.ts';
import type { ContractServer } from '../sinks/contract-server.ts';
import { THEHIVE_KEY, TheHiveServer } from '../sinks/thehive-server.ts';
import { XSOAR_KEY, XsoarServer } from '../sinks/xsoar-server.ts';
import { incident } from './helpers.ts';

/**
 * The dispatcher's SIGKILL test, per sink kind: a dispatcher process (fixtures/dispatch-child.ts)
 * is killed over and over while it delivers, then started once more and left to drain. Kills are
 * placed by work, not time: the target (receiver, contract server, a subscriber on the JetStream
 * subject) counts what reaches it and, at a random n-th request of a life, kills the process at
 * one of three points: before the request is processed, after it is processed but before the
 * answer, or right after the answer. Nothing may be lost; duplicates are counted, and must be
 * zero where the target deduplicates on its own key.
 *
 * `npm test` kills 14 (webhook) + 17 (XSOAR) + 17 (TheHive) + 16 (JetStream) times;
 * `npm run test:chaos` kills SIEMLINK_CHAOS_KILLS (100) times per kind.
 */

const CHAOS = process.env.SIEMLINK_CHAOS_KILLS ? Number(process.env.SIEMLINK_CHAOS_KILLS) : undefined;
const SEED = Number(process.env.SIEMLINK_CHAOS_SEED ?? 0x5eed);
const CHILD = join(import.meta.dirname, 'fixtures', 'dispatch-child.ts');
const NATS_URL = process.env.SIEMLINK_TEST_NATS_URL || 'nats://127.0.0.1:4222';
const SINK = 'out';

/** Small seeded PRNG (mulberry32): the kill points differ per life, not per test run. */
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

/** 0: kill before the request is processed; 1: processed, killed before the answer; 2: after it. */
type Point = 0 | 1 | 2;

/** Decides, per request a target sees, whether this is where the current life dies. */
class Killer {
  child: ChildProcess | undefined;
  kills = 0;
  private seen = 0;
  private target = 0;
  /** Kills happen at a request of a life chosen from 1..maxTarget (set per target). */
  maxTarget = 1;
  readonly budget: number;
  private readonly random: () => number;
  constructor(budget: number, random: () => number) {
    this.budget = budget;
    this.random = random;
  }
  newLife(child: ChildProcess) {
    this.child = child;
    this.seen = 0;
    this.target = 1 + Math.floor(this.random() * this.maxTarget);
  }
  /** The target saw one request: where to kill (the returned function kills this life's process), if here. */
  tick(): { point: Point; kill: () => void } | undefined {
    this.seen++;
    const victim = this.child;
    if (this.kills >= this.budget || this.seen !== this.target || !victim) return undefined;
    this.kills++;
    return { point: Math.floor(this.random() * 3) as Point, kill: () => victim.kill('SIGKILL') };
  }
  done() {
    return this.kills >= this.budget;
  }
}

/** What a target reports once everything is delivered. */
interface Outcome {
  /** Deliveries the target received again and recognised (deduplicated on its own key). */
  deduplicated: number;
  /** Copies the target stored twice (it could not deduplicate them). */
  duplicates: number;
  requests: number;
}

interface Target {
  /** The sink's config entry (without name/kind), and the environment holding its secrets. */
  entry: Record<string, unknown>;
  env: Record<string, string>;
  /** Kills happen at a request of a life chosen from 1..maxTarget. */
  maxTarget: number;
  /** Asserts every expected incident arrived once (in order where the sink is strictly ordered). */
  check(expected: string[]): Promise<Outcome>;
  close(): Promise<void>;
}

interface Case {
  kind: string;
  kills: number;
  open(killer: Killer, t: { skip(m: string): void }): Promise<Target | null>;
}

/** A contract server whose handler is wrapped with the killer's decision. */
function killing(server: ContractServer, killer: Killer) {
  const inner = server.handle;
  server.handle = (r) => {
    const k = killer.tick();
    if (k?.point === 0) {
      k.kill();
      return { status: 503, body: 'killed before processing' };
    }
    const a = inner(r);
    if (k?.point === 1) k.kill();
    if (k?.point === 2) setImmediate(k.kill);
    return a;
  };
}

const CASES: Case[] = [
  {
    kind: 'webhook',
    kills: CHAOS ?? 14,
    async open(killer) {
      const receiver = new WebhookReceiver('kill-test-secret');
      await receiver.start();
      receiver.answer = () => {
        const k = killer.tick();
        if (k?.point === 0) {
          k.kill();
          return { status: 503 };
        }
        if (k?.point === 1) k.kill();
        if (k?.point === 2) setImmediate(k.kill);
        return undefined;
      };
      return {
        entry: { url: receiver.url, secretEnv: 'HOOK_SECRET', concurrency: 1, batchSize: 5 },
        env: { HOOK_SECRET: 'kill-test-secret' },
        maxTarget: 8,
        async check(expected) {
          assert.deepEqual(receiver.storedIncidentIds(), expected, 'every incident once, in order');
          assert.equal(receiver.badSignatures, 0);
          return { deduplicated: receiver.duplicates, duplicates: 0, requests: receiver.requests.length };
        },
        close: () => receiver.stop(),
      };
    },
  },
  {
    kind: 'xsoar',
    kills: CHAOS ?? 17,
    async open(killer) {
      const xsoar = new XsoarServer(false);
      killing(xsoar, killer);
      await xsoar.start();
      return {
        entry: { url: xsoar.origin, apiKeyEnv: 'XSOAR_KEY', batchSize: 5 },
        env: { XSOAR_KEY },
        // Two requests per incident (search, then create): kills fall between them too.
        maxTarget: 16,
        async check(expected) {
          assert.deepEqual(xsoar.violations, []);
          const created = xsoar.incidents.map(
            (i) => (i.CustomFields as { logzioalerteventid: string }).logzioalerteventid,
          );
          const want = expected.map((id) => id.replace(/^logzio:/, ''));
          // Searched by the alert event id before each create: never two incidents for one event.
          assert.deepEqual(created, want, 'every incident created once, in order');
          return { deduplicated: xsoar.searchHits, duplicates: 0, requests: xsoar.requests.length };
        },
        close: () => xsoar.stop(),
      };
    },
  },
  {
    kind: 'thehive',
    kills: CHAOS ?? 17,
    async open(killer) {
      const hive = new TheHiveServer();
      killing(hive, killer);
      await hive.start();
      return {
        entry: {
          url: hive.origin,
          apiKeyEnv: 'HIVE_KEY',
          organisation: 'soc',
          concurrency: 4,
          batchSize: 8,
        },
        env: { HIVE_KEY: THEHIVE_KEY },
        maxTarget: 12,
        async check(expected) {
          assert.deepEqual(hive.violations, []);
          const refs = [...hive.alerts.values()].map((a) => String(a.sourceRef));
          // (type, source, sourceRef) is unique in TheHive: a repeat is its 400 "already exists".
          assert.deepEqual([...refs].sort(), [...expected].sort(), 'every incident one alert');
          return { deduplicated: hive.duplicates, duplicates: 0, requests: hive.requests.length };
        },
        close: () => hive.stop(),
      };
    },
  },
  {
    kind: 'nats',
    kills: CHAOS ?? 16,
    async open(killer, t) {
      let nc: NatsConnection;
      try {
        nc = await connect({ servers: NATS_URL, timeout: 3000 });
      } catch (err) {
        const msg = `NATS not reachable at ${NATS_URL} (${(err as Error).message})`;
        if (process.env.CI) throw new Error(`${msg}; CI requires it`);
        t.skip(msg);
        return null;
      }
      const suffix = randomBytes(5).toString('hex');
      const stream = `SIEMLINK_KILL_${suffix}`;
      const subject = `siemlink.kill.${suffix}`;
      const jsm = await jetstreamManager(nc);
      // The default duplicate window (2 minutes): a redelivery later than that is stored again.
      await jsm.streams.add({ name: stream, subjects: [subject] });
      // A plain subscriber sees every publish, repeats included: it places the kills.
      let published = 0;
      nc.subscribe(subject, {
        callback: () => {
          published++;
          const k = killer.tick();
          if (k?.point === 2) setImmediate(k.kill);
          else if (k) k.kill();
        },
      });
      return {
        entry: { subject, servers: [NATS_URL], concurrency: 16, batchSize: 16 },
        env: {},
        maxTarget: 40,
        async check(expected) {
          await nc.flush();
          const info = await jsm.streams.info(stream);
          const ids: string[] = [];
          for (let seq = 1; seq <= info.state.last_seq; seq++) {
            const m = await jsm.streams.getMessage(stream, { seq });
            ids.push(m!.header.get('Nats-Msg-Id'));
          }
          const unique = new Set(ids);
          assert.deepEqual([...unique].sort(), [...expected].sort(), 'every incident in the stream');
          return {
            deduplicated: published - ids.length,
            duplicates: ids.length - unique.size,
            requests: published,
          };
        },
        async close() {
          await jsm.streams.delete(stream).catch(() => {});
          await nc.close();
        },
      };
    },
  },
];

for (const c of CASES) {
  // Bounded by work (the kills); the timeout only caps a heavily loaded machine, where each of
  // the process starts can take seconds.
  test(
    `${c.kind}: dispatcher SIGKILLed at random points ${c.kills} times: nothing lost, duplicates counted`,
    { timeout: 1_800_000 },
    async (t) => {
      const killer = new Killer(c.kills, rng(SEED + c.kind.length));
      const target = await c.open(killer, t);
      if (!target) return;
      t.after(() => target.close());
      killer.maxTarget = target.maxTarget;
      const dir = mkdtempSync(join(tmpdir(), `siemlink-outbox-kill-${c.kind}-`));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const path = join(dir, 'c.db');
      const config = resolveSink({ kind: c.kind, name: SINK, ...target.entry }, 'kill test');
      const routes = [{ sink: SINK }];

      let total = 0;
      const add = async (n: number) => {
        const store = openSqliteIncidentStore({ path, routes });
        await store.insertIncidents(
          Array.from({ length: n }, (_, i) => incident(total + i)),
          Date.now(),
        );
        total += n;
        await store.close();
      };
      await add(250);

      let lives = 0;
      for (;;) {
        lives++;
        const child = spawn(
          process.execPath,
          [
            '--disable-warning=ExperimentalWarning',
            CHILD,
            path,
            c.kind,
            JSON.stringify(config.settings),
            JSON.stringify({
              concurrency: config.concurrency,
              batchSize: config.batchSize,
              ordered: config.ordered,
            }),
          ],
          {
            // The compile cache makes the restarts cheaper (the same modules each time).
            env: { ...process.env, ...target.env, NODE_COMPILE_CACHE: join(dir, 'compile-cache') },
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        killer.newLife(child);
        let stderr = '';
        child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
        const [code, signal] = (await new Promise((resolve) => child.on('exit', (...a) => resolve(a)))) as [
          number | null,
          string | null,
        ];
        killer.child = undefined;
        if (signal === 'SIGKILL') continue;
        assert.equal(code, 0, `dispatcher exited ${code}: ${stderr}`);
        if (killer.done()) break;
        // Drained before enough kills: more work, same bound.
        await add(50);
      }

      const expected = Array.from({ length: total }, (_, i) => incident(i).id);
      const outcome = await target.check(expected);
      const check = openSqliteIncidentStore({ path, routes });
      t.after(() => check.close());
      const [h] = await check.outbox.health(Date.now(), [SINK]);
      assert.equal(h?.backlog, 0);
      assert.equal(h?.dead, 0);
      assert.equal(h?.delivered, total);
      // Status back committed with each settlement: exactly one "delivered" entry per incident.
      for (const id of expected) {
        const entries = (await check.timeline(id)).filter((e) => e.kind === 'delivered');
        assert.equal(entries.length, 1, `delivered timeline entries of ${id}`);
      }
      assert.ok(killer.kills >= c.kills);
      t.diagnostic(
        `${c.kind}: ${killer.kills} SIGKILLs over ${lives} dispatcher lives; ${total} incidents; ${outcome.requests} requests; ` +
          `${outcome.deduplicated} redeliveries recognised by the target; ${outcome.duplicates} stored twice`,
      );
    },
  );
}
