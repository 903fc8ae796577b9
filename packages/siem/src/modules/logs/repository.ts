import type { Store } from '../../store/store.ts';

/** One log about to be stored. `doc` is the JSON text of the whole document. */
export interface NewLog {
  /** The document's @timestamp, epoch ms. */
  ts: number;
  type: string;
  doc: string;
}

export interface LogsWriter {
  /**
   * Stores `logs` for one account in ONE transaction (all or nothing); `storedAt` is the storage
   * time (epoch ms). Returns the storage sequence range assigned (`first..last`, empty when no logs).
   */
  insert(accountId: number, logs: readonly NewLog[], storedAt: number): { first: number; last: number };
  /** The newest @timestamp stored for the account (epoch ms), if any. */
  latestTimestamp(accountId: number): number | undefined;
}

/** Rows per multi-row INSERT: fewer statement steps per batch, well under SQLite's 32766 variables. */
const CHUNK = 64;
const COLS = 5;

export function createSqliteLogsWriter(store: Store): LogsWriter {
  const db = store.db;
  const sql = (rows: number) =>
    'INSERT INTO logs (account_id, ts, stored_at, type, doc) VALUES ' +
    Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
  const insertChunk = db.prepare(sql(CHUNK));
  const insertOne = db.prepare(sql(1));
  const latest = db.prepare('SELECT max(ts) AS ts FROM logs WHERE account_id = ?');
  const params: (number | string)[] = new Array(CHUNK * COLS);
  return {
    insert(accountId, logs, storedAt) {
      if (logs.length === 0) return { first: 0, last: -1 };
      return store.tx(() => {
        let first = -1;
        let last = -1;
        let i = 0;
        for (; i + CHUNK <= logs.length; i += CHUNK) {
          for (let j = 0; j < CHUNK; j++) {
            const l = logs[i + j];
            const p = j * COLS;
            params[p] = accountId;
            params[p + 1] = l.ts;
            params[p + 2] = storedAt;
            params[p + 3] = l.type;
            params[p + 4] = l.doc;
          }
          // One writer at a time: rowids of one multi-row insert are consecutive.
          const r = insertChunk.run(...params);
          last = Number(r.lastInsertRowid);
          if (first < 0) first = last - CHUNK + 1;
        }
        for (; i < logs.length; i++) {
          const l = logs[i];
          last = Number(insertOne.run(accountId, l.ts, storedAt, l.type, l.doc).lastInsertRowid);
          if (first < 0) first = last;
        }
        return { first, last };
      });
    },
    latestTimestamp(accountId) {
      const r = latest.get(accountId) as { ts: number | null } | undefined;
      return r?.ts ?? undefined;
    },
  };
}
