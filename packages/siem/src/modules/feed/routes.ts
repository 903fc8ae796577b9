import { Readable, finished } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { FeedQuery } from '@siemlink/contracts';
import { feedAccount } from './auth.ts';
import { createFeedConfigs, parseConfigIds } from './configs.ts';
import { createConcurrencyLimiter } from './limiter.ts';
import { createOffsetCodec } from './offset.ts';
import { resolveFeedPlan } from './params.ts';
import { FeedProblem, feedErrorHandler } from './problem.ts';

/**
 * `GET /siem/v1/configs/:configIds`: the Akamai-style security-event feed (seed 003, contract
 * section 7). Errors on this route are problem+json (this plugin's own error handler).
 */
const feedRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.siem;
  const { feed, configurations } = ctx.repos;
  const codec = createOffsetCodec(feed.offsetSecret());
  const configs = createFeedConfigs(configurations, feed);
  const limiter = createConcurrencyLimiter();

  app.setErrorHandler(feedErrorHandler(() => ctx.clock.now()));

  app.get(
    '/siem/v1/configs/:configIds',
    {
      onRequest: async (request) => {
        request.account = feedAccount(request, ctx.accounts, ctx.clock.now());
      },
      schema: {
        params: Type.Object({ configIds: Type.String({ maxLength: 2000 }) }),
        querystring: FeedQuery,
      },
    },
    async (request, reply) => {
      const account = request.account!;
      const configIds = parseConfigIds(request.params.configIds);
      const foreign = configs.notOwned(account.id, configIds);
      if (foreign.length > 0) {
        throw new FeedProblem({
          type: 'not-found',
          detail: `The data for the object requested does not exist: configuration ${foreign.join(';')}`,
        });
      }
      const plan = resolveFeedPlan(request.query, {
        nowMs: ctx.clock.now(),
        codec,
        configIds,
        offsetMaxAgeSeconds: ctx.feed.offsetMaxAgeSeconds(account.id),
      });
      const release = limiter.acquire(account.id);
      if (!release) {
        throw new FeedProblem({ type: 'too-many-requests', headers: { 'retry-after': '1' } });
      }
      // finished() also calls back when the response is already closed: a client that gave up
      // while the request waited (e.g. a slow hook) must not keep its slot; the body generator's
      // own cleanup never runs when it is destroyed before its first read.
      finished(reply.raw, () => release());
      const body = ctx.feed.body({
        plan,
        accountId: account.id,
        configIds,
        source: feed,
        codec,
        onDone: release,
      });
      return reply.type('application/json').send(Readable.from(body, { objectMode: false }));
    },
  );
};
export default feedRoutes;
