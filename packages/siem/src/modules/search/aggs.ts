import { SEARCH_MAX_AGG_SIZE } from '@siemlink/contracts';
import { fieldValues } from '../../lucene/text.ts';
import { docInstant } from '../../lucene/time.ts';
import { forbiddenQuery, invalidQuery } from './dsl/errors.ts';

/**
 * Aggregations, one bucket level deep: `terms` and `date_histogram` buckets (each may hold
 * metric sub-aggregations), and the metrics `cardinality`, `value_count`, `min`, `max`, `avg`,
 * `sum`, `stats`. What Logz.io forbids (significant_terms, multi_terms, a bucket agg inside a
 * bucket agg, any aggregation on `message`) and what we do not implement are 400s naming it.
 */
export interface Aggregator {
  add(doc: Record<string, unknown>, ts: number): void;
  /** `n` logs whose `ts` are in [min, max], all in the bucket of `key` (from SQL's GROUP BY). */
  addGroup?(group: SqlAggGroup): void;
  result(): unknown;
}

/**
 * How SQL computes an aggregation exactly from `logs.ts` alone (no document parsed): a
 * `date_histogram` on @timestamp with a fixed interval and no sub-aggregation (GROUP BY the
 * bucket), or `value_count`/`min`/`max` of @timestamp. Sums stay in JS: a float sum of many
 * epoch-ms values depends on the order of addition.
 */
export type SqlAggSpec = { kind: 'histogram'; intervalMs: number } | { kind: 'metric' };

export interface SqlAggGroup {
  key: number;
  n: number;
  min: number;
  max: number;
}

type Obj = Record<string, unknown>;
type Factory = (() => Aggregator) & { sql?: SqlAggSpec };

/** The SQL plan of every aggregation, by name, or null when one of them needs the documents. */
export function sqlAggPlan(factories: Map<string, Factory>): Map<string, SqlAggSpec> | null {
  const plan = new Map<string, SqlAggSpec>();
  for (const [name, f] of factories) {
    if (!f.sql) return null;
    plan.set(name, f.sql);
  }
  return plan;
}

const BUCKET_TYPES = new Set(['terms', 'date_histogram']);
const METRIC_TYPES = new Set(['cardinality', 'value_count', 'min', 'max', 'avg', 'sum', 'stats']);
const FORBIDDEN_TYPES = new Set(['significant_terms', 'multi_terms', 'significant_text']);
const MAX_BUCKETS = 10_000;
const INTERVALS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const NAMED: Record<string, string> = {
  second: '1s',
  minute: '1m',
  hour: '1h',
  day: '1d',
  week: '1w',
  '1M': '1M',
  month: '1M',
  quarter: '3M',
  year: '1y',
  '1y': '1y',
  '1q': '3M',
};

/** Parses `aggs` into factories; each search instantiates fresh aggregators. */
export function parseAggs(v: unknown, path: string): Map<string, Factory> {
  return parseLevel(v, path, false);
}

export interface RunningAggs {
  add(doc: Obj, ts: number): void;
  /** SQL groups for the aggregation `name` (one whose factory has a `sql` plan). */
  addGroups(name: string, groups: Iterable<SqlAggGroup>): void;
  result(): Obj;
}

export function runAggs(factories: Map<string, Factory>): RunningAggs {
  const aggs = [...factories].map(([name, f]) => [name, f()] as const);
  return {
    add: (doc, ts) => aggs.forEach(([, a]) => a.add(doc, ts)),
    addGroups(name, groups) {
      const a = aggs.find(([n]) => n === name)?.[1];
      if (!a?.addGroup) throw new Error(`aggregation ${name} has no SQL plan`);
      for (const g of groups) a.addGroup(g);
    },
    result: () => Object.fromEntries(aggs.map(([name, a]) => [name, a.result()])),
  };
}

