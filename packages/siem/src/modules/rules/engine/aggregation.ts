import { fieldNumbers, fieldString } from '../fields.ts';

/** Most `logs.seq` linked to one event: enough to investigate, bounded for huge groups. */
export const MAX_LOGS_PER_EVENT = 1000;

/** One group-by bucket while the window is read. */
export interface GroupAccumulator {
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

/** A finished bucket: what the decision step needs, plain data (it crosses worker threads). */
export interface GroupResult {
  /** The group's key (JSON of its group-by values; '' without group-by). */
  key: string;
  values: Record<string, string> | null;
  count: number;
  first: number;
  last: number;
  seqs: number[];
  /** The aggregated value; undefined when there is nothing to aggregate (MIN of no numbers). */
  value: number | undefined;
}

export function newGroup(values: Record<string, string> | null, aggType: string): GroupAccumulator {
  return {
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
  };
}

/** Adds one matching log to its bucket. */
export function addToGroup(
  g: GroupAccumulator,
  row: { seq: number; ts: number },
  doc: Record<string, unknown>,
  aggType: string,
  aggField: string | undefined,
): void {
  g.count++;
  if (row.ts < g.first) g.first = row.ts;
  if (row.ts > g.last) g.last = row.ts;
  if (g.seqs.length < MAX_LOGS_PER_EVENT) g.seqs.push(row.seq);
  if (!aggField || aggType === 'COUNT' || aggType === 'NONE') return;
  if (g.unique) {
    const v = fieldString(doc, aggField);
    if (v !== undefined) g.unique.add(v);
    return;
  }
  for (const x of fieldNumbers(doc, aggField)) {
    g.sum += x;
    g.n++;
    if (x < g.min) g.min = x;
    if (x > g.max) g.max = x;
  }
}

export function aggregate(type: string, g: GroupAccumulator): number | undefined {
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

export function finishGroup(key: string, g: GroupAccumulator, aggType: string): GroupResult {
  return {
    key,
    values: g.values,
    count: g.count,
    first: g.first,
    last: g.last,
    seqs: g.seqs,
    value: aggregate(aggType, g),
  };
}
