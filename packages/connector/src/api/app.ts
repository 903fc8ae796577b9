import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
import type { IncidentStore, IncidentQuery, IncidentStatus } from '../store/types.ts';
import { BACKFILL_RUN_SOURCE, IncidentStatus as IncidentStatusSchema } from '../store/types.ts';
import { XSOAR_SEVERITY } from '../fetch/mapping.ts';
import { apiError } from '../errors.ts';
import { installApiErrorHandler } from './error-handler.ts';
import { registerOutboxRoutes } from './outbox-routes.ts';

export interface ApiDeps {
  store: IncidentStore;
  logger: Logger;
  clock: Clock;
  /** Whether the fetch loop runs (reported by /api/health). */
  fetching: boolean;
  /** Configured sink names (outbox routes; per-sink figures in /api/health). */
  sinks?: readonly string[];
}

const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ description: 'comma list: new,active,closed' })),
    severity: Type.Optional(
      Type.String({ description: 'comma list of exact severities: 0..4 or INFO..SEVERE' }),
    ),
    minSeverity: Type.Optional(Type.String({ description: 'lowest severity: 0..4 or INFO..SEVERE' })),
    from: Type.Optional(Type.String({ description: 'occurred at or after: ISO 8601 or epoch ms' })),
    to: Type.Optional(Type.String({ description: 'occurred at or before: ISO 8601 or epoch ms' })),
    page: Type.Integer({ minimum: 1, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  { additionalProperties: false },
);
type ListQuery = Static<typeof ListQuery>;

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
type IdParams = Static<typeof IdParams>;

const PatchBody = Type.Object(
  {
    status: Type.Optional(IncidentStatusSchema),
    owner: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
type PatchBody = Static<typeof PatchBody>;

const STATUSES: readonly IncidentStatus[] = ['new', 'active', 'closed'];

function parseSeverity(field: string, text: string): number {
  const t = text.trim();
  const byLabel = XSOAR_SEVERITY[t.toUpperCase()];
  if (byLabel !== undefined) return byLabel;
  const n = Number(t);
  if (t !== '' && [0, 0.5, 1, 2, 3, 4].includes(n)) return n;
  throw apiError(
    400,
    'VALIDATION_FAILED',
    `${field} "${text}" is not 0, 0.5, 1, 2, 3, 4 or INFO..SEVERE`,
    field,
  );
}

function parseTime(field: string, text: string): number {
  const ms = /^\d+$/.test(text.trim()) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms))
    throw apiError(400, 'VALIDATION_FAILED', `${field} "${text}" is not ISO 8601 or epoch ms`, field);
  return ms;
}

function toQuery(q: ListQuery): IncidentQuery {
  const out: IncidentQuery = { page: q.page, pageSize: q.pageSize };
  if (q.status) {
    const list = q.status.split(',').map((s) => s.trim());
    const bad = list.find((s) => !STATUSES.includes(s as IncidentStatus));
    if (bad !== undefined) {
      throw apiError(
        400,
        'VALIDATION_FAILED',
        `query.status "${bad}" is not one of ${STATUSES.join(', ')}`,
        'query.status',
      );
    }
    out.status = list as IncidentStatus[];
  }
  if (q.severity) out.severities = q.severity.split(',').map((s) => parseSeverity('query.severity', s));
  if (q.minSeverity) out.minSeverity = parseSeverity('query.minSeverity', q.minSeverity);
  if (q.from) out.occurredFrom = parseTime('query.from', q.from);
  if (q.to) out.occurredTo = parseTime('query.to', q.to);
  return out;
}

/** The connector's small HTTP API over the incident store. */
export async function buildApiApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // Unknown keys are rejected (400 naming them), not silently dropped.
    ajv: {
      customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: false },
    },
    logController: new LogController({ disableRequestLogging: process.env.SIEMLINK_LOG_REQUESTS !== '1' }),
  });
  installApiErrorHandler(app);

  app.get<{ Querystring: ListQuery }>(
    '/api/incidents',
    { schema: { querystring: ListQuery } },
    async (req) => {
      const q = toQuery(req.query);
      const { total, results } = await deps.store.listIncidents(q);
      return { total, results, pagination: { page: q.page, pageSize: q.pageSize } };
    },
  );

  app.get<{ Params: IdParams }>('/api/incidents/:id', { schema: { params: IdParams } }, async (req) => {
    const incident = await deps.store.getIncident(req.params.id);
    if (!incident) throw apiError(404, 'INCIDENT_NOT_FOUND', `no incident with id "${req.params.id}"`, 'id');
    return incident;
  });

  app.patch<{ Params: IdParams; Body: PatchBody }>(
    '/api/incidents/:id',
    { schema: { params: IdParams, body: PatchBody } },
    async (req) => {
      const updated = await deps.store.updateIncident(req.params.id, req.body, deps.clock.now());
      if (!updated) throw apiError(404, 'INCIDENT_NOT_FOUND', `no incident with id "${req.params.id}"`, 'id');
      return updated;
    },
  );

  registerOutboxRoutes(app, { store: deps.store, clock: deps.clock, sinks: deps.sinks ?? [] });

  app.get('/api/health', async () => {
    // Backfills are reported apart: they say nothing about the live loop's health or lag.
    const [lastRun, lastBackfill, counts, gaps, sinks] = await Promise.all([
      deps.store.lastRun({ excludeSource: BACKFILL_RUN_SOURCE }),
      deps.store.lastRun({ source: BACKFILL_RUN_SOURCE }),
      deps.store.countsByStatus(),
      deps.store.listGaps(),
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
      sinks,
    };
  });

  return app;
}
