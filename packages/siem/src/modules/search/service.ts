import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { SearchHit, SearchResponse } from '@siemlink/contracts';
import type { Clock } from '../../clock.ts';
import { exactFts, luceneToSqlParts, matchesLucene, simplify, type LuceneNode } from '../../lucene/index.ts';
import { parseAggs, runAggs, sqlAggPlan, type RunningAggs } from './aggs.ts';
import { compileQuery } from './dsl/compile.ts';
import type { LogRow, SearchRepository } from './repository.ts';
import type { SearchInput } from './request.ts';
import { compareSortValues, parseSort, sortValues, timeOrder, type SortKey } from './sort.ts';
import { applySourceFilter, parseSourceFilter, type SourceFilter } from './source.ts';
import { timeWindow, type TimeWindow } from './window.ts';

export interface SearchService {
  search(accountId: number, input: SearchInput, run?: SearchRun): Promise<SearchOutcome>;
  /**
   * The planner's estimate, before any log is read: true when the query's candidates are few
   * (an FTS prefilter with at most FTS_DRIVEN_MAX matches) or none, so the search is cheap
   * enough for the event loop; false for broad ones (worth a worker thread).
   */
  selective(input: SearchInput, now: number): boolean;
}

/** How one search runs: its `now` (date math, default window) and a check between rows. */
export interface SearchRun {
  /** Default: the service clock's now. */
  now?: number;
  /** Called between rows; throws to stop the search (cancelled, over its budget). */
  check?: () => void;
}

/**
 * Candidate logs examined between two turns of the event loop: a broad search over a large
 * window must not keep the listener and other requests waiting until it is done.
 */
export const ROWS_PER_TURN = 500;
/** Rows between two calls of the run's check (cancellation, budget): cheap, but not free. */
const CHECK_EVERY = 100;

export interface SearchOutcome {
  response: SearchResponse;
  window: TimeWindow;
  /** `gte`: `hits.total` is a lower bound (the count stopped at the cap). */
  relation: 'eq' | 'gte';
}

/**
 * Matches counted before `hits.total` becomes a lower bound, when the index cannot count the
 * query exactly and the client did not send `track_total_hits` (Elasticsearch 7's default).
 */
export const DEFAULT_TOTAL_CAP = 10_000;

export interface SearchServiceDeps {
  repository: SearchRepository;
  clock: Clock;
  /** Matches counted before a non-indexed total becomes a lower bound (default DEFAULT_TOTAL_CAP). */
  totalCap?: number;
}

type Doc = Record<string, unknown>;

/**
 * Runs one /v1/search: compile the DSL into our Lucene AST, take the @timestamp range out as the
 * time window, read candidates with the SQL prefilter, apply the exact predicate, then
 * aggregate, post-filter, sort and page. Every log read is the caller account's own.
 */
