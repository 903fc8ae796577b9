import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { migrate } from './migrations.ts';
import { checkIncidentKey, idsOfAlerts } from './incident-key.ts';
import { sqliteAuth } from './auth-sqlite.ts';
import { sqliteCases } from './cases-sqlite.ts';
import { createSqliteOutbox, sqliteOutboxWriter } from '../outbox/sqlite-outbox.ts';
import type { OutboxRoute } from '../outbox/routing.ts';
import { sqlitePlaybooks } from '../playbooks/journal/store.ts';
import type { NewRun } from '../playbooks/journal/journal.ts';
import {
  CursorConflictError,
  type IncidentStatus,
  type IncidentStore,
  type NewFetchRun,
  type NewIncident,
} from './types.ts';
import {
  encodeIncident,
  toGap,
  toIncident,
  toRun,
  type GapRow,
  type IncidentRow,
  type RunRow,
} from './rows.ts';

/**
 * The embedded incident store: one SQLite file in WAL mode, one writer; each commit is BEGIN
 * IMMEDIATE. Every commit is atomic and survives a crash of the process (SIGKILL included). Every
 * commit but a fetch run's is also synchronous=FULL (fsync'd: it survives the machine's crash);
 * a fetch run's is NORMAL (see `fetchTx`).
 */
/** Incidents whose full-text entry a backlog's fetch commits may leave pending (cases-sqlite.ts). */
export const TEXT_DEFER_UP_TO = 2000;
/** The WAL's size at which a commit checkpoints it (SQLite counts it in pages). */
const WAL_CHECKPOINT_BYTES = 40 * 1024 * 1024;

