import { Type } from '@sinclair/typebox';
import { configError } from '../errors.ts';
import { defineCommand } from './define.ts';
import { DAY_MS, parseTimeArg, splitIntoTwoDayChunks, startOfUtcDay } from './time.ts';

/** Largest `size` of one /v1/search request we send (Logz.io clients cap at 1000). */
export const SEARCH_PAGE_SIZE = 1000;
/** The API serves at most from + size = 10,000 hits per query. */
export const SEARCH_WINDOW_HITS = 10_000;

const TimeArg = Type.Union([Type.Number(), Type.String({ minLength: 1 })]);

export interface SearchLogsResult {
  query: string;
  /** ISO 8601 UTC bounds actually searched (inclusive). */
  from: string;
  to: string;
  /** Sum of `hits.total` over the queried day chunks. */
  total: number;
  /** `_source` of each hit, in `sort` order of `@timestamp` (default oldest first). */
  hits: Record<string, unknown>[];
  /** Why fewer hits than asked may have come back (the 10,000 window), if it happened. */
  notes: string[];
}

/**
 * `search-logs`: a Lucene query over the Operations account via /v1/search. Without times the
 * API's own window applies (yesterday 00:00 UTC .. now). A range longer than two UTC calendar
 * days is split and queried in `sort` order; each piece is paged with from/size (<= 1000 a
 * request) up to the API's 10,000 from+size limit, which is reported in `notes`.
 */
export const searchLogsCommand = defineCommand({
  name: 'search-logs',
  description: 'search logs with a Lucene query (Operations token)',
  args: Type.Object({
    query: Type.String({ minLength: 1, default: '*', description: 'Lucene query' }),
    size: Type.Integer({ minimum: 1, maximum: 100_000, default: 50, description: 'hits to return' }),
    fromTime: Type.Optional(TimeArg),
    toTime: Type.Optional(TimeArg),
    sort: Type.Union([Type.Literal('asc'), Type.Literal('desc')], {
      default: 'asc',
      description: '@timestamp order: asc (oldest first) or desc (newest first)',
    }),
  }),
  async run(args, deps): Promise<SearchLogsResult> {
    const now = deps.clock.now();
    const to = args.toTime !== undefined ? parseTimeArg(args.toTime, now, '--to-time') : now;
    const from =
      args.fromTime !== undefined
        ? parseTimeArg(args.fromTime, now, '--from-time')
        : startOfUtcDay(to) - DAY_MS;
    if (from > to) {
      throw configError('--from-time', `${iso(from)} is after --to-time ${iso(to)}`, 'INVALID_ARGUMENT');
    }
    // Newest first walks the day chunks from the newest one, so `size` keeps the newest hits.
    const chunks = splitIntoTwoDayChunks(from, to);
    if (args.sort === 'desc') chunks.reverse();
    const hits: Record<string, unknown>[] = [];
    const notes: string[] = [];
    let total = 0;
    for (const [i, chunk] of chunks.entries()) {
      let offset = 0;
      for (;;) {
        const want = Math.min(SEARCH_PAGE_SIZE, args.size - hits.length, SEARCH_WINDOW_HITS - offset);
        if (want <= 0) break;
        const res = await deps.client.searchLogs(
          {
            query: {
              bool: {
                must: [
                  { query_string: { query: args.query } },
                  { range: { '@timestamp': { gte: chunk.from, lte: chunk.to } } },
                ],
              },
            },
            from: offset,
            size: want,
            sort: [{ '@timestamp': { order: args.sort } }],
          },
          { signal: deps.signal },
        );
        if (offset === 0) total += res.hits.total;
        for (const h of res.hits.hits) hits.push(h._source);
        offset += res.hits.hits.length;
        deps.progress?.(`chunk ${i + 1}/${chunks.length}: ${hits.length} hit(s)`);
        if (res.hits.hits.length < want) break;
      }
      if (offset >= SEARCH_WINDOW_HITS && hits.length < args.size) {
        notes.push(
          `stopped at ${SEARCH_WINDOW_HITS} hits for ${iso(chunk.from)}..${iso(chunk.to)}: the search API serves at most from+size=${SEARCH_WINDOW_HITS} per query; narrow the time range or the query to see the rest`,
        );
      }
      if (hits.length >= args.size) break;
    }
    return { query: args.query, from: iso(from), to: iso(to), total, hits, notes };
  },
});

const iso = (ms: number) => new Date(ms).toISOString();