function parseLevel(v: unknown, path: string, insideBucket: boolean): Map<string, Factory> {
  const o = asObject(v, path);
  const out = new Map<string, Factory>();
  for (const [name, def] of Object.entries(o)) {
    const at = `${path}.${name}`;
    const d = asObject(def, at);
    const subKey = 'aggs' in d ? 'aggs' : 'aggregations' in d ? 'aggregations' : null;
    const types = Object.keys(d).filter((k) => k !== 'aggs' && k !== 'aggregations' && k !== 'meta');
    if (types.length !== 1) throw invalidQuery(at, 'an aggregation has exactly one type');
    const type = types[0]!;
    const body = asObject(d[type], `${at}.${type}`);
    if (FORBIDDEN_TYPES.has(type))
      throw forbiddenQuery(`${at}.${type}`, `aggregation type [${type}] is not allowed`);
    if (!BUCKET_TYPES.has(type) && !METRIC_TYPES.has(type)) {
      throw invalidQuery(
        `${at}.${type}`,
        `aggregations not supported: [${type}] (supported: terms, date_histogram, cardinality, value_count, min, max, avg, sum, stats)`,
        'AGGREGATION_NOT_SUPPORTED',
      );
    }
    if (body.script !== undefined)
      throw invalidQuery(`${at}.${type}.script`, 'scripts are not supported', 'AGGREGATION_NOT_SUPPORTED');
    const field = body.field;
    if (typeof field !== 'string' || field === '') throw invalidQuery(`${at}.${type}.field`, 'is required');
    if (field === 'message')
      throw forbiddenQuery(
        `${at}.${type}.field`,
        'aggregation on the analysed field [message] is not allowed',
      );
    if (BUCKET_TYPES.has(type) && insideBucket) {
      throw forbiddenQuery(
        `${at}.${type}`,
        'bucket aggregations cannot be nested inside another bucket aggregation',
      );
    }
    if (subKey && !BUCKET_TYPES.has(type))
      throw invalidQuery(`${at}.${subKey}`, `metric aggregation [${type}] cannot have sub-aggregations`);
    const sub = subKey ? parseLevel(d[subKey], `${at}.${subKey}`, true) : new Map<string, Factory>();
    out.set(name, factory(type, field, body, sub, `${at}.${type}`));
  }
  return out;
}

function factory(type: string, field: string, body: Obj, sub: Map<string, Factory>, at: string): Factory {
  switch (type) {
    case 'terms':
      return termsAgg(field, body, sub, at);
    case 'date_histogram':
      return dateHistogram(field, body, sub, at);
    default: {
      const f: Factory = () => metric(type, field);
      if (field === '@timestamp' && (type === 'value_count' || type === 'min' || type === 'max'))
        f.sql = { kind: 'metric' };
      return f;
    }
  }
}

function termsAgg(field: string, body: Obj, sub: Map<string, Factory>, at: string): Factory {
  const size = intOption(body.size, 10, `${at}.size`);
  if (size < 1 || size > SEARCH_MAX_AGG_SIZE)
    throw invalidQuery(`${at}.size`, `must be between 1 and ${SEARCH_MAX_AGG_SIZE}`);
  const minDocCount = intOption(body.min_doc_count, 1, `${at}.min_doc_count`);
  const order = parseOrder(body.order, `${at}.order`);
  const missing = body.missing;
  return () => {
    const buckets = new Map<string, { key: unknown; count: number; sub: ReturnType<typeof runAggs> }>();
    return {
      add(doc, ts) {
        let values = fieldValues(doc, field).filter((v) => typeof v !== 'object');
        if (values.length === 0 && missing !== undefined) values = [missing];
        for (const v of new Set(values)) {
          const k = `${typeof v}:${String(v)}`;
          let b = buckets.get(k);
          if (!b) buckets.set(k, (b = { key: v, count: 0, sub: runAggs(sub) }));
          b.count++;
          b.sub.add(doc, ts);
        }
      },
      result() {
        const all = [...buckets.values()].filter((b) => b.count >= minDocCount);
        all.sort((a, b) => {
          const byKey = String(a.key) < String(b.key) ? -1 : String(a.key) > String(b.key) ? 1 : 0;
          if (order.by === '_key') return order.dir === 'asc' ? byKey : -byKey;
          const c = order.dir === 'asc' ? a.count - b.count : b.count - a.count;
          return c !== 0 ? c : byKey;
        });
        const top = all.slice(0, size);
        const other = all.slice(size).reduce((s, b) => s + b.count, 0);
        return {
          doc_count_error_upper_bound: 0,
          sum_other_doc_count: other,
          buckets: top.map((b) => ({ key: b.key, doc_count: b.count, ...b.sub.result() })),
        };
      },
    };
  };
}

function parseOrder(v: unknown, at: string): { by: '_count' | '_key'; dir: 'asc' | 'desc' } {
  if (v === undefined) return { by: '_count', dir: 'desc' };
  const o = asObject(v, at);
  const keys = Object.keys(o);
  const by = keys[0] === '_term' ? '_key' : keys[0];
  const dir = String(o[keys[0]!]).toLowerCase();
  if (keys.length !== 1 || (by !== '_count' && by !== '_key') || (dir !== 'asc' && dir !== 'desc')) {
    throw invalidQuery(at, 'supported orders: {"_count": "asc"|"desc"} or {"_key": "asc"|"desc"}');
  }
  return { by, dir };
}

