import { randomUUID } from 'node:crypto';
import type { StatementSync } from 'node:sqlite';
import { SEVERITIES, severityRank, type Severity, type TriggerOperator } from '@siemlink/contracts';
import type { SiemContext } from '../context.ts';
import { luceneToSqlParts, matchesLucene, parseLucene } from '../lucene/index.ts';
import type { NewSecurityEvent } from '../modules/events/repository.ts';
import type { StoredRule } from '../modules/rules/repository.ts';
import { engineState } from './state.ts';
import { fieldNumbers, fieldString } from './fields.ts';
import { compileFilters } from './filters.ts';
import { alertSummary } from './summary.ts';

/** Most `logs.seq` linked to one event: enough to investigate, bounded for huge groups. */
export const MAX_LOGS_PER_EVENT = 1000;

export interface EvaluationResult {
  ruleId: number;
  /** Matching logs in the window (before group-by). */
  hits: number;
  groups: number;
  /** Events triggered, burst extras included. */
  events: NewSecurityEvent[];
  /** Of those, held back by the late-indexing fault. */
  pending: number;
  /** Groups that passed a tier but were suppressed. */
  suppressed: number;
}

interface Group {
  values: Record<string, string> | null;
  count: number;
  first: number;
  last: number;
  seqs: number[];
  sum: number;
  n: number;
  min: number;
  max: number;
  unique: Set<string> | null;
}

export function compare(value: number, op: TriggerOperator, threshold: number): boolean {
  switch (op) {
    case 'GREATER_THAN':
      return value > threshold;
    case 'GREATER_THAN_OR_EQUALS':
      return value >= threshold;
    case 'LESS_THAN':
      return value < threshold;
    case 'LESS_THAN_OR_EQUALS':
      return value <= threshold;
    case 'EQUALS':
      return value === threshold;
    case 'NOT_EQUALS':
      return value !== threshold;
  }
}

/** The highest severity whose tier the value passes, with its threshold; null when none. */
export function highestTier(
  value: number,
  op: TriggerOperator,
  tiers: Record<string, number>,
): { severity: Severity; threshold: number } | null {
  let best: { severity: Severity; threshold: number } | null = null;
  for (const [key, threshold] of Object.entries(tiers)) {
    if (!(SEVERITIES as readonly string[]).includes(key)) continue;
    const severity = key as Severity;
    if (!compare(value, op, threshold)) continue;
    if (!best || severityRank(severity) > severityRank(best.severity)) best = { severity, threshold };
  }
  return best;
}

/** The logs accounts a rule reads: its SIEM account's scanned accounts, or the listed subset. */
export function scannedAccounts(ctx: SiemContext, rule: StoredRule): number[] {
  const siem = ctx.accounts.get(rule.accountId);
  if (!siem) return [];
  const q = rule.definition.subComponents[0]!.queryDefinition;
  if (q.shouldQueryOnAllAccounts === false && q.accountIdsToQueryOn?.length) {
    return q.accountIdsToQueryOn.filter((id) => siem.accountsToScan.includes(id));
  }
  return siem.accountsToScan;
}

