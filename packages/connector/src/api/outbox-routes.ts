import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Clock } from '../context.ts';
import { apiError } from '../errors.ts';
import { OutboxState } from '../outbox/types.ts';
import type { IncidentStore } from '../store/types.ts';

export interface OutboxRouteDeps {
  store: IncidentStore;
  clock: Clock;
  /** Configured sink names. */
  sinks: readonly string[];
}

const ListQuery = Type.Object(
  {
    sink: Type.Optional(Type.String({ minLength: 1 })),
    state: Type.Optional(OutboxState),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    afterId: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
type ListQuery = Static<typeof ListQuery>;

const Selector = Type.Object(
  {
    sink: Type.Optional(Type.String({ minLength: 1 })),
    ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10_000 })),
  },
  { additionalProperties: false },
);
type Selector = Static<typeof Selector>;

const SinkParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
type SinkParams = Static<typeof SinkParams>;
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
type IdParams = Static<typeof IdParams>;

/**
 * The outbox under the connector's /api: list rows, replay or purge dead letters, pause and
 * resume a sink, an incident's deliveries. Kept apart from app.ts so it merges on its own.
 */
export function registerOutboxRoutes(app: FastifyInstance, deps: OutboxRouteDeps): void {
  const knownSink = async (name: string) => {
    if (deps.sinks.includes(name)) return;
    const health = await deps.store.outbox.health(deps.clock.now(), deps.sinks);
    if (!health.some((h) => h.sink === name)) {
      throw apiError('SINK_NOT_FOUND', `no sink named "${name}" (GET /api/sinks lists them)`, 'name');
    }
  };

  app.get<{ Querystring: ListQuery }>('/api/outbox', { schema: { querystring: ListQuery } }, async (req) => ({
    results: await deps.store.outbox.list(req.query),
  }));

  app.post<{ Body: Selector }>('/api/outbox/replay', { schema: { body: Selector } }, async (req) => ({
    replayed: await deps.store.outbox.replay(req.body ?? {}, deps.clock.now()),
  }));

  // Replay (and pause/resume) is the analyst's; purge deletes deliveries that never happened: admin.
  app.post<{ Body: Selector }>(
    '/api/outbox/purge',
    { config: { role: 'admin' }, schema: { body: Selector } },
    async (req) => ({ purged: await deps.store.outbox.purge(req.body ?? {}) }),
  );

  app.get('/api/sinks', async () => ({
    results: await deps.store.outbox.health(deps.clock.now(), deps.sinks),
  }));

  for (const action of ['pause', 'resume'] as const) {
    app.post<{ Params: SinkParams }>(
      `/api/sinks/:name/${action}`,
      { schema: { params: SinkParams } },
      async (req) => {
        await knownSink(req.params.name);
        await deps.store.outbox.setPaused(req.params.name, action === 'pause', deps.clock.now());
        return { sink: req.params.name, paused: action === 'pause' };
      },
    );
  }

  app.get<{ Params: IdParams }>(
    '/api/incidents/:id/deliveries',
    { schema: { params: IdParams } },
    async (req) => {
      if (!(await deps.store.getIncident(req.params.id))) {
        throw apiError('INCIDENT_NOT_FOUND', `no incident with id "${req.params.id}"`, 'id');
      }
      return { results: await deps.store.outbox.deliveries(req.params.id) };
    },
  );
}
