import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { backfillCommand } from '../../commands/backfill.ts';
import { ConnectorError, apiError } from '../../errors.ts';
import type { ConsoleDeps } from './deps.ts';
import { remoteError } from './remote-errors.ts';

const RunsQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 2000, default: 500 }) },
  { additionalProperties: false },
);
type RunsQuery = Static<typeof RunsQuery>;

const GapParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
type GapParams = Static<typeof GapParams>;

/**
 * What the health page draws: `GET /api/fetch-runs` (newest first), `GET /api/gaps`, and
 * `POST /api/gaps/:id/backfill` (analysts), the same backfill as `siemlink backfill --gap ID`.
 */
const tags = ['console'];

export function registerFetchRuns(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get<{ Querystring: RunsQuery }>(
    '/api/fetch-runs',
    {
      config: { role: 'viewer' },
      schema: { tags, summary: 'Fetch runs, newest first', querystring: RunsQuery },
    },
    async (req) => ({ results: await deps.store.listRuns(req.query.limit) }),
  );

  app.get(
    '/api/gaps',
    { config: { role: 'viewer' }, schema: { tags, summary: 'Recorded gaps' } },
    async () => ({
      results: await deps.store.listGaps(),
    }),
  );

  app.post<{ Params: GapParams }>(
    '/api/gaps/:id/backfill',
    {
      config: { role: 'analyst' },
      schema: {
        tags,
        summary: 'Backfill a recorded gap without moving the live cursor (analyst)',
        params: GapParams,
      },
    },
    async (req) => {
      const result = await backfillCommand
        .invoke(
          { gapId: req.params.id },
          {
            client: deps.client,
            store: deps.store,
            clock: deps.clock,
            logger: req.log as ConsoleDeps['logger'],
            filters: deps.fetchFilters,
          },
        )
        .catch((err) => {
          // The command names its CLI flag; here the gap is the path parameter.
          if (err instanceof ConnectorError && err.code === 'UNKNOWN_GAP')
            throw apiError('UNKNOWN_GAP', `no recorded gap with id ${req.params.id}`, 'params.id');
          return remoteError(err);
        });
      if (result.inserted > 0)
        deps.events.publish({ origin: 'backfill', ids: [], at: new Date(deps.clock.now()).toISOString() });
      return result;
    },
  );
}
