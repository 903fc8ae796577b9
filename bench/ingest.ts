/**
 * Listener ingest benchmark: 1 KB NDJSON logs POSTed over loopback to a real SIEM (a few
 * concurrent requests of 1000 lines), against raw node:sqlite inserts of the same rows in the
 * same run (prepared statement, one transaction per 1000-row batch):
 *   - baseline "same schema": a fresh DB with every SIEM migration (so the free-text index
 *     triggers run too): what the listener adds on top of storage; once with a one-row
 *     statement, once with the 64-row statement the listener's writer uses;
 *   - baseline "bare table": only the `logs` table: the cost of storage + indexing itself.
 * BENCH_INGEST_LOGS scales the run (default 200000); BENCH_INGEST_CONCURRENCY (default 4);
 * BENCH_INGEST_ROUNDS (default 2, best of).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pino from 'pino';
import { startSiem } from '../packages/siem/src/server.ts';
import { openSqliteStore } from '../packages/siem/src/store/store.ts';

const TOTAL = Number(process.env.BENCH_INGEST_LOGS ?? 200_000);
const CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 4);
const LINES_PER_REQUEST = 1000;
const BODIES = 16;
const requests = Math.ceil(TOTAL / LINES_PER_REQUEST);

/** One ~1 KB log line: realistic fields, padded to size. */
function line(i: number): string {
  const doc = {
    '@timestamp': new Date(Date.UTC(2026, 0, 1) + i * 10).toISOString(),
    type: 'nginx',
    remote_addr: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    method: 'GET',
    request: `/api/products/${i % 5000}?page=${i % 7}`,
    status: [200, 200, 200, 304, 404, 500][i % 6],
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    message: `request ${i} served`,
    pad: '',
  };
  const base = JSON.stringify(doc).length;
  doc.pad = 'x'.repeat(Math.max(0, 1024 - base));
  return JSON.stringify(doc);
}

const bodies = Array.from({ length: BODIES }, (_, b) =>
  Array.from({ length: LINES_PER_REQUEST }, (_, i) => line(b * LINES_PER_REQUEST + i)).join('\n'),
);
const bodyBytes = Buffer.byteLength(bodies[0]);

async function listenerRun(): Promise<{ seconds: number; stored: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'siemlink-bench-ingest-'));
  const server = await startSiem(
    { dataDir, port: 0, listenerPort: 0, rulesEngine: false },
    { logger: pino({ level: 'warn' }) },
  );
  try {
    const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
      accounts: { shippingToken?: string }[];
    };
    const token = creds.accounts.find((a) => a.shippingToken)!.shippingToken!;
    const url = `${server.ctx.urls.listener}/?token=${token}&type=bench`;
    let next = 0;
    const worker = async () => {
      while (next < requests) {
        const i = next++;
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: bodies[i % BODIES],
        });
        if (res.status !== 200) throw new Error(`listener answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - t0) / 1000;
    const stored = (server.ctx.store.db.prepare('SELECT count(*) AS n FROM logs').get() as { n: number }).n;
    return { seconds, stored };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Raw inserts of the same rows the listener stores (it keeps unchanged lines as sent), `rowsPer`
 * rows per statement execution (1 = the plain prepared statement; the listener's writer uses 64).
 * Parameters are built before the clock starts: only SQLite work is timed.
 */
function rawRun(db: DatabaseSync, rowsPer = 1): number {
  const sql = (n: number) =>
    'INSERT INTO logs (account_id, ts, stored_at, type, doc) VALUES ' +
    Array(n).fill('(?, ?, ?, ?, ?)').join(', ');
  const ins = db.prepare(sql(rowsPer));
  const tail = db.prepare(sql(LINES_PER_REQUEST % rowsPer || rowsPer));
  const now = Date.now();
  const params = bodies.map((b) => {
    const rows = b.split('\n').map((l) => [100001, Date.parse(JSON.parse(l)['@timestamp']), now, 'nginx', l]);
    const chunks: (string | number)[][] = [];
    for (let i = 0; i < rows.length; i += rowsPer) chunks.push(rows.slice(i, i + rowsPer).flat());
    return chunks;
  });
  const t0 = performance.now();
  for (let r = 0; r < requests; r++) {
    db.exec('BEGIN IMMEDIATE');
    for (const p of params[r % BODIES]) (p.length === rowsPer * 5 ? ins : tail).run(...p);
    db.exec('COMMIT');
  }
  return (performance.now() - t0) / 1000;
}

function sameSchemaBaseline(rowsPer: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-bench-raw-'));
  const store = openSqliteStore({ path: join(dir, 'raw.db') });
  try {
    return rawRun(store.db, rowsPer);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function bareTableBaseline(): number {
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-bench-bare-'));
  const db = new DatabaseSync(join(dir, 'bare.db'));
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec(
      readFileSync(new URL('../packages/siem/src/store/migrations/002_logs.sql', import.meta.url), 'utf8'),
    );
    return rawRun(db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const logs = requests * LINES_PER_REQUEST;
const mb = (requests * bodyBytes) / 1e6;
console.log(
  `ingest: ${logs} logs of ~${Math.round(bodyBytes / LINES_PER_REQUEST)} B, ${LINES_PER_REQUEST} per request, ${CONCURRENCY} concurrent requests`,
);
// The machine is shared: each variant runs ROUNDS times, interleaved, and the best time counts.
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 2);
const best = { listener: Infinity, same: Infinity, same64: Infinity, bare: Infinity };
for (let round = 0; round < ROUNDS; round++) {
  const run = await listenerRun();
  if (run.stored !== logs) throw new Error(`stored ${run.stored} of ${logs} logs`);
  best.listener = Math.min(best.listener, run.seconds);
  best.same = Math.min(best.same, sameSchemaBaseline(1));
  best.same64 = Math.min(best.same64, sameSchemaBaseline(64));
  best.bare = Math.min(best.bare, bareTableBaseline());
}
const listener = { seconds: best.listener };
const { same, same64, bare } = best;
const fmt = (label: string, s: number) =>
  `${label.padEnd(44)} ${(logs / s).toFixed(0).padStart(8)} logs/s ${(mb / s).toFixed(1).padStart(7)} MB/s  (${s.toFixed(2)} s)`;
console.log(fmt('listener (HTTP, parse, validate, store)', listener.seconds));
console.log(fmt('raw node:sqlite insert, same schema', same));
console.log(fmt('raw node:sqlite insert, same schema, 64 rows/stmt', same64));
console.log(fmt('raw node:sqlite insert, bare logs table', bare));
console.log(`ratio listener / raw same schema: ${(same / listener.seconds).toFixed(2)}`);
console.log(`ratio listener / raw same schema 64 rows/stmt: ${(same64 / listener.seconds).toFixed(2)}`);
console.log(`ratio listener / raw bare table:  ${(bare / listener.seconds).toFixed(2)}`);
