/**
 * Incident queue benchmark: 100,000 incidents in the connector's store (SQLite, and PostgreSQL
 * when SIEMLINK_TEST_PG_URL or the default local server answers), then p50/p95 server time of
 *   - the queue's first page with filters and sort (status new+active, severity >= MEDIUM, sorted
 *     by severity): GET /api/incidents through Fastify's inject (routing, API-key auth, the page,
 *     the counts by status and severity, JSON out), and the store's page query alone;
 *   - free-text search (a groupBy user seen on ~0.5% of incidents; a rule word on ~20%);
 *   - the same with an analyst's write before each run, so counts cached per filter are recomputed;
 *   - a second page (no counts);
 * against a baseline measured in the same run: a plain SELECT of the same columns, first page by
 * occurred, no filter. BENCH_INCIDENTS scales the run (default 100000); BENCH_INCIDENT_RUNS (default 40);
 * BENCH_INCIDENT_STORES=sqlite|postgres runs one store only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import pino from 'pino';
import { buildApiApp } from '../packages/connector/src/api/app.ts';
import { createAuth } from '../packages/connector/src/auth/service.ts';
import { openSqliteIncidentStore } from '../packages/connector/src/store/sqlite.ts';
import { openPostgresIncidentStore } from '../packages/connector/src/store/postgres.ts';
import { plainPageSql } from '../packages/connector/src/store/case-query.ts';
import { groupKey, searchText } from '../packages/connector/src/cases/text.ts';
import type { CaseQuery } from '../packages/connector/src/cases/schemas.ts';
import type { IncidentStore, NewIncident } from '../packages/connector/src/store/types.ts';

const TOTAL = Number(process.env.BENCH_INCIDENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_INCIDENT_RUNS ?? 40);
const PG_URL = process.env.SIEMLINK_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const NOW = Date.UTC(2026, 0, 15);
const out = (s: string) => process.stdout.write(`${s}\n`);

let seed = 4242;
const rnd = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const RULES = [
  'Brute force login',
  'Malware beacon',
  'Impossible travel',
  'Port scan',
  'Privilege escalation',
];
const USERS = Array.from({ length: 200 }, (_, i) => (i === 0 ? 'alice' : `user${i}`));
const SEVERITIES = [0.5, 1, 2, 3, 4];

function incident(i: number): NewIncident {
  const rule = pick(RULES);
  const user = pick(USERS);
  const ip = `10.${(i >> 8) & 255}.${i & 255}.${i % 250}`;
  return {
    id: `logzio:bench-${i}`,
    alertEventId: `bench-${i}`,
    name: rule,
    occurred: new Date(NOW - (TOTAL - i) * 6_000).toISOString(),
    severity: pick(SEVERITIES),
    fields: {
      alertId: RULES.indexOf(rule) + 1,
      description: `${rule} detected for ${user} from ${ip}`,
      'groupBy.user': user,
      'groupBy.source.ip': ip,
      mitreTags: ['T1110'],
    },
    raw: { alertEventId: `bench-${i}`, name: rule },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
};
/** `between` runs untimed before each timed run (a write that invalidates cached counts). */
async function time(
  fn: () => Promise<unknown>,
  between?: () => Promise<unknown>,
): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn(); // warm caches and plans
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (between) await between();
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return { p50: pct(xs, 50), p95: pct(xs, 95) };
}
const fmt = (r: { p50: number; p95: number }) =>
  `p50 ${r.p50.toFixed(1).padStart(6)} ms  p95 ${r.p95.toFixed(1).padStart(6)} ms`;

