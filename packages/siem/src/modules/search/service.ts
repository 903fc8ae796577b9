import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { SearchHit, SearchResponse } from '@siemlink/contracts';
import type { Clock } from '../../clock.ts';
import { luceneToSqlParts, matchesLucene, type LuceneNode } from '../../lucene/index.ts';
import { parseAggs, runAggs } from './aggs.ts';
import { compileQuery } from './dsl/compile.ts';
import type { LogRow, SearchRepository } from './repository.ts';
import type { SearchInput } from './request.ts';
import { compareSortValues, parseSort, sortValues, timeOrder, type SortKey } from './sort.ts';
import { applySourceFilter, parseSourceFilter, type SourceFilter } from './source.ts';
import { timeWindow, type TimeWindow } from './window.ts';

export interface SearchService {
  search(accountId: number, input: SearchInput): Promise<SearchOutcome>;
}

/**
 * Candidate logs examined between two turns of the event loop: a broad search over a large
 * window must not keep the listener and other requests waiting until it is done.
 */
export const ROWS_PER_TURN = 500;

export interface SearchOutcome {
  response: SearchResponse;
  window: TimeWindow;
}

export interface SearchServiceDeps {
  repository: SearchRepository;
  clock: Clock;
}

type Doc = Record<string, unknown>;

/**
 * Runs one /v1/search: compile the DSL into our Lucene AST, take the @timestamp range out as the
 * time window, read candidates with the SQL prefilter, apply the exact predicate, then
 * aggregate, post-filter, sort and page. Every log read is the caller account's own.
 */
export function createSearchService(deps: SearchServiceDeps): SearchService {
  const { repository, clock } = deps;
  return {
    async search(accountId, input) {
      const started = clock.now();
      const now = started;
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
      let hits: SearchHit[] = [];
      let aggregations: Doc | undefined;

      if (rest.kind === 'all' && post.kind === 'all' && !aggFactories && order) {
        // Nothing to evaluate per log: count and page in SQL.
        total = repository.count(accountId, window.from, window.to);
        hits = repository
          .page(accountId, window.from, window.to, order, input.size, input.from)
          .map((r) => hitOf(r, JSON.parse(r.doc) as Doc));
      } else if (rest.kind !== 'none' && window.from < window.to) {
        const aggs = aggFactories ? runAggs(aggFactories) : undefined;
        const ranked: { seq: number; values: unknown[] }[] = [];
        const end = input.from + input.size;
        const needsDoc = rest.kind !== 'all' || post.kind !== 'all' || aggs !== undefined || order === null;
        let examined = 0;
        for (const row of repository.candidates({
          accountId,
          from: window.from,
          to: window.to,
          prefilter: luceneToSqlParts(rest),
          order: order ?? 'desc',
        })) {
          if (++examined % ROWS_PER_TURN === 0) await yieldToEventLoop();
          const doc = needsDoc ? (JSON.parse(row.doc) as Doc) : undefined;
          if (doc && !matchesLucene(rest, doc)) continue;
          aggs?.add(doc!, row.ts);
          if (post.kind !== 'all' && !matchesLucene(post, doc!)) continue;
          if (order) {
            if (total >= input.from && total < end)
              hits.push(hitOf(row, doc ?? (JSON.parse(row.doc) as Doc)));
          } else ranked.push({ seq: row.seq, values: sortValues(sort, doc!, row.ts, row.seq) });
          total++;
        }
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
        hits: { total, max_score: scored && hits.length > 0 ? 1 : null, hits },
      };
      if (aggregations) response.aggregations = aggregations;
      return { response, window };
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
