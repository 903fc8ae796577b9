import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireAccount } from '../../plugins/auth.ts';
import { createSqliteSearchRepository } from './repository.ts';
import { parseSearchBody } from './request.ts';
import { createSearchService } from './service.ts';

/**
 * `POST /v1/search` (Logz.io Search API): an Operations/LOGS account token (X-API-TOKEN or the
 * legacy X-USER-TOKEN), an ES 6 DSL body, an ES 6 response with `hits.total` an integer.
 * The body is validated by `parseSearchBody`, not by a route schema: Ajv would silently drop
 * unknown keys, where Logz.io answers "Found JSON elements which are not allowed".
 */
const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = createSearchService({
    repository: createSqliteSearchRepository(app.siem.store),
    clock: app.siem.clock,
  });
  app.post('/v1/search', async (request, reply) => {
    const account = requireAccount(request, { type: 'LOGS' });
    const q = request.query as Record<string, unknown>;
    const input = parseSearchBody(request.body, q.dayOffset);
    const { response, window } = service.search(account.id, input);
    // Which days were read, so a caller can tell a clamped (over two days) range.
    reply.header(
      'x-siemlink-search-window',
      `${new Date(window.from).toISOString()}/${new Date(window.to).toISOString()}`,
    );
    if (window.clamped) reply.header('x-siemlink-search-window-clamped', 'true');
    return response;
  });
};
export default searchRoutes;
