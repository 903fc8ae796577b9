import type { LuceneNode } from '../../lucene/index.ts';
import { simplify } from '../../lucene/index.ts';

export const DAY_MS = 86_400_000;

/** The slice of `logs.ts` a search reads: `[from, to)` epoch ms. */
export interface TimeWindow {
  from: number;
  to: number;
  /** The query's @timestamp range spanned more than two calendar days and was cut to the last two. */
  clamped: boolean;
}

const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * Logz.io searches today and yesterday (UTC) by default; `dayOffset` moves that back by whole
 * days. A @timestamp range that must hold for every hit (the query itself, or a conjunct of it)
 * selects the days instead, at most two calendar days: a wider range is cut to its last two days
 * (a 400 would break XSOAR's own test body, whose range spans weeks). The range is applied
 * exactly on `logs.ts` (which IS the log's @timestamp) and removed from the residual predicate.
 */
export function timeWindow(
  node: LuceneNode,
  now: number,
  dayOffset: number,
): { window: TimeWindow; rest: LuceneNode } {
  const conjuncts = node.kind === 'and' ? node.nodes : [node];
  let lo = -Infinity;
  let hi = Infinity;
  let found = false;
  const rest: LuceneNode[] = [];
  for (const c of conjuncts) {
    if (c.kind === 'range' && c.field === '@timestamp' && (c.min?.time ?? true) && (c.max?.time ?? true)) {
      found = true;
      if (c.min) lo = Math.max(lo, Math.ceil((c.min.value as number) + (c.min.inclusive ? 0 : 0.5)));
      if (c.max) hi = Math.min(hi, Math.floor((c.max.value as number) - (c.max.inclusive ? 0 : 0.5)) + 1);
    } else rest.push(c);
  }
  const defaultTo = dayStart(now) - dayOffset * DAY_MS + DAY_MS;
  const residual = simplify({ kind: 'and', nodes: rest });
  if (!found)
    return { window: { from: defaultTo - 2 * DAY_MS, to: defaultTo, clamped: false }, rest: residual };
  const to = Number.isFinite(hi) ? hi : defaultTo;
  const firstDay = dayStart(to - 1) - DAY_MS;
  let from = Number.isFinite(lo) ? lo : firstDay;
  let clamped = false;
  if (from < firstDay) {
    from = firstDay;
    clamped = true;
  }
  return { window: { from, to: Math.max(from, to), clamped }, rest: residual };
}
