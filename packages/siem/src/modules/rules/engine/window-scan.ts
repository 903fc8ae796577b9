import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { luceneToSqlParts, matchesLucene, parseLucene } from '../../../lucene/index.ts';
import type { RuleDefinition } from '../repository.ts';
import { addToGroup, finishGroup, newGroup, type GroupAccumulator, type GroupResult } from './aggregation.ts';
import { fieldString } from '../fields.ts';
import { compileFilters } from '../filters.ts';

/** What reading one rule's window needs: plain data, so it can be sent to a worker thread. */
export interface ScanJob {
  ruleId: number;
  definition: RuleDefinition;
  /** The logs accounts the rule reads (resolved by the caller from its SIEM account). */
  accounts: number[];
  /** The evaluation instant: the window is [now - searchTimeFrameMinutes, now]. */
  now: number;
}

/** The window, matched, grouped and aggregated; no decision taken yet. */
export interface ScanResult {
  ruleId: number;
  /** Matching logs in the window (before group-by). */
  hits: number;
  /** Window start (epoch ms). */
  from: number;
  groups: GroupResult[];
}

/**
 * Prepared statements and the per-instant window floors of one read connection. One per
 * connection: the main thread's, or a worker's own.
 */
export interface ScanCache {
  db: DatabaseSync;
  statements: Map<string, StatementSync>;
  /** Per evaluation instant: lowest log seq of each (accounts, window start). */
  windowFloors: { now: number; floors: Map<string, number> };
}

export function createScanCache(db: DatabaseSync): ScanCache {
  return { db, statements: new Map(), windowFloors: { now: -1, floors: new Map() } };
}

function statement(cache: ScanCache, sql: string): StatementSync {
  let s = cache.statements.get(sql);
  if (!s) {
    if (cache.statements.size > 500) cache.statements.clear();
    s = cache.db.prepare(sql);
    cache.statements.set(sql, s);
  }
  return s;
}

/**
 * Reads [now - searchTimeFrameMinutes, now] of the scanned logs, keeps those that match the
 * query and filters, and groups and aggregates them. Read-only. Logs that lack a group-by
 * field are left out of the grouping (as an Elasticsearch terms aggregation does). Without
 * group-by there is one group, present even when empty, so LESS_THAN rules can fire on
 * silence. `checkBudget` is called once per row and throws to stop a scan that ran too long.
 */
export function scanWindow(cache: ScanCache, job: ScanJob, checkBudget?: () => void): ScanResult {
  const { definition: d, accounts, now } = job;
  const q = d.subComponents[0]!.queryDefinition;
  const groupBy = q.groupBy ?? [];
  const aggType = q.aggregation?.aggregationType ?? 'COUNT';
  const aggField = q.aggregation?.fieldToAggregateOn;
  const node = parseLucene(q.query || '*', { now });
  const filter = compileFilters(q.filters);
  const from = now - (d.searchTimeFrameMinutes ?? 5) * 60_000;

  const groups = new Map<string, GroupAccumulator>();
  if (groupBy.length === 0) groups.set('', newGroup(null, aggType));

  let hits = 0;
  if (accounts.length > 0) {
    const inAccounts = `account_id IN (${accounts.map(() => '?').join(', ')})`;
    const pre = luceneToSqlParts(node);
    const conds = [inAccounts, 'ts >= ?', 'ts <= ?'];
    const params: (string | number)[] = [...accounts, from, now];
    if (pre?.fts) {
      // Bound the free-text index lookup to the window's storage range, so its cost follows the
      // window, not the whole table (seq grows with storage; the window's rows are found first).
      const lowest = windowFloor(cache, inAccounts, accounts, from, now);
      conds.push('seq IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? AND rowid >= ?)');
      params.push(pre.fts, lowest);
    }
    if (pre?.where) {
      conds.push(`(${pre.where})`);
      params.push(...pre.params);
    }
    const sql = `SELECT seq, ts, doc FROM logs WHERE ${conds.join(' AND ')} ORDER BY ts, seq`;
    for (const row of statement(cache, sql).iterate(...params) as Iterable<{
      seq: number;
      ts: number;
      doc: string;
    }>) {
      checkBudget?.();
      const doc = JSON.parse(row.doc) as Record<string, unknown>;
      if (!matchesLucene(node, doc) || !filter(doc)) continue;
      hits++;
      let key = '';
      let values: Record<string, string> | null = null;
      if (groupBy.length > 0) {
        values = {};
        let missing = false;
        for (const f of groupBy) {
          const v = fieldString(doc, f);
          if (v === undefined) {
            missing = true;
            break;
          }
          values[f] = v;
        }
        if (missing) continue;
        key = JSON.stringify(groupBy.map((f) => values![f]));
      }
      let g = groups.get(key);
      if (!g) {
        g = newGroup(values, aggType);
        groups.set(key, g);
      }
      addToGroup(g, row, doc, aggType, aggField);
    }
  }
  return {
    ruleId: job.ruleId,
    hits,
    from,
    groups: [...groups].map(([key, g]) => finishGroup(key, g, aggType)),
  };
}

/**
 * The lowest storage seq among the window's logs (MAX_SAFE_INTEGER when none). Rules evaluated
 * at the same instant with the same time frame share it: logs stored in between only have
 * higher seqs, so the bound stays safe.
 */
function windowFloor(
  cache: ScanCache,
  inAccounts: string,
  accounts: number[],
  from: number,
  now: number,
): number {
  const floors = cache.windowFloors;
  if (floors.now !== now) {
    floors.now = now;
    floors.floors.clear();
  }
  const key = `${accounts.join(',')}|${from}`;
  let floor = floors.floors.get(key);
  if (floor === undefined) {
    const r = statement(
      cache,
      `SELECT min(seq) AS s FROM logs WHERE ${inAccounts} AND ts >= ? AND ts <= ?`,
    ).get(...accounts, from, now) as { s: number | null };
    floor = r.s ?? Number.MAX_SAFE_INTEGER;
    floors.floors.set(key, floor);
  }
  return floor;
}