export function createSearchService(deps: SearchServiceDeps): SearchService {
  const { repository, clock } = deps;
  const totalCap = deps.totalCap ?? DEFAULT_TOTAL_CAP;
  return {
    selective(input, now) {
      const { window, rest } = timeWindow(compileQuery(input.query, 'query', { now }), now, input.dayOffset);
      if (rest.kind === 'none' || window.from >= window.to) return true;
      return repository.fewCandidates(luceneToSqlParts(rest));
    },
    async search(accountId, input, run = {}) {
      const started = clock.now();
      const now = run.now ?? started;
      const check = run.check ?? (() => {});
      const query = compileQuery(input.query, 'query', { now });
      const post: LuceneNode = input.postFilter
        ? compileQuery(input.postFilter, 'post_filter', { now })
        : { kind: 'all' };
      const aggFactories = input.aggs ? parseAggs(input.aggs, input.aggsKey) : undefined;
      const sort = parseSort(input.sort);
      const source = parseSourceFilter(input.source);
      const { window, rest } = timeWindow(query, now, input.dayOffset);
      const order = timeOrder(sort);
      const hitOf = (row: LogRow, doc: Doc) => hit(accountId, row, doc, source, sort, input.version);

      let total = 0;
      let relation: 'eq' | 'gte' = 'eq';
      let hits: SearchHit[] = [];
      let aggregations: Doc | undefined;
      const track = input.trackTotalHits;

      if (rest.kind === 'all' && post.kind === 'all' && !aggFactories && order) {
        // Nothing to evaluate per log: count and page in SQL.
        check();
        total = track === false ? 0 : repository.count(accountId, window.from, window.to);
        hits = repository
          .page(accountId, window.from, window.to, order, input.size, input.from)
          .map((r) => hitOf(r, JSON.parse(r.doc) as Doc));
      } else if (rest.kind !== 'none' && window.from < window.to) {
        const aggs = aggFactories ? runAggs(aggFactories) : undefined;
        // Aggregations over `ts` alone, for a query the index answers exactly, come from SQL.
        const inSql =
          aggFactories &&
          (await aggregateInSql(repository, accountId, window, rest, aggFactories, aggs!, check));
        const aggsPerLog = aggs !== undefined && !inSql;
        const ranked: { seq: number; values: unknown[] }[] = [];
        const end = input.from + input.size;
        const needsDoc = rest.kind !== 'all' || post.kind !== 'all' || aggsPerLog || order === null;
        // Every match must be seen for aggregations and for a sort other than time; otherwise
        // the scan stops at the page's end once the total is known from the index, or at the
        // cap (a lower bound, relation "gte").
        const seesAll = aggsPerLog || order === null;
        const indexed =
          seesAll || track === false
            ? null
            : await indexedTotal(repository, accountId, window, rest, post, check);
        const cap = seesAll || track === true ? Infinity : track === false ? 0 : (track ?? totalCap);
        const done = (n: number) => !seesAll && n >= end && (indexed !== null || track === false || n > cap);
        let matched = 0;
        let examined = 0;
        for (const row of repository.candidates({
          accountId,
          from: window.from,
          to: window.to,
          prefilter: luceneToSqlParts(rest),
          order: order ?? 'desc',
        })) {
          if (done(matched)) break;
          if (++examined % CHECK_EVERY === 0) check();
          if (examined % ROWS_PER_TURN === 0) await yieldToEventLoop();
          const doc = needsDoc ? (JSON.parse(row.doc) as Doc) : undefined;
          if (doc && !matchesLucene(rest, doc)) continue;
          if (aggsPerLog) aggs.add(doc!, row.ts);
          if (post.kind !== 'all' && !matchesLucene(post, doc!)) continue;
          if (order) {
            if (matched >= input.from && matched < end)
              hits.push(hitOf(row, doc ?? (JSON.parse(row.doc) as Doc)));
          } else ranked.push({ seq: row.seq, values: sortValues(sort, doc!, row.ts, row.seq) });
          matched++;
          if (done(matched)) break;
        }
        if (indexed !== null) total = indexed;
        else if (matched > cap) [total, relation] = [cap, 'gte'];
        else total = matched;
        if (!order) hits = pageBySort(repository, accountId, ranked, sort, input.from, end, hitOf);
        aggregations = aggs?.result();
      } else if (aggFactories) {
        aggregations = runAggs(aggFactories).result();
      }
      if (aggFactories && !aggregations) aggregations = runAggs(aggFactories).result();

      const scored = sort.length === 0;
      for (const h of hits) h._score = scored ? 1 : null;
      const response: SearchResponse = {
        took: Math.max(0, clock.now() - started),
        timed_out: false,
        _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
        hits: {
          total: totalOnWire(total, relation, track),
          max_score: scored && hits.length > 0 ? 1 : null,
          hits,
        },
      };
      if (aggregations) response.aggregations = aggregations;
      return { response, window, relation };
    },
  };
}

function pageBySort(
  repository: SearchRepository,
  accountId: number,
  ranked: { seq: number; values: unknown[] }[],
  sort: SortKey[],
  from: number,
  end: number,
  hitOf: (row: LogRow, doc: Doc) => SearchHit,
): SearchHit[] {
  // Ties keep newest-first (candidates came in ts DESC order and Array#sort is stable).
  ranked.sort((a, b) => compareSortValues(sort, a.values, b.values));
  const page = ranked.slice(from, end);
  const rows = repository.bySeq(
    accountId,
    page.map((p) => p.seq),
  );
  return page.flatMap((p) => {
    const row = rows.get(p.seq);
    return row ? [hitOf(row, JSON.parse(row.doc) as Doc)] : [];
  });
}

