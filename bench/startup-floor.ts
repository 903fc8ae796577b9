/**
 * The floor under `siemlink fetch-incidents --once` with nothing new (bench/startup.ts runs it as a
 * row): the least any Node program doing that run's work costs, written by hand with nothing of
 * siemlink's: open a SQLite file in WAL mode, read the cursor, ask the SIEM's `events/search` for
 * what lies after it and re-scan the overlap (two POSTs on one keep-alive connection, as the
 * connector makes them), commit a run record, close, print one line. No options, no config, no
 * validation, no logger, no retries.
 */
const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
const http = process.getBuiltinModule('node:http');
const { join } = process.getBuiltinModule('node:path');
const { mkdirSync } = process.getBuiltinModule('node:fs');

const dir = join(process.env.SIEMLINK_DATA_DIR!, 'floor');
mkdirSync(dir, { recursive: true });
const db = new DatabaseSync(join(dir, 'floor.db'));
db.exec('PRAGMA journal_mode = WAL');
db.exec('CREATE TABLE IF NOT EXISTS cursors (source TEXT PRIMARY KEY, value TEXT NOT NULL)');
db.exec(
  'CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, ended_at INTEGER NOT NULL, count INTEGER NOT NULL)',
);
const now = Date.now() / 1000;
const cursor = db.prepare('SELECT value FROM cursors WHERE source = ?').get('search') as
  { value: string } | undefined;
const from = cursor ? Number(cursor.value) : now - 3600;

const agent = new http.Agent({ keepAlive: true });
function search(fromDate: number, toDate: number, pageSize: number): Promise<{ results: unknown[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${process.env.SIEMLINK_API_URL}/v2/security/rules/events/search`,
      {
        method: 'POST',
        agent,
        headers: { 'x-api-token': process.env.SIEMLINK_SECURITY_TOKEN, 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(
      JSON.stringify({
        filter: { timeRange: { fromDate, toDate } },
        sort: [{ field: 'DATE', descending: false }],
        pagination: { pageNumber: 1, pageSize },
      }),
    );
  });
}

const head = await search(from, now - 180, 50);
const late = await search(from - 600, from, 1);
db.exec('BEGIN IMMEDIATE');
db.prepare('INSERT INTO runs (ended_at, count) VALUES (?, ?)').run(
  Date.now(),
  head.results.length + late.results.length,
);
db.prepare(
  'INSERT INTO cursors (source, value) VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET value = excluded.value',
).run('search', String(from));
db.exec('COMMIT');
db.close();
agent.destroy();
process.stdout.write(`${head.results.length} new incident(s)\n`);