export function openSqliteIncidentStore(opts: {
  path: string;
  /** Sinks that get an outbox row for each new incident, in the same transaction. */
  routes?: readonly OutboxRoute[];
}): IncidentStore {
  if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
  const db = new DatabaseSync(opts.path);
  // 8 KB pages for a new store (an existing one keeps its own: WAL mode fixes the size). An
  // incident's row is ~2.3 KB (its raw event is most of it), so a 4 KB page held one and left
  // ~40% empty; 8 KB holds three: a third fewer pages written per commit and read per scan
  // (bench/feed-store.ts).
  db.exec('PRAGMA page_size = 8192');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA busy_timeout = 5000');
  // Checkpoint every ~40 MB of WAL instead of SQLite's 4 MB: an index page that many commits
  // dirty is copied into the database once per checkpoint, and a checkpoint (with its fsyncs)
  // comes after ~30 fetch commits of 50 instead of every third (bench/peers.ts, commit-exp).
  const { page_size: pageSize } = db.prepare('PRAGMA page_size').get() as { page_size: number };
  db.exec(`PRAGMA wal_autocheckpoint = ${Math.round(WAL_CHECKPOINT_BYTES / pageSize)}`);
  migrate(db);

  // The related key and search text go in with the row (no UPDATE after it).
  const insIncident = db.prepare(
    `INSERT OR IGNORE INTO incidents (id, alert_event_id, name, occurred, occurred_ms, severity, status, owner,
       fields, raw, created_at, updated_at, original_severity, group_key, search_text)
     VALUES (?, ?, ?, ?, ?, ?, 'new', NULL, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const getCursor = db.prepare('SELECT value FROM cursors WHERE source = ?');
  const putCursor = db.prepare(
    `INSERT INTO cursors (source, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (source) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const insRun = db.prepare(
    `INSERT INTO fetch_runs (source, started_at, ended_at, count, cursor_before, cursor_after, error, lag_ms, full)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insGap = db.prepare(
    'INSERT INTO gaps (source, from_ms, to_ms, reason, recorded_at) VALUES (?, ?, ?, ?, ?)',
  );
  const getById = db.prepare('SELECT * FROM incidents WHERE id = ?');
  // Prepared once per power-of-two list length, the rest of the list bound to NULL (matches
  // nothing): ten statements serve every batch and page size.
  const knownStatements = new Map<number, StatementSync>();
  // By id, the one unique index (incident-key.ts).
  const knownIn = (ids: string[]) => {
    const n = 2 ** Math.ceil(Math.log2(Math.max(1, ids.length)));
    let st = knownStatements.get(n);
    if (!st) {
      st = db.prepare(`SELECT id FROM incidents WHERE id IN (${Array<string>(n).fill('?').join(',')})`);
      knownStatements.set(n, st);
    }
    return st.all(...ids, ...Array<null>(n - ids.length).fill(null)) as { id: string }[];
  };
  const enqueue = sqliteOutboxWriter(db, opts.routes ?? []);

  const runInsert = (run: NewFetchRun) =>
    Number(
      insRun.run(
        run.source,
        run.startedAt,
        run.endedAt,
        run.count,
        run.cursorBefore,
        run.cursorAfter,
        run.error,
        run.lagMs === null ? null : Math.round(run.lagMs),
        run.full ? 1 : 0,
      ).lastInsertRowid,
    );

  const insertAll = (
    incidents: readonly NewIncident[],
    now: number,
    planned: Map<string, NewRun[]> | null,
    deferTextUpTo = 0,
  ): NewIncident[] => {
    const inserted: NewIncident[] = [];
    for (const i of incidents) {
      checkIncidentKey(i);
      const e = encodeIncident(i);
      const r = insIncident.run(...e.values, now, now, i.severity, e.groupKey, e.searchText);
      if (r.changes > 0) {
        inserted.push(i);
        caseStore.afterInsert(r.lastInsertRowid);
      }
    }
    caseStore.indexInserted(deferTextUpTo);
    enqueue(inserted, now);
    playbooks.write(inserted, planned, now);
    return inserted;
  };

  function tx<T>(fn: () => T): T {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      db.exec('COMMIT');
      return result;
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }

  /**
   * A fetch run's commit (incidents, cursor, outbox rows, playbook runs, run record) with
   * synchronous=NORMAL: the WAL is not fsync'd at its COMMIT, which was most of a 50-incident
   * run's time (bench/peers.ts). Zero loss and zero duplicates still hold:
   *   - a process crash (SIGKILL) loses nothing: the commit is in the WAL file, in the OS's hands;
   *   - a machine crash or power loss may roll back the last fetch commits whole (incidents and
   *     their cursor together, DESIGN rule 1): the next run reads those events again from the
   *     SIEM and makes the same incident ids (rule 2);
   *   - nothing of such a commit leaves the process first: a sink's delivery or a playbook step
   *     starts with a claim or lease, a FULL commit on this WAL, which fsyncs every commit before
   *     it. So a rolled-back incident was never delivered, nor acted on.
   * Analysts' writes, claims and leases stay FULL.
   */
  function fetchTx<T>(fn: () => T): T {
    db.exec('PRAGMA synchronous = NORMAL');
    try {
      return tx(fn);
    } finally {
      db.exec('PRAGMA synchronous = FULL');
    }
  }

  const caseStore = sqliteCases(db, tx);
  caseStore.backfill();
  caseStore.indexPendingText();
  const playbooks = sqlitePlaybooks(db, tx, caseStore);

  const commitRuns: IncidentStore['commitRuns'] = async (inputs) => {
    // Before the transaction, each with its own time: the playbook runs its incidents would start.
    const planned: (Map<string, NewRun[]> | null)[] = [];
    for (const input of inputs) planned.push(await playbooks.plan(input.incidents, input.now));
    return fetchTx(() => {
      // The cursor each source is at as the commits go: the ones before move it.
      const at = new Map<string, string | null>();
      const all: NewIncident[] = [];
      const out = inputs.map((input, k) => {
        const current = at.has(input.source)
          ? at.get(input.source)!
          : ((getCursor.get(input.source) as { value: string } | undefined)?.value ?? null);
        if (current !== input.cursorBefore) throw new CursorConflictError(input.source);
        // A backlog (a full run, or a streamed run's batch) leaves its text to be indexed in
        // batches; a run that caught up indexes everything pending.
        const backlog = input.run ? input.run.full : true;
        const inserted = insertAll(input.incidents, input.now, planned[k]!, backlog ? TEXT_DEFER_UP_TO : 0);
        const moved = input.cursorAfter !== null && input.cursorAfter !== input.cursorBefore;
        if (moved) putCursor.run(input.source, input.cursorAfter, input.now);
        at.set(input.source, moved ? input.cursorAfter : current);
        for (const g of input.gaps ?? []) insGap.run(g.source, g.from, g.to, g.reason, input.now);
        const runId = input.run
          ? runInsert({ ...input.run, count: (input.insertedBefore ?? 0) + inserted.length })
          : null;
        all.push(...inserted);
        return { inserted, runId };
      });
      // Once per transaction: a group of runs bumps the counts (and their version) once.
      caseStore.countInserted(all);
      return out;
    });
  };

  return {
    ...caseStore.cases,
    ...sqliteAuth(db, tx),
    outbox: createSqliteOutbox(db),
    playbooks: playbooks.store,
    async getCursor(source) {
      const row = getCursor.get(source) as { value: string } | undefined;
      return row?.value ?? null;
    },
    async knownAlertEventIds(ids) {
      const known = new Set<string>();
      // Chunks keep each statement under SQLite's bound-parameter limit.
      const byId = idsOfAlerts(ids);
      const all = [...byId.keys()];
      for (let i = 0; i < all.length; i += 512) {
        for (const r of knownIn(all.slice(i, i + 512))) known.add(byId.get(r.id)!);
      }
      return known;
    },
    commitRuns,
    async commitRun(input) {
      return (await commitRuns([input]))[0]!;
    },
    async recordFailedRun(run) {
      return runInsert(run);
    },
    async insertIncidents(incidents, now) {
      const planned = await playbooks.plan(incidents, now);
      return tx(() => {
        const inserted = insertAll(incidents, now, planned);
        caseStore.countInserted(inserted);
        return inserted;
      });
    },
    async recordBackfillRun(run, gapId, now) {
      return tx(() => {
        const runId = runInsert(run);
        if (gapId !== null) {
          db.prepare('UPDATE gaps SET backfilled_at = ? WHERE id = ?').run(now, gapId);
        }
        return runId;
      });
    },
    async getGap(id) {
      const row = db.prepare('SELECT * FROM gaps WHERE id = ?').get(id) as GapRow | undefined;
      return row ? toGap(row) : null;
    },
    async listIncidents(q) {
      const where: string[] = [];
      const args: SQLInputValue[] = [];
      if (q.status?.length) {
        where.push(`status IN (${q.status.map(() => '?').join(',')})`);
        args.push(...q.status);
      }
      if (q.severities?.length) {
        where.push(`severity IN (${q.severities.map(() => '?').join(',')})`);
        args.push(...q.severities);
      }
      if (q.minSeverity !== undefined) {
        where.push('severity >= ?');
        args.push(q.minSeverity);
      }
      if (q.occurredFrom !== undefined) {
        where.push('occurred_ms >= ?');
        args.push(q.occurredFrom);
      }
      if (q.occurredTo !== undefined) {
        where.push('occurred_ms <= ?');
        args.push(q.occurredTo);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = (
        db.prepare(`SELECT COUNT(*) AS n FROM incidents ${clause}`).get(...args) as { n: number }
      ).n;
      const rows = db
        .prepare(`SELECT * FROM incidents ${clause} ORDER BY occurred_ms DESC, id LIMIT ? OFFSET ?`)
        .all(...args, q.pageSize, (q.page - 1) * q.pageSize) as unknown as IncidentRow[];
      return { total, results: rows.map(toIncident) };
    },
    async getIncident(id) {
      const row = getById.get(id) as IncidentRow | undefined;
      return row ? toIncident(row) : null;
    },
    async lastRun(filter = {}) {
      const where: string[] = [];
      const args: SQLInputValue[] = [];
      if (filter.source !== undefined) {
        where.push('source = ?');
        args.push(filter.source);
      }
      if (filter.excludeSource !== undefined) {
        where.push('source <> ?');
        args.push(filter.excludeSource);
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const row = db.prepare(`SELECT * FROM fetch_runs ${clause} ORDER BY id DESC LIMIT 1`).get(...args) as
        RunRow | undefined;
      return row ? toRun(row) : null;
    },
    async listRuns(limit) {
      return (
        db.prepare('SELECT * FROM fetch_runs ORDER BY id DESC LIMIT ?').all(limit) as unknown as RunRow[]
      ).map(toRun);
    },
    async countsByStatus() {
      const counts: Record<IncidentStatus, number> = { new: 0, active: 0, closed: 0 };
      for (const r of db.prepare('SELECT status, COUNT(*) AS n FROM incidents GROUP BY status').all() as {
        status: IncidentStatus;
        n: number;
      }[]) {
        counts[r.status] = r.n;
      }
      return counts;
    },
    async listGaps() {
      return (db.prepare('SELECT * FROM gaps ORDER BY id').all() as unknown as GapRow[]).map(toGap);
    },
    async close() {
      if (db.isOpen) db.close();
    },
  };
}
