import { luceneToSqlParts, matchesLucene, parseLucene } from '../../../lucene/index.ts';
import type { RuleDefinition } from '../repository.ts';
import type { WindowRepository } from './window-repository.ts';
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
 * Reads [now - searchTimeFrameMinutes, now] of the scanned logs, keeps those that match the
 * query and filters, and groups and aggregates them. Read-only. Logs that lack a group-by
 * field are left out of the grouping (as an Elasticsearch terms aggregation does). Without
 * group-by there is one group, present even when empty, so LESS_THAN rules can fire on
 * silence. `checkBudget` is called once per row and throws to stop a scan that ran too long.
 */
export function scanWindow(windows: WindowRepository, job: ScanJob, checkBudget?: () => void): ScanResult {
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
    const rows = windows.rows({ accounts, from, now, prefilter: luceneToSqlParts(node) });
    for (const row of rows) {
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