async function fill(store: IncidentStore, label: string): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < TOTAL; i += 1000) {
    await store.insertIncidents(
      Array.from({ length: Math.min(1000, TOTAL - i) }, (_, k) => incident(i + k)),
      NOW - 1000,
    );
  }
  out(`${label}: ${TOTAL} incidents written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Work on a share of the queue, as a SOC would have it: 30% active with an owner, 40% closed. */
const WORKED = (table: string) => [
  `UPDATE ${table} SET status = 'active', owner = 'analyst' || ((occurred_ms / 6000) % 7), acknowledged_at = created_at + 60000 WHERE (occurred_ms / 6000) % 10 IN (0, 1, 2)`,
  `UPDATE ${table} SET status = 'closed', close_reason = 'resolved', acknowledged_at = created_at + 60000, closed_at = created_at + 600000 WHERE (occurred_ms / 6000) % 10 IN (3, 4, 5, 6)`,
];

async function measure(label: string, store: IncidentStore, plain: () => Promise<unknown>): Promise<void> {
  const clock = { now: () => NOW, sleep: async () => {} };
  const auth = createAuth({ store, clock });
  const { key } = await auth.createApiKey('bench', 'viewer', 'bench');
  const app = await buildApiApp({ store, logger: pino({ level: 'silent' }), clock, fetching: false, auth });
  const headers = { authorization: `Bearer ${key}` };
  const api = (qs: string) => async () => {
    const r = await app.inject({ url: `/api/incidents?${qs}`, headers });
    if (r.statusCode !== 200) throw new Error(`${qs}: ${r.statusCode} ${r.body}`);
  };
  const queue: CaseQuery = {
    status: ['new', 'active'],
    minSeverity: 2,
    sort: 'severity',
    order: 'desc',
    limit: 50,
  };
  const base = await time(plain);
  out(`${label}  baseline: plain SELECT of the first 50 by occurred      ${fmt(base)}`);
  // An analyst's change of one incident's status between runs: the cached counts are recomputed.
  let flip = 0;
  const write = () =>
    store.updateCase(
      'logzio:bench-1',
      flip++ % 2 ? { status: 'new' } : { status: 'active' },
      { kind: 'user', name: 'bench' },
      NOW,
    );
  const first = await app.inject({
    url: '/api/incidents?status=new,active&minSeverity=2&sort=severity',
    headers,
  });
  const cursor = (first.json() as { nextCursor: string }).nextCursor;
  const rows: [string, () => Promise<unknown>, (() => Promise<unknown>)?][] = [
    ['store: queue page (new+active, >= MEDIUM, by severity)', () => store.queryIncidents(queue)],
    [
      'API:   GET /api/incidents?status=new,active&minSeverity=2&sort=severity',
      api('status=new,active&minSeverity=2&sort=severity'),
    ],
    [
      'store: free text "alice" (~0.5%), by occurred',
      () => store.queryIncidents({ text: 'alice', sort: 'occurred', order: 'desc', limit: 50 }),
    ],
    ['API:   GET /api/incidents?q=alice', api('q=alice')],
    ['API:   GET /api/incidents?q=alice, a write before each (counts recomputed)', api('q=alice'), write],
    ['API:   GET /api/incidents?q=brute (~20%)&status=new', api('q=brute&status=new')],
    ['API:   GET /api/incidents?q=brute&status=new, a write before each', api('q=brute&status=new'), write],
    ['API:   GET /api/incidents (no filter, counts over all)', api('')],
    [
      'API:   the queue page, a write before each',
      api('status=new,active&minSeverity=2&sort=severity'),
      write,
    ],
    [
      'API:   the queue, second page (no counts)',
      api(`status=new,active&minSeverity=2&sort=severity&cursor=${cursor}`),
    ],
  ];
  for (const [name, fn, between] of rows) {
    const r = await time(fn, between);
    out(`${label}  ${name.padEnd(72)} ${fmt(r)}  (${(r.p95 / base.p95).toFixed(1)}x baseline p95)`);
  }
  await app.close();
}

async function sqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-bench-incidents-'));
  try {
    const path = join(dir, 'connector.db');
    const store = openSqliteIncidentStore({ path });
    await fill(store, 'sqlite');
    const raw = new DatabaseSync(path);
    for (const sql of WORKED('incidents')) raw.exec(sql);
    raw.exec('ANALYZE');
    const plainStmt = raw.prepare(plainPageSql('', 50));
    await measure('sqlite', store, async () => plainStmt.all());
    raw.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * PostgreSQL fill: the same columns the store writes on insert (search words, related key, tsvector,
 * original severity), 5,000 rows a statement (the "created" timeline entry is read from the row):
 * one INSERT per incident would take minutes on a shared machine.
 */
async function fillPostgres(c: pg.Client, schema: string): Promise<void> {
  const started = performance.now();
  for (let i = 0; i < TOTAL; i += 5000) {
    const rows = Array.from({ length: Math.min(5000, TOTAL - i) }, (_, k) => incident(i + k));
    await c.query(
      `INSERT INTO "${schema}".incidents (id, alert_event_id, name, occurred, occurred_ms, severity, original_severity,
         status, fields, raw, created_at, updated_at, group_key, search_text, search_tsv)
       SELECT id, aid, name, occ, occ_ms, sev, sev, 'new', f, r, $7, $7, gk, st, to_tsvector('simple', st)
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::float8[], $8::text[], $9::text[], $10::text[], $11::text[])
         AS u(id, aid, name, occ, occ_ms, sev, f, r, gk, st)`,
      [
        rows.map((x) => x.id),
        rows.map((x) => x.alertEventId),
        rows.map((x) => x.name),
        rows.map((x) => x.occurred),
        rows.map((x) => Date.parse(x.occurred)),
        rows.map((x) => x.severity),
        NOW - 1000,
        rows.map((x) => JSON.stringify(x.fields)),
        rows.map((x) => JSON.stringify(x.raw)),
        rows.map((x) => groupKey(x)),
        rows.map((x) => searchText(x)),
      ],
    );
  }
  out(
    `postgres: ${TOTAL} incidents written (bulk) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function postgres(): Promise<void> {
  const schema = `siemlink_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (err) {
    out(`postgres: skipped (${(err as Error).message})`);
    return;
  }
  try {
    const store = await openPostgresIncidentStore({ connectionString: PG_URL, schema });
    await fillPostgres(admin, schema);
    for (const sql of WORKED(`"${schema}".incidents`)) await admin.query(sql);
    // Steady state: autovacuum would have set the visibility map a bulk load leaves empty.
    await admin.query(`VACUUM ANALYZE "${schema}".incidents`);
    const plainSql = plainPageSql(`"${schema}".`, 50).replace('id DESC', 'id COLLATE "C" DESC');
    await measure('postgres', store, () => admin.query(plainSql));
    await store.close();
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await admin.end();
  }
}

out(`incident queue benchmark: ${TOTAL} incidents, ${RUNS} timed runs per figure (after 3 warm-up runs)`);
// BENCH_INCIDENT_STORES=sqlite (or postgres) runs one of them.
const stores = (process.env.BENCH_INCIDENT_STORES ?? 'sqlite,postgres').split(',');
if (stores.includes('sqlite')) await sqlite();
if (stores.includes('postgres')) await postgres();