function hit(
  accountId: number,
  row: LogRow,
  doc: Doc,
  source: SourceFilter,
  sort: SortKey[],
  version: boolean,
): SearchHit {
  const day = new Date(row.ts).toISOString().slice(0, 10).replaceAll('-', '.');
  const h: SearchHit = {
    _index: `logz-${accountId}-${day}`,
    _type: typeof doc.type === 'string' ? doc.type : 'doc',
    _id: String(row.seq),
    _score: null,
  };
  if (version) h._version = 1;
  const filtered = applySourceFilter(doc, source);
  if (filtered) h._source = filtered;
  if (sort.length > 0) h.sort = sortValues(sort, doc, row.ts, row.seq);
  return h;
}

/**
 * The exact total from the index, without parsing a log, when the query (with `post_filter`)
 * is match-all or an FTS expression known to be exact; null otherwise. Non-ASCII logs among
 * the FTS matches are checked with the predicate (see `exactFts`).
 */
async function indexedTotal(
  repository: SearchRepository,
  accountId: number,
  window: TimeWindow,
  rest: LuceneNode,
  post: LuceneNode,
  check: () => void,
): Promise<number | null> {
  const node = simplify({ kind: 'and', nodes: [rest, post] });
  if (node.kind === 'all') return repository.count(accountId, window.from, window.to);
  if (node.kind === 'none') return 0;
  const fts = exactFts(node);
  if (fts === null) return null;
  const { ascii, others } = repository.countFts({ accountId, from: window.from, to: window.to, fts });
  let n = ascii;
  let examined = 0;
  for (const row of others) {
    if (++examined % CHECK_EVERY === 0) check();
    if (examined % ROWS_PER_TURN === 0) await yieldToEventLoop();
    if (matchesLucene(node, JSON.parse(row.doc) as Doc)) n++;
  }
  return n;
}

/**
 * Fills `aggs` from SQL when every aggregation has a SQL plan (`sqlAggPlan`) and the query is
 * match-all or an exact FTS expression: groups of plain-ASCII matches from SQL, non-ASCII FTS
 * matches checked with the predicate and added one by one. False (nothing added) otherwise.
 */
async function aggregateInSql(
  repository: SearchRepository,
  accountId: number,
  window: TimeWindow,
  rest: LuceneNode,
  factories: Parameters<typeof sqlAggPlan>[0],
  aggs: RunningAggs,
  check: () => void,
): Promise<boolean> {
  const plan = sqlAggPlan(factories);
  const fts = rest.kind === 'all' ? null : exactFts(rest);
  if (plan === null || (rest.kind !== 'all' && fts === null)) return false;
  const { from, to } = window;
  for (const [name, spec] of plan) {
    const intervalMs = spec.kind === 'histogram' ? spec.intervalMs : null;
    aggs.addGroups(name, repository.groupByTime({ accountId, from, to, fts, intervalMs }));
  }
  if (fts !== null) {
    let examined = 0;
    for (const row of repository.countFts({ accountId, from, to, fts }).others) {
      if (++examined % CHECK_EVERY === 0) check();
      if (examined % ROWS_PER_TURN === 0) await yieldToEventLoop();
      const doc = JSON.parse(row.doc) as Doc;
      if (matchesLucene(rest, doc)) aggs.add(doc, row.ts);
    }
  }
  return true;
}

/** ES 6 integer (-1 when not tracked, as ES 6 does), ES 7 object for a numeric `track_total_hits`. */
function totalOnWire(
  total: number,
  relation: 'eq' | 'gte',
  track: boolean | number | undefined,
): SearchResponse['hits']['total'] {
  if (typeof track === 'number') return { value: total, relation };
  return track === false ? -1 : total;
}
