/**
 * Incident store writes (issue 11, items 1 and 2): the cost of each new incident in a fetch commit
 * of the connector's SQLite store (commitRun: incidents with their search text and related key,
 * the full-text entry, counts, cursor, run record, one transaction), in commits of 50 (the
 * panel's maxFetch) and of 1,000, into stores already holding BENCH_STORE_WRITE_HELD incidents
 * (default 5000,50000). Baseline, in the same run: the same incidents' rows inserted with
 * node:sqlite (INSERT OR IGNORE, the same commit sizes, WAL, synchronous=NORMAL) into a table with
 * only a rowid and the alert id's unique index, holding as many rows.
 *
 * The commits are caught-up runs (`full: false`): each indexes its incidents' text at once. With
 * BENCH_STORE_WRITE_BACKLOG=1 they are a backlog's full runs, which leave the text pending and
 * index it 2,000 at a time (store/sqlite.ts TEXT_DEFER_UP_TO).
 *
 * When PostgreSQL answers (SIEMLINK_TEST_PG_URL or the local default), the same commits go into
 * the PostgreSQL store too (a fresh schema, dropped after): client CPU and wall per incident.
 *
 * Each measurement runs in a fresh process on a copy of a store filled beforehand, so its peak RSS
 * (`process.resourceUsage().maxRSS`) is its own. Printed: CPU µs per incident (user + system),
 * wall µs per incident, WAL pages written per commit (the WAL emptied before each of a few
 * untimed commits after the timed ones, its size read after), peak RSS.
 *
 *   npm run bench -- store-write
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import pino from 'pino';
import { eventToIncident } from '../packages/connector/src/fetch/mapping.ts';
import { openSqliteIncidentStore } from '../packages/connector/src/store/sqlite.ts';
import type { IncidentStore, NewIncident } from '../packages/connector/src/store/types.ts';
import { openPostgresIncidentStore } from '../packages/connector/src/store/postgres.ts';
import type { SecurityEvent } from '../packages/contracts/src/index.ts';

const HELD = (process.env.BENCH_STORE_WRITE_HELD ?? '5000,50000').split(',').map(Number);
const SIZES = [50, 1000] as const;
/** Incidents committed per measurement: enough commits of 50 to see the steady state. */
const WRITTEN: Record<number, number> = { 50: 5000, 1000: 20_000 };
/** The same on PostgreSQL: a round trip per incident, so fewer. */
const WRITTEN_PG: Record<number, number> = { 50: 2000, 1000: 5000 };
const PG_URL = process.env.SIEMLINK_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
/** Untimed commits after the timed ones, each into an emptied WAL, to count its pages. */
const WAL_SAMPLES = 5;
const PAGE = 4096;
const FRAME = 24 + PAGE;
const MB = 1024 * 1024;
const logger = pino({ level: 'silent' });
const out = (s: string) => process.stdout.write(`${s}\n`);

interface Measured {
  cpuUs: number;
  wallUs: number;
  walPages: number;
  peakRssMb: number;
}

let serial = 0;
const NOW = Date.UTC(2026, 0, 15);
/** A fetched event as the mapping makes it an incident: random alert id, eight rules, grouped. */
function incident(): NewIncident {
  const n = serial++;
  return eventToIncident(
    {
      alertEventId: randomUUID(),
      alertId: 1 + (n % 8),
      accountId: 1,
      configId: 'c',
      ruleId: 1 + (n % 8),
      name: `Rule ${n % 8}`,
      description: 'Investigate the source address and the accounts it tried; block it if unknown.',
      alertSummary: "Alert if query '*' results GREATER_THAN 5 in 10 minutes",
      eventDate: (NOW - 3600_000 + n * 1000) / 1000,
      windowStart: 0,
      windowEnd: 0,
      severity: 'HIGH',
      groupBy: { 'source.ip': `10.0.${(n >> 8) & 255}.${n & 255}`, 'user.name': `user${n % 997}` },
      tags: ['bench'],
      mitreTags: ['T1110'],
      hits: 5,
      isMuted: false,
    } as unknown as SecurityEvent,
    logger,
  );
}
const batch = (n: number) => Array.from({ length: n }, incident);

/** One place commits go: the connector's store or the baseline table. */
interface Target {
  commit(incidents: NewIncident[]): Promise<void>;
  close(): Promise<void>;
}

function openStore(path: string, source: string): Target {
  return storeTarget(openSqliteIncidentStore({ path }), source);
}

function storeTarget(store: IncidentStore, source: string): Target {
  let cursor: string | null = null;
  let r = 0;
  return {
    async commit(incidents) {
      const next = `c${r++}`;
      await store.commitRun({
        source,
        incidents,
        cursorBefore: cursor,
        cursorAfter: next,
        now: Date.now(),
        run: {
          source,
          startedAt: 1,
          endedAt: 2,
          count: incidents.length,
          cursorBefore: cursor,
          cursorAfter: next,
          error: null,
          lagMs: 5,
          full: process.env.BENCH_STORE_WRITE_BACKLOG === '1',
        },
      });
      cursor = next;
    },
    close: () => store.close(),
  };
}

