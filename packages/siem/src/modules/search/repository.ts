import type { SqlParts } from '../../lucene/index.ts';
import { FTS_IN } from '../../lucene/index.ts';
import type { Store } from '../../store/store.ts';
import { metaAny, NON_ASCII_TOKEN, windowCover, windowHours } from '../logs/fts-meta.ts';
import type { SqlAggGroup } from './aggs.ts';

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
 * Candidates are read in time order; when the prefilter has an FTS5 match the query is driven
 * from the FTS index (the unary `+` stops SQLite from walking the whole window instead): all
 * at once with few matches, one hour of the window at a time with many (`FTS_DRIVEN_MAX`).
 */
export interface SearchRepository {
  candidates(spec: ScanSpec): Iterable<LogRow>;
  /** True when the prefilter has an FTS match with at most FTS_DRIVEN_MAX matches (few candidates). */
  fewCandidates(prefilter: SqlParts | null): boolean;
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
   * Whole hours and days of the window are counted from the index alone (its `meta` tokens);
   * only a partial first or last hour reads `logs` rows, to check their `ts`.
   */
  countFts(spec: FtsCountSpec): { ascii: number; others: Iterable<LogRow> };
  /**
   * Logs in the window grouped by `ts` bucket (`intervalMs`, epoch-aligned; null: one group),
   * with their count and ts range, from the time index or, with `fts`, its plain-ASCII
   * matches (the caller adds the others, checked with the predicate, from `countFts`).
   */
  groupByTime(spec: TimeGroupSpec): SqlAggGroup[];
}

export interface TimeGroupSpec {
  accountId: number;
  from: number;
  to: number;
  fts: string | null;
  intervalMs: number | null;
}

export interface FtsCountSpec {
  accountId: number;
  from: number;
  to: number;
  fts: string;
}

/**
 * Up to this many FTS matches (all accounts, all time: counted up to this many only), the
 * candidates are read from the FTS index in one statement and sorted by time; past it, hour by
 * hour (each hour's matches sorted), so a page of a broad query never waits for every match.
 */
export const FTS_DRIVEN_MAX = 5000;

/** Only the connection is used, so a worker thread passes its own read-only one. */
export function createSqliteSearchRepository(store: Pick<Store, 'db'>): SearchRepository {
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
  // Enough to decide between the two candidate plans, without counting every match.
  const ftsMatches = db.prepare(
    `SELECT count(*) AS n FROM (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? LIMIT ${FTS_DRIVEN_MAX + 1})`,
  );
  const cache = new Map<string, ReturnType<typeof db.prepare>>();
  const prepared = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      if (cache.size > 200) cache.clear();
      cache.set(sql, (s = db.prepare(sql)));
    }
    return s;
  };
  const indexCount = db.prepare('SELECT count(*) AS n FROM logs_fts WHERE logs_fts MATCH ?');
  const inHour = `FROM logs WHERE ${FTS_IN} AND +ts >= ? AND +ts < ?`;
  const edgeCount = db.prepare(`SELECT count(*) AS n ${inHour}`);
  const nonAscii = db.prepare(`SELECT seq, ts, doc ${inHour}`);
  const count = (expr: string) => (indexCount.get(expr) as { n: number }).n;
  const plainOnly = (expr: string) => `(${expr}) NOT meta : ${NON_ASCII_TOKEN}`;
  const windowTokens = (accountId: number, from: number, to: number) => {
    const { cover, edges } = windowCover(accountId, from, to);
    return [...cover, ...edges.map((e) => e.token)];
  };
  const few = (fts: string) => (ftsMatches.get(fts) as { n: number }).n <= FTS_DRIVEN_MAX;
  return {
    fewCandidates: (p) => !!p?.fts && few(p.fts),
    countFts({ accountId, from, to, fts }) {
      const { cover, edges } = windowCover(accountId, from, to);
      const query = `(${fts})`;
      let ascii = cover.length > 0 ? count(plainOnly(`${query} AND ${metaAny(cover)}`)) : 0;
      for (const e of edges) {
        ascii += (edgeCount.get(plainOnly(`${query} AND meta : ${e.token}`), e.from, e.to) as { n: number })
          .n;
      }
      const tokens = [...cover, ...edges.map((e) => e.token)];
      const others = `${query} AND ${metaAny(tokens)} AND meta : ${NON_ASCII_TOKEN}`;
      return {
        ascii,
        others:
          tokens.length > 0 && count(others) > 0
            ? (nonAscii.iterate(others, from, to) as Iterable<LogRow>)
            : [],
      };
    },
    groupByTime({ accountId, from, to, fts, intervalMs }) {
      // An integer interval, inlined: floor(ts / i) * i for negative ts too.
      const i = intervalMs === null ? null : Math.trunc(intervalMs);
      const key = i === null ? '0' : `(ts - ((ts % ${i}) + ${i}) % ${i})`;
      const select = `SELECT ${key} AS key, count(*) AS n, min(ts) AS min, max(ts) AS max`;
      if (fts === null) {
        return prepared(`${select} FROM logs WHERE account_id = ? AND ts >= ? AND ts < ? GROUP BY 1`).all(
          accountId,
          from,
          to,
        ) as unknown as SqlAggGroup[];
      }
      const tokens = windowTokens(accountId, from, to);
      if (tokens.length === 0) return [];
      return prepared(
        `${select} FROM logs WHERE ${FTS_IN} AND +account_id = ? AND +ts >= ? AND +ts < ? GROUP BY 1`,
      ).all(plainOnly(`(${fts}) AND ${metaAny(tokens)}`), accountId, from, to) as unknown as SqlAggGroup[];
    },
    candidates(spec) {
      const dir = spec.order === 'asc' ? 'ASC' : 'DESC';
      const p = spec.prefilter;
      const where = p?.where ? ` AND (${p.where})` : '';
      const whereParams = p?.where ? p.params : [];
      const orderBy = ` ORDER BY ts ${dir}, seq ${dir}`;
      if (p?.fts) {
        // Driven from the FTS index; ORDER BY sorts the matches of one statement.
        const sql = prepared(
          `SELECT seq, ts, doc FROM logs WHERE ${FTS_IN} AND +account_id = ? AND +ts >= ? AND +ts < ?${where}${orderBy}`,
        );
        const run = (fts: string, from: number, to: number) =>
          sql.iterate(fts, spec.accountId, from, to, ...whereParams) as Iterable<LogRow>;
        if ((ftsMatches.get(p.fts) as { n: number }).n <= FTS_DRIVEN_MAX)
          return run(p.fts, spec.from, spec.to);
        // Many matches: one hour of the window at a time, in time order (its `meta` hour token
        // bounds the FTS match to that hour), so a page of a broad query reads and sorts the
        // matches of the hours it needs, never the whole match set.
        return (function* () {
          for (const h of windowHours(spec.accountId, spec.from, spec.to, spec.order)) {
            yield* run(`(${p.fts!}) AND meta : ${h.token}`, h.from, h.to);
          }
        })();
      }
      return prepared(
        `SELECT seq, ts, doc FROM logs WHERE account_id = ? AND ts >= ? AND ts < ?${where}${orderBy}`,
      ).iterate(spec.accountId, spec.from, spec.to, ...whereParams) as Iterable<LogRow>;
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
