import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ServiceHealth } from '../../health/health.ts';

export const HEALTH_PATH = '/health';

const HealthBody = Type.Object({
  /** `degraded` while any background service is retrying after a failure. */
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  services: Type.Record(Type.String(), ServiceHealth),
});

/**
 * `GET /health` (API and listener, no token: it names no tenant data): the background
 * services' state, 200 when all are fine, 503 with Retry-After while one is retrying (a full
 * disk shows here with the store's own message).
 */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    HEALTH_PATH,
    { schema: { response: { 200: HealthBody, 503: HealthBody } } },
    async (_request, reply) => {
      const services = app.siem.health.snapshot();
      const degraded = Object.values(services).some((s) => s.state === 'retrying');
      if (degraded) reply.status(503).header('retry-after', '5');
      return { status: degraded ? ('degraded' as const) : ('ok' as const), services };
    },
  );
};
export default healthRoutes;