function openBaseline(path: string): Target {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS incidents (alert_event_id TEXT NOT NULL UNIQUE, raw TEXT NOT NULL)');
  const ins = db.prepare('INSERT OR IGNORE INTO incidents (alert_event_id, raw) VALUES (?, ?)');
  return {
    async commit(incidents) {
      db.exec('BEGIN IMMEDIATE');
      for (const i of incidents) ins.run(i.alertEventId, JSON.stringify(i.raw));
      db.exec('COMMIT');
    },
    async close() {
      db.close();
    },
  };
}

/** `source` names the cursor: the filling and the measuring processes each move their own. */
const open = (kind: string, path: string, source: string) =>
  kind === 'store' ? openStore(path, source) : openBaseline(path);

/** The measuring process: commits into its copy of a filled store, reports to the parent. */
async function measure(kind: string, path: string, per: number): Promise<Measured> {
  const total = WRITTEN[per]!;
  const target = open(kind, path, 'measure');
  // Each batch is made just before its commit (one in memory at a time, as a fetch holds), outside the timing.
  let cpuUs = 0;
  let wall = 0;
  for (let k = 0; k < total / per; k++) {
    const b = batch(per);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await target.commit(b);
    wall += performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    cpuUs += cpu.user + cpu.system;
  }
  // WAL pages per commit: empty the WAL (a second connection's TRUNCATE checkpoint), commit, read its size.
  const side = new DatabaseSync(path);
  let frames = 0;
  for (let k = 0; k < WAL_SAMPLES; k++) {
    side.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    await target.commit(batch(per));
    frames += existsSync(`${path}-wal`) ? Math.max(0, statSync(`${path}-wal`).size - 32) / FRAME : 0;
  }
  side.close();
  await target.close();
  return {
    cpuUs: cpuUs / total,
    wallUs: (wall * 1000) / total,
    walPages: frames / WAL_SAMPLES,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
  };
}

async function fill(kind: string, path: string, held: number): Promise<void> {
  const target = open(kind, path, 'fill');
  for (let i = 0; i < held; i += 1000) await target.commit(batch(Math.min(1000, held - i)));
  await target.close();
  const db = new DatabaseSync(path);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
}

function inChild(kind: string, path: string, per: number): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = fork(import.meta.filename, ['measure', kind, path, String(per)], {
      execArgv: ['--disable-warning=ExperimentalWarning'],
    });
    child.once('message', (m) => resolve(m as Measured));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`measuring child exited ${code}`));
    });
  });
}

/**
 * The same commits into the PostgreSQL store (a fresh schema holding the first HELD figure), when
 * the server answers: client CPU and wall per incident, in this process (no WAL or RSS figure).
 */
async function postgres(): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (err) {
    out(`postgres: skipped (${(err as Error).message})`);
    return;
  }
  const schema = `siemlink_bench_store_write_${randomUUID().slice(0, 8)}`;
  try {
    const store = await openPostgresIncidentStore({ connectionString: PG_URL, schema });
    try {
      const held = HELD[0]!;
      const fillTarget = storeTarget(store, 'fill');
      for (let i = 0; i < held; i += 1000) await fillTarget.commit(batch(Math.min(1000, held - i)));
      for (const per of SIZES) {
        const target = storeTarget(store, `measure-${per}`);
        const total = WRITTEN_PG[per]!;
        let cpuUs = 0;
        let wall = 0;
        for (let k = 0; k < total / per; k++) {
          const b = batch(per);
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          await target.commit(b);
          wall += performance.now() - t0;
          const cpu = process.cpuUsage(c0);
          cpuUs += cpu.user + cpu.system;
        }
        out(
          `postgres store, holding ${held}+, commits of ${per}: client CPU ${(cpuUs / total).toFixed(0)} µs/incident, ` +
            `wall ${((wall * 1000) / total).toFixed(0)} µs/incident`,
        );
      }
    } finally {
      await store.close();
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-bench-store-write-'));
  try {
    out(
      `load average at start: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    out(
      'held    per commit  target    CPU µs/inc  wall µs/inc  WAL pages/commit  peak RSS MB  CPU vs baseline',
    );
    for (const held of HELD) {
      for (const kind of ['baseline', 'store']) await fill(kind, join(dir, `${kind}-${held}.db`), held);
      for (const per of SIZES) {
        const got: Record<string, Measured> = {};
        for (const kind of ['baseline', 'store']) {
          const copy = join(dir, `${kind}-${held}-${per}.db`);
          copyFileSync(join(dir, `${kind}-${held}.db`), copy);
          got[kind] = await inChild(kind, copy, per);
          const m = got[kind];
          out(
            `${String(held).padEnd(8)}${String(per).padEnd(12)}${kind.padEnd(10)}${m.cpuUs.toFixed(0).padStart(10)}` +
              `${m.wallUs.toFixed(0).padStart(13)}${m.walPages.toFixed(0).padStart(18)}${m.peakRssMb.toFixed(0).padStart(13)}` +
              (kind === 'store' ? `${(m.cpuUs / got.baseline!.cpuUs).toFixed(1).padStart(16)}x` : ''),
          );
        }
      }
    }
    await postgres();
    out(
      `load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'measure') {
  const [, , , kind, path, per] = process.argv;
  const m = await measure(kind!, path!, Number(per));
  process.send!(m);
  process.disconnect();
} else {
  await main();
}
