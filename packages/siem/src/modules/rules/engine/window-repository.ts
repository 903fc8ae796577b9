import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { SqlParts } from '../../../lucene/sql.ts';

/** One log of a rule's window, as stored. */
export interface WindowRow {
  seq: number;
  ts: number;
  doc: string;
}

/** What a rule's window read asks the store for. */
export interface WindowQuery {
  /** The logs accounts the rule reads (at least one). */
  accounts: number[];
  /** Window bounds, epoch ms, both included. */
  from: number;
  now: number;
  /** The query's SQL prefilter (a superset of its matches), or null to read the whole window. */
  prefilter: SqlParts | null;
}

/**
 * Reads rule windows on one connection: the writer's (in-thread scans) or a scan worker's own
 * read-only one. Prepared statements are kept per connection, as are the window floors of the
 * evaluation instant being read.
 */
export interface WindowRepository {
  /** The window's logs in (ts, seq) order, read lazily: the caller may stop early. */
  rows(q: WindowQuery): Iterable<WindowRow>;
}

export function createSqliteWindowRepository(db: DatabaseSync): WindowRepository {
  const statements = new Map<string, StatementSync>();
  const statement = (sql: string): StatementSync => {
    let s = statements.get(sql);
    if (!s) {
      if (statements.size > 500) statements.clear();
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  // Per evaluation instant: lowest log seq of each (accounts, window start).
  const floors = { now: -1, byWindow: new Map<string, number>() };

  /**
   * The lowest storage seq among the window's logs (MAX_SAFE_INTEGER when none). Rules evaluated
   * at the same instant with the same time frame share it: logs stored in between only have
   * higher seqs, so the bound stays safe.
   */
  const windowFloor = (inAccounts: string, q: WindowQuery): number => {
    if (floors.now !== q.now) {
      floors.now = q.now;
      floors.byWindow.clear();
    }
    const key = `${q.accounts.join(',')}|${q.from}`;
    let floor = floors.byWindow.get(key);
    if (floor === undefined) {
      const r = statement(`SELECT min(seq) AS s FROM logs WHERE ${inAccounts} AND ts >= ? AND ts <= ?`).get(
        ...q.accounts,
        q.from,
        q.now,
      ) as { s: number | null };
      floor = r.s ?? Number.MAX_SAFE_INTEGER;
      floors.byWindow.set(key, floor);
    }
    return floor;
  };

  return {
    rows(q) {
      const inAccounts = `account_id IN (${q.accounts.map(() => '?').join(', ')})`;
      const pre = q.prefilter;
      const conds = [inAccounts, 'ts >= ?', 'ts <= ?'];
      const params: (string | number)[] = [...q.accounts, q.from, q.now];
      if (pre?.fts) {
        // Bound the free-text index lookup to the window's storage range, so its cost follows the
        // window, not the whole table (seq grows with storage; the window's rows are found first).
        conds.push('seq IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? AND rowid >= ?)');
        params.push(pre.fts, windowFloor(inAccounts, q));
      }
      if (pre?.where) {
        conds.push(`(${pre.where})`);
        params.push(...pre.params);
      }
      const sql = `SELECT seq, ts, doc FROM logs WHERE ${conds.join(' AND ')} ORDER BY ts, seq`;
      return statement(sql).iterate(...params) as Iterable<WindowRow>;
    },
  };
}
