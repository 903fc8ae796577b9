import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
import type { IncidentStore } from '../store/types.ts';
import { BACKFILL_RUN_SOURCE } from '../store/types.ts';
import { createAuth, type Auth } from '../auth/service.ts';
import { installAuth } from '../auth/plugin.ts';
import { installApiErrorHandler } from './error-handler.ts';
import { registerConsole, type ConsoleDeps } from './console/index.ts';
import { installOpenApi } from './openapi.ts';
import { incidentRoutes, type IncidentRoutesDeps } from './incidents-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { userRoutes } from './users-routes.ts';
import { apiKeyRoutes } from './api-keys-routes.ts';
import { ErrorBody, Health } from './schemas.ts';
import { registerOutboxRoutes } from './outbox-routes.ts';
import { registerPlaybookRoutes } from './playbooks-routes.ts';
import type { PlaybookService } from '../playbooks/types.ts';

export interface ApiDeps {
  store: IncidentStore;
  logger: Logger;
  clock: Clock;
  /** Whether the fetch loop runs (reported by /api/health). */
  fetching: boolean;
  /** Users, sessions and API keys; default: over `store` with `clock`. */
  auth?: Auth;
  /** Re-reads an incident's triggering logs (POST /api/incidents/:id/logs/refetch). */
  refetchLogs?: IncidentRoutesDeps['refetchLogs'];
  /** The web console and its routes (absent: the JSON API only). */
  console?: Omit<ConsoleDeps, 'store' | 'logger' | 'clock'>;
  /** Configured sink names (outbox routes; per-sink figures in /api/health). */
  sinks?: readonly string[];
  /** The playbook engine (runs, manual tasks); absent, its lists are empty and its writes answer 503. */
  playbooks?: PlaybookService;
  /** Per-request log lines (the CLI's SIEMLINK_LOG_REQUESTS=1); default off. */
  logRequests?: boolean;
}

/** The connector's HTTP API: the incident queue and case management, behind authentication. */
export async function buildApiApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // Unknown keys are rejected (400 naming them), not silently dropped.
    ajv: {
      customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: false },
    },
    logController: new LogController({ disableRequestLogging: deps.logRequests !== true }),
  });
  installApiErrorHandler(app);
  await installOpenApi(app);
  const auth = deps.auth ?? createAuth({ store: deps.store, clock: deps.clock });
  await installAuth(app, auth);

  authRoutes(app, auth);
  userRoutes(app, auth, deps.store);
  apiKeyRoutes(app, auth, deps.store);
  incidentRoutes(app, { store: deps.store, clock: deps.clock, refetchLogs: deps.refetchLogs });

  app.get(
    '/api/health',
    {
      schema: {
        tags: ['health'],
        summary: "Fetch loop, counts, gaps, time to acknowledge / close percentiles, and each sink's outbox",
        response: { 200: Health, 401: ErrorBody },
      },
    },
    async () => {
      // Backfills are reported apart: they say nothing about the live loop's health or lag.
      const [lastRun, lastBackfill, counts, gaps, sla, sinks] = await Promise.all([
        deps.store.lastRun({ excludeSource: BACKFILL_RUN_SOURCE }),
        deps.store.lastRun({ source: BACKFILL_RUN_SOURCE }),
        deps.store.countsByStatus(),
        deps.store.listGaps(),
        deps.store.caseSla(),
        deps.store.outbox.health(deps.clock.now(), deps.sinks ?? []),
      ]);
      return {
        status: lastRun?.error ? 'degraded' : 'ok',
        fetching: deps.fetching,
        lastRun,
        lagSeconds: lastRun?.lagMs == null ? null : Math.round(lastRun.lagMs / 1000),
        counts,
        incidentsTotal: counts.new + counts.active + counts.closed,
        gaps,
        lastBackfill,
        sla,
        sinks,
      };
    },
  );

  registerOutboxRoutes(app, { store: deps.store, clock: deps.clock, sinks: deps.sinks ?? [] });
  registerPlaybookRoutes(app, { playbooks: deps.playbooks });

  if (deps.console)
    registerConsole(app, { ...deps.console, store: deps.store, logger: deps.logger, clock: deps.clock });

  return app;
}