function statement(ctx: SiemContext, sql: string): StatementSync {
  const cache = engineState(ctx).statements;
  let s = cache.get(sql);
  if (!s) {
    if (cache.size > 500) cache.clear();
    s = ctx.store.db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

/**
 * Evaluates one rule over [now - searchTimeFrameMinutes, now] of its scanned logs and stores
 * what it triggers, in one transaction: each group whose aggregated value passes a tier gives
 * one event (severity = highest tier passed), unless the (rule, group) is suppressed. Logs that
 * lack a group-by field are left out of the grouping (as an Elasticsearch terms aggregation
 * does). Without group-by there is one group, present even when empty, so LESS_THAN rules can
 * fire on silence. Every event of one evaluation has eventDate = `now`.
 */
export function evaluateRule(
  ctx: SiemContext,
  rule: StoredRule,
  now: number,
  /** storedAt: storage time of the events (default: the commit time; replays of past minutes set it). */
  opts: { storedAt?: number; checkBudget?: () => void } = {},
): EvaluationResult {
  const d = rule.definition;
  const sub = d.subComponents[0]!;
  const q = sub.queryDefinition;
  const groupBy = q.groupBy ?? [];
  const aggType = q.aggregation?.aggregationType ?? 'COUNT';
  const aggField = q.aggregation?.fieldToAggregateOn;
  const node = parseLucene(q.query || '*', { now });
  const filter = compileFilters(q.filters);
  const accounts = scannedAccounts(ctx, rule);
  const from = now - (d.searchTimeFrameMinutes ?? 5) * 60_000;

  const groups = new Map<string, Group>();
  const newGroup = (values: Record<string, string> | null): Group => ({
    values,
    count: 0,
    first: Infinity,
    last: -Infinity,
    seqs: [],
    sum: 0,
    n: 0,
    min: Infinity,
    max: -Infinity,
    unique: aggType === 'UNIQUE_COUNT' ? new Set() : null,
  });
  if (groupBy.length === 0) groups.set('', newGroup(null));

  let hits = 0;
  if (accounts.length > 0) {
    const inAccounts = `account_id IN (${accounts.map(() => '?').join(', ')})`;
    const pre = luceneToSqlParts(node);
    const conds = [inAccounts, 'ts >= ?', 'ts <= ?'];
    const params: (string | number)[] = [...accounts, from, now];
    if (pre?.fts) {
      // Bound the free-text index lookup to the window's storage range, so its cost follows the
      // window, not the whole table (seq grows with storage; the window's rows are found first).
      const lowest = windowFloor(ctx, inAccounts, accounts, from, now);
      conds.push('seq IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? AND rowid >= ?)');
      params.push(pre.fts, lowest);
    }
    if (pre?.where) {
      conds.push(`(${pre.where})`);
      params.push(...pre.params);
    }
    const sql = `SELECT seq, ts, doc FROM logs WHERE ${conds.join(' AND ')} ORDER BY ts, seq`;
    for (const row of statement(ctx, sql).iterate(...params) as Iterable<{
      seq: number;
      ts: number;
      doc: string;
    }>) {
      opts.checkBudget?.(); // throws RuleBudgetExceeded: the caller's transaction rolls back
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
        g = newGroup(values);
        groups.set(key, g);
      }
      g.count++;
      if (row.ts < g.first) g.first = row.ts;
      if (row.ts > g.last) g.last = row.ts;
      if (g.seqs.length < MAX_LOGS_PER_EVENT) g.seqs.push(row.seq);
      if (aggField && aggType !== 'COUNT' && aggType !== 'NONE') {
        if (g.unique) {
          const v = fieldString(doc, aggField);
          if (v !== undefined) g.unique.add(v);
        } else {
          for (const x of fieldNumbers(doc, aggField)) {
            g.sum += x;
            g.n++;
            if (x < g.min) g.min = x;
            if (x > g.max) g.max = x;
          }
        }
      }
    }
  }

  const state = engineState(ctx);
  const suppressMs = (d.output?.suppressNotificationsMinutes ?? 0) * 60_000;
  const suppressedUntil = new Map<string, number>();
  if (suppressMs > 0) {
    for (const r of state.stmt.activeSuppressions.all(rule.id, now) as {
      group_key: string;
      until: number;
    }[]) {
      suppressedUntil.set(r.group_key, r.until);
    }
  }

  const events: NewSecurityEvent[] = [];
  const newSuppressions: string[] = [];
  let suppressed = 0;
  for (const [key, g] of groups) {
    const value = aggregate(aggType, g);
    if (value === undefined) continue;
    const tier = highestTier(value, sub.trigger.operator, sub.trigger.severityThresholdTiers);
    if (!tier) continue;
    if (suppressedUntil.has(key)) {
      suppressed++;
      continue;
    }
    if (suppressMs > 0) newSuppressions.push(key);
    events.push({
      alertEventId: randomUUID(),
      accountId: rule.accountId,
      configId: rule.configId,
      ruleId: rule.id,
      name: d.title,
      description: d.description ?? '',
      alertSummary: alertSummary(d, sub.trigger.operator, tier.threshold),
      eventDate: now,
      windowStart: g.count > 0 ? g.first : from,
      windowEnd: g.count > 0 ? g.last : now,
      severity: tier.severity,
      groupBy: g.values,
      tags: d.tags ?? [],
      mitreTags: d.mitreTags ?? [],
      hits: g.count, // this group's logs, exactly those linked (up to MAX_LOGS_PER_EVENT)
      isMuted: false,
      logSeqs: g.seqs,
    });
  }

  const faults = ctx.faults.get(rule.accountId);
  if (events.length > 0 && faults.burstSize > 0) {
    const base = events[0]!;
    for (let i = 1; i <= faults.burstSize; i++) {
      const groupBy: Record<string, string> =
        base.groupBy === null
          ? { burst: String(i) }
          : Object.fromEntries(Object.entries(base.groupBy).map(([k, v]) => [k, `${v}#burst-${i}`]));
      events.push({ ...base, alertEventId: randomUUID(), groupBy });
    }
  }

  const immediate: NewSecurityEvent[] = [];
  const late: NewSecurityEvent[] = [];
  for (const e of events) {
    const isLate =
      faults.lateIndexMs > 0 && faults.lateIndexShare > 0 && ctx.faults.random() < faults.lateIndexShare;
    (isLate ? late : immediate).push(e);
  }

  ctx.store.tx(() => {
    if (suppressMs > 0) {
      state.stmt.expireSuppressions.run(rule.id, now);
      for (const key of newSuppressions) state.stmt.upsertSuppression.run(rule.id, key, now + suppressMs);
    }
    // Storage time is the commit time: for a live evaluation that is `now`. A replay of past
    // minutes (demo history) passes when a live engine would have stored them; the writer never
    // lets storage time go back along the storage sequence, so the feed's order holds.
    const storedAt = opts.storedAt ?? Math.max(now, ctx.clock.now());
    if (immediate.length > 0) state.writer.insert(immediate, storedAt);
    for (const e of late) state.stmt.insertPending.run(e.eventDate + faults.lateIndexMs, JSON.stringify(e));
  });

  return { ruleId: rule.id, hits, groups: groups.size, events, pending: late.length, suppressed };
}

/**
 * The lowest storage seq among the window's logs (MAX_SAFE_INTEGER when none). Rules evaluated
 * at the same instant with the same time frame share it: logs stored in between only have
 * higher seqs, so the bound stays safe.
 */
function windowFloor(
  ctx: SiemContext,
  inAccounts: string,
  accounts: number[],
  from: number,
  now: number,
): number {
  const cache = engineState(ctx).windowFloors;
  if (cache.now !== now) {
    cache.now = now;
    cache.floors.clear();
  }
  const key = `${accounts.join(',')}|${from}`;
  let floor = cache.floors.get(key);
  if (floor === undefined) {
    const r = statement(
      ctx,
      `SELECT min(seq) AS s FROM logs WHERE ${inAccounts} AND ts >= ? AND ts <= ?`,
    ).get(...accounts, from, now) as { s: number | null };
    floor = r.s ?? Number.MAX_SAFE_INTEGER;
    cache.floors.set(key, floor);
  }
  return floor;
}

function aggregate(type: string, g: Group): number | undefined {
  switch (type) {
    case 'UNIQUE_COUNT':
      return g.unique?.size ?? 0;
    case 'SUM':
      return g.sum;
    case 'MIN':
      return g.n > 0 ? g.min : undefined;
    case 'MAX':
      return g.n > 0 ? g.max : undefined;
    case 'AVG':
      return g.n > 0 ? g.sum / g.n : undefined;
    default:
      return g.count;
  }
}
