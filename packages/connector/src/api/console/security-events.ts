import { Type, type Static } from '@sinclair/typebox';
import { Severity } from '@siemlink/contracts';
import type { FastifyInstance } from 'fastify';
import { timeRange } from './time-arg.ts';
import type { ConsoleDeps } from './deps.ts';
import { remoteError } from './remote-errors.ts';

const EventsBody = Type.Object(
  {
    search: Type.Optional(Type.String({ maxLength: 1000, description: 'rule name text' })),
    severities: Type.Optional(Type.Array(Severity, { maxItems: 5 })),
    from: Type.String({ minLength: 1, default: '24 hours ago' }),
    to: Type.String({ minLength: 1, default: 'now' }),
    page: Type.Integer({ minimum: 1, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  },
  { additionalProperties: false },
);
type EventsBody = Static<typeof EventsBody>;

/** `POST /api/security-events/search`: triggered security events (Security token), newest first. */
const tags = ['console'];

export function registerSecurityEvents(app: FastifyInstance, deps: ConsoleDeps): void {
  app.post<{ Body: EventsBody }>(
    '/api/security-events/search',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary: 'Search triggered security events, newest first (Security token)',
        body: EventsBody,
      },
    },
    async (req) => {
      const now = deps.clock.now();
      const b = req.body;
      const { from, to } = timeRange(b, now);
      return deps.client
        .searchSecurityEvents({
          filter: {
            timeRange: { fromDate: Math.floor(from / 1000), toDate: Math.ceil(to / 1000) },
            ...(b.search ? { searchTerm: b.search } : {}),
            ...(b.severities?.length ? { severities: b.severities } : {}),
          },
          sort: [{ field: 'DATE', descending: true }],
          pagination: { pageNumber: b.page, pageSize: b.pageSize },
        })
        .catch(remoteError);
    },
  );
}