function dateHistogram(field: string, body: Obj, sub: Map<string, Factory>, at: string): Factory {
  const raw = body.fixed_interval ?? body.calendar_interval ?? body.interval;
  if (typeof raw !== 'string' && typeof raw !== 'number')
    throw invalidQuery(`${at}.fixed_interval`, 'is required (e.g. "5m", "1h", "1d")');
  const spec = typeof raw === 'number' ? `${raw}ms` : (NAMED[raw] ?? raw);
  const m = /^(\d+)(ms|s|m|h|d|w|M|y)$/.exec(spec);
  if (!m || Number(m[1]) <= 0)
    throw invalidQuery(
      `${at}.interval`,
      `'${String(raw)}' is not an interval (e.g. 30s, 5m, 1h, 1d, 1w, 1M)`,
    );
  const n = Number(m[1]);
  const unit = m[2]!;
  const minDocCount = intOption(body.min_doc_count, 0, `${at}.min_doc_count`);
  const floor = (t: number): number => {
    if (unit === 'M' || unit === 'y') {
      const d = new Date(t);
      const months = d.getUTCFullYear() * 12 + d.getUTCMonth();
      const step = unit === 'y' ? n * 12 : n;
      const start = Math.floor(months / step) * step;
      return Date.UTC(Math.floor(start / 12), start % 12, 1);
    }
    const ms = n * INTERVALS[unit]!;
    return Math.floor(t / ms) * ms;
  };
  const next = (t: number): number => {
    if (unit === 'M' || unit === 'y') {
      const d = new Date(t);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + (unit === 'y' ? n * 12 : n), 1);
    }
    return t + n * INTERVALS[unit]!;
  };
  const f: Factory = () => {
    const buckets = new Map<number, { count: number; sub: ReturnType<typeof runAggs> }>();
    const bucket = (t: number) => {
      const k = floor(t);
      let b = buckets.get(k);
      if (!b) {
        if (buckets.size >= MAX_BUCKETS)
          throw invalidQuery(
            at,
            `more than ${MAX_BUCKETS} buckets: use a larger interval`,
            'TOO_MANY_BUCKETS',
          );
        buckets.set(k, (b = { count: 0, sub: runAggs(sub) }));
      }
      return b;
    };
    return {
      add(doc, ts) {
        const values = field === '@timestamp' ? [ts] : fieldValues(doc, field).map(docInstant);
        for (const t of new Set(values)) {
          if (t === undefined) continue;
          const b = bucket(t);
          b.count++;
          b.sub.add(doc, ts);
        }
      },
      addGroup(g) {
        bucket(g.key).count += g.n;
      },
      result() {
        const keys = [...buckets.keys()].sort((a, b) => a - b);
        const out: unknown[] = [];
        if (keys.length > 0) {
          // ES fills empty buckets between the first and last when min_doc_count is 0.
          for (let k = keys[0]!; k <= keys[keys.length - 1]!; k = next(k)) {
            const b = buckets.get(k);
            if ((b?.count ?? 0) < minDocCount) continue;
            if (out.length >= MAX_BUCKETS)
              throw invalidQuery(
                at,
                `more than ${MAX_BUCKETS} buckets: use a larger interval`,
                'TOO_MANY_BUCKETS',
              );
            out.push({
              key_as_string: new Date(k).toISOString(),
              key: k,
              doc_count: b?.count ?? 0,
              ...(b ? b.sub.result() : emptySub(sub)),
            });
          }
        }
        return { buckets: out };
      },
    };
  };
  if (field === '@timestamp' && sub.size === 0 && unit !== 'M' && unit !== 'y')
    f.sql = { kind: 'histogram', intervalMs: n * INTERVALS[unit]! };
  return f;
}

function emptySub(sub: Map<string, Factory>): Obj {
  return runAggs(sub).result();
}

function metric(type: string, field: string): Aggregator {
  const distinct = new Set<string>();
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let numeric = 0;
  const isTime = field === '@timestamp';
  return {
    add(doc, ts) {
      const values = isTime ? [ts] : fieldValues(doc, field).filter((v) => typeof v !== 'object');
      for (const v of values) {
        count++;
        if (type === 'cardinality') distinct.add(`${typeof v}:${String(v)}`);
        const n =
          typeof v === 'number'
            ? v
            : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
              ? Number(v)
              : undefined;
        if (n === undefined) continue;
        numeric++;
        sum += n;
        if (n < min) min = n;
        if (n > max) max = n;
      }
    },
    addGroup(g) {
      count += g.n;
      numeric += g.n;
      if (g.min < min) min = g.min;
      if (g.max > max) max = g.max;
    },
    result() {
      const asTime = (v: number | null) =>
        isTime && v !== null ? { value_as_string: new Date(v).toISOString() } : {};
      switch (type) {
        case 'cardinality':
          return { value: distinct.size };
        case 'value_count':
          return { value: count };
        case 'sum':
          return { value: sum };
        case 'avg':
          return { value: numeric ? sum / numeric : null };
        case 'min': {
          const v = numeric ? min : null;
          return { value: v, ...asTime(v) };
        }
        case 'max': {
          const v = numeric ? max : null;
          return { value: v, ...asTime(v) };
        }
        default:
          return {
            count: numeric,
            min: numeric ? min : null,
            max: numeric ? max : null,
            avg: numeric ? sum / numeric : null,
            sum,
          };
      }
    },
  };
}

function intOption(v: unknown, dflt: number, at: string): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidQuery(at, 'must be an integer');
  return n;
}

function asObject(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidQuery(path, 'must be an object');
  return v as Obj;
}
