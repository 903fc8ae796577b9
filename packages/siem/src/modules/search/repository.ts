import type { SqlParts } from '../../lucene/index.ts';
import { FTS_IN } from '../../lucene/index.ts';
import type { Store } from '../../store/store.ts';

export interface LogRow {
  seq: number;
  ts: number;
  doc: string;
}

export interface ScanSpec {
  accountId: number;
  from: number;
  to: number;
  /** SQL superset of the query (null: every log in the window is a candidate). */
  prefilter: SqlParts | null;
  order: 'asc' | 'desc';
}

/**
 * The SQL side of /v1/search, kept here so a PostgreSQL version can sit behind the same shape.
 * Candidates are read in time order; when the prefilter has an FTS5 match with few matches, the
 * query is driven from the FTS index (the unary `+` stops SQLite from walking the whole window
 * instead), with many from the window's time index (`FTS_DRIVEN_MAX`).
 */
export interface SearchRepository {
  candidates(spec: ScanSpec): Iterable<LogRow>;
  /** Logs in the window, exactly (no residual predicate). */
  count(accountId: number, from: number, to: number): number;
  page(
    accountId: number,
    from: number,
    to: number,
    order: 'asc' | 'desc',
    limit: number,
    offset: number,
  ): LogRow[];
  bySeq(accountId: number, seqs: number[]): Map<number, LogRow>;
  /**
   * Logs in the window matching an FTS5 expression, counted in SQL for plain-ASCII logs (where
   * FTS5 and our tokenizer agree) and handed back one by one otherwise, for the predicate.
   */
  countFts(spec: FtsCountSpec): { ascii: number; others: Iterable<LogRow> };
}

export interface FtsCountSpec {
  accountId: number;
  from: number;
  to: number;
  fts: string;
}

/**
 * True for a log whose JSON text may hold non-ASCII text: more bytes than characters (UTF-8
 * multi-byte), or a `\u` escape (which may decode to one). Both are plain C loops in SQLite (a
 * GLOB character class was 5x slower). Conservative: a false positive only costs a parse.
 */
const NON_ASCII = "(length(doc) <> octet_length(doc) OR instr(doc, '\\u') > 0)";

/**
 * Up to this many FTS matches (all accounts, all time: one cheap pass over the FTS index), the
 * candidates are read from the FTS index and sorted by time; past it, the window is walked in
 * time order, so a page of a broad query never waits for a sort of every match.
 */
export const FTS_DRIVEN_MAX = 5000;

export function createSqliteSearchRepository(store: Store): SearchRepository {
  const db = store.db;
  const countStmt = db.prepare('SELECT count(*) AS n FROM logs WHERE account_id = ? AND ts >= ? AND ts < ?');
  const pageStmt = {
    desc: db.prepare(
      'SELECT seq, ts, doc FROM logs WHERE account_id = ? AND ts >= ? AND ts < ? ORDER BY ts DESC, seq DESC LIMIT ? OFFSET ?',
    ),
    asc: db.prepare(
      'SELECT seq, ts, doc FROM logs WHERE account_id = ? AND ts >= ? AND ts < ? ORDER BY ts ASC, seq ASC LIMIT ? OFFSET ?',
    ),
  };
  const ftsMatches = db.prepare('SELECT count(*) AS n FROM logs_fts WHERE logs_fts MATCH ?');
  const cache = new Map<string, ReturnType<typeof db.prepare>>();
  const prepared = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      if (cache.size > 200) cache.clear();
      cache.set(sql, (s = db.prepare(sql)));
    }
    return s;
  };
  const ftsWindow = `FROM logs WHERE ${FTS_IN} AND +account_id = ? AND +ts >= ? AND +ts < ?`;
  // One pass counts both kinds; the non-ASCII rows are read again only when there are some.
  const split = db.prepare(
    `SELECT coalesce(sum(NOT na), 0) AS ascii, coalesce(sum(na), 0) AS others FROM (SELECT ${NON_ASCII} AS na ${ftsWindow})`,
  );
  const nonAscii = db.prepare(`SELECT seq, ts, doc ${ftsWindow} AND ${NON_ASCII}`);
  return {
    countFts({ accountId, from, to, fts }) {
      const n = split.get(fts, accountId, from, to) as { ascii: number; others: number };
      return {
        ascii: n.ascii,
        others: n.others > 0 ? (nonAscii.iterate(fts, accountId, from, to) as Iterable<LogRow>) : [],
      };
    },
    candidates(spec) {
      const dir = spec.order === 'asc' ? 'ASC' : 'DESC';
      const p = spec.prefilter;
      const params: (string | number)[] = [];
      let sql: string;
      if (p?.fts && (ftsMatches.get(p.fts) as { n: number }).n <= FTS_DRIVEN_MAX) {
        sql = `SELECT seq, ts, doc FROM logs WHERE ${FTS_IN} AND +account_id = ? AND +ts >= ? AND +ts < ?`;
        params.push(p.fts, spec.accountId, spec.from, spec.to);
      } else if (p?.fts) {
        // Many FTS matches: walk the window in time order (no sort of every match before the
        // first row), testing each log against the set of matching rowids.
        sql = `SELECT seq, ts, doc FROM logs WHERE +${FTS_IN} AND account_id = ? AND ts >= ? AND ts < ?`;
        params.push(p.fts, spec.accountId, spec.from, spec.to);
      } else {
        sql = 'SELECT seq, ts, doc FROM logs WHERE account_id = ? AND ts >= ? AND ts < ?';
        params.push(spec.accountId, spec.from, spec.to);
      }
      if (p?.where) {
        sql += ` AND (${p.where})`;
        params.push(...p.params);
      }
      sql += ` ORDER BY ts ${dir}, seq ${dir}`;
      return prepared(sql).iterate(...params) as Iterable<LogRow>;
    },
    count(accountId, from, to) {
      return (countStmt.get(accountId, from, to) as { n: number }).n;
    },
    page(accountId, from, to, order, limit, offset) {
      return pageStmt[order].all(accountId, from, to, limit, offset) as unknown as LogRow[];
    },
    bySeq(accountId, seqs) {
      const out = new Map<number, LogRow>();
      for (let i = 0; i < seqs.length; i += 500) {
        const chunk = seqs.slice(i, i + 500);
        const rows = prepared(
          `SELECT seq, ts, doc FROM logs WHERE account_id = ? AND seq IN (${chunk.map(() => '?').join(',')})`,
        ).all(accountId, ...chunk) as unknown as LogRow[];
        for (const r of rows) out.set(r.seq, r);
      }
      return out;
    },
  };
}
