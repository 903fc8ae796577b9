import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SiemError } from '../../errors.ts';
import { requireAccount } from '../../plugins/auth.ts';
import { createConcurrencyLimiter } from '../feed/limiter.ts';
import { searchBudgetCheck, searchCancelled } from './errors.ts';
import { createSearchPool } from './pool.ts';
import { parseSearchBody } from './request.ts';
import { createSearchService } from './service.ts';

/**
 * `POST /v1/search` (Logz.io Search API): an Operations/LOGS account token (X-API-TOKEN or the
 * legacy X-USER-TOKEN), an ES 6 DSL body, an ES 6 response with `hits.total` an integer.
 * The body is validated by `parseSearchBody`, not by a route schema: Ajv would silently drop
 * unknown keys, where Logz.io answers "Found JSON elements which are not allowed".
 * Admission control: at most `search.maxConcurrentPerAccount` searches of one account run at
 * once (Logz.io caps concurrent API queries per account too); one more is a 429 with
 * Retry-After, so a burst of broad searches queues at the client, not in the SIEM.
 * Broad searches (the planner's estimate, `service.selective`) run in the search worker pool,
 * off the event loop that serves shipping; a full pool queue is a 503 with Retry-After. A
 * search stops when its client disconnects or past its budget; closing the app drains the pool.
 */
const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { clock } = app.siem;
  const service = createSearchService({
    repository: app.siem.repos.search,
    clock,
  });
  const { maxConcurrentPerAccount, budgetMs } = app.siem.config.search;
  const pool = createSearchPool(app.siem);
  if (pool) app.addHook('onClose', () => pool.close('drain'));
  const admission = createConcurrencyLimiter(maxConcurrentPerAccount);
  app.post('/v1/search', async (request, reply) => {
    const account = requireAccount(request, { type: 'LOGS' });
    const q = request.query as Record<string, unknown>;
    const input = parseSearchBody(request.body, q.dayOffset);
    const release = admission.acquire(account.id);
    if (!release) {
      throw new SiemError({
        code: 'TOO_MANY_CONCURRENT_SEARCHES',
        status: 429,
        message: `search: at most ${maxConcurrentPerAccount} searches of one account run at once; retry after 1 s`,
        headers: { 'retry-after': '1' },
      });
    }
    // The connection closing before the answer is written: nobody will read it, stop the search.
    const gone = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) gone.abort(searchCancelled());
    };
    reply.raw.once('close', onClose);
    let outcome;
    try {
      const now = clock.now();
      if (pool && !service.selective(input, now)) {
        outcome = await pool.run({ accountId: account.id, input, now }, gone.signal);
      } else {
        const budget = searchBudgetCheck(budgetMs, () => clock.now() - now);
        outcome = await service.search(account.id, input, {
          now,
          check: () => {
            gone.signal.throwIfAborted();
            budget();
          },
        });
      }
    } finally {
      reply.raw.off('close', onClose);
      release();
    }
    const { response, window, relation } = outcome;
    // ES 6's integer total cannot say "at least": the header does (`gte` past the count cap).
    reply.header('x-siemlink-total-relation', relation);
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
