import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { HttpError, apiError } from '../../errors.ts';
import { splitIntoTwoDayChunks } from '../../commands/time.ts';
import { remoteError } from './remote-errors.ts';
import { timeRange } from './time-arg.ts';
import type { ConsoleDeps } from './deps.ts';
import { fillHistogram, histogramIntervalMs } from './histogram.ts';

export const LogSearchBody = Type.Object(
  {
    query: Type.String({ minLength: 1, maxLength: 10_000, description: 'Lucene query' }),
    from: Type.String({
      minLength: 1,
      description: 'ISO 8601 (UTC unless it has an offset), epoch ms, or "<n> <unit> ago"',
    }),
    to: Type.String({ minLength: 1, default: 'now' }),
    size: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);
type LogSearchBody = Static<typeof LogSearchBody>;

export const LogSearchResult = Type.Object({
  query: Type.String(),
  from: Type.String(),
  to: Type.String(),
  total: Type.Integer(),
  hits: Type.Array(
    Type.Object({
      id: Type.String(),
      source: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  histogram: Type.Object({
    intervalMs: Type.Integer(),
    buckets: Type.Array(Type.Object({ t: Type.Integer(), count: Type.Integer() })),
  }),
});
type LogSearchResult = Static<typeof LogSearchResult>;

/** Longest range the console searches: 7 days is four two-day requests at most. */
const MAX_RANGE_MS = 7 * 86_400_000;

/**
 * A remote 400 on a search is about the query (the range was checked here): say so with the
 * field the user typed in, without the DSL path the server used to find it.
 */
function queryError(err: unknown): never {
  if (err instanceof HttpError && err.status === 400) {
    const message = err.message.replace(/^.*?query_string\.query:\s*/, '');
    throw apiError('INVALID_QUERY', `body.query: ${message}`, 'body.query');
  }
  return remoteError(err);
}

/**
 * `POST /api/logs/search`: the console's log search, through the connector's client (`/v1/search`
 * with the Operations token), so it works against real Logz.io too. Newest hits first; the range is
 * cut into the API's two-day pieces, newest piece first, each with a date histogram.
 */
const tags = ['console'];

export function registerLogSearch(app: FastifyInstance, deps: ConsoleDeps): void {
  app.post<{ Body: LogSearchBody }>(
    '/api/logs/search',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary:
          'Search logs with Lucene over a time range (/v1/search, Operations token); histogram of hits',
        body: LogSearchBody,
        response: { 200: LogSearchResult },
      },
    },
    async (req): Promise<LogSearchResult> => {
      const now = deps.clock.now();
      const { from, to } = timeRange(req.body, now);
      if (to - from > MAX_RANGE_MS)
        throw apiError('VALIDATION_FAILED', 'body.from: the range is longer than 7 days', 'body.from');
      const intervalMs = histogramIntervalMs(from, to);
      const buckets: { key: number; doc_count: number }[] = [];
      const hits: LogSearchResult['hits'] = [];
      let total = 0;
      for (const chunk of splitIntoTwoDayChunks(from, to).reverse()) {
        const want = req.body.size - hits.length;
        const res = await deps.client
          .searchLogs(
            {
              query: {
                bool: {
                  must: [
                    { query_string: { query: req.body.query } },
                    { range: { '@timestamp': { gte: chunk.from, lte: chunk.to, format: 'epoch_millis' } } },
                  ],
                },
              },
              size: Math.max(0, want),
              sort: [{ '@timestamp': { order: 'desc' } }],
              aggs: {
                overTime: {
                  date_histogram: {
                    field: '@timestamp',
                    interval: `${intervalMs / 1000}s`,
                    min_doc_count: 1,
                  },
                },
              },
            },
            { signal: AbortSignal.timeout(60_000) },
          )
          .catch(queryError);
        total += res.hits.total;
        for (const h of res.hits.hits) hits.push({ id: String(h._id), source: h._source });
        const agg = (res.aggregations as { overTime?: { buckets?: { key: number; doc_count: number }[] } })
          ?.overTime;
        buckets.push(...(agg?.buckets ?? []));
      }
      return {
        query: req.body.query,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        total,
        hits,
        histogram: { intervalMs, buckets: fillHistogram(from, to, intervalMs, buckets) },
      };
    },
  );
}
