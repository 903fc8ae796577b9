import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';

/**
 * The OpenAPI document, generated from the routes' TypeBox schemas (registered before the routes
 * so it sees them all). Served at /api/openapi.json, behind authentication like the rest of /api.
 */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'siemlink connector API',
        version: '0.1.0',
        description:
          'Incidents fetched from the SIEM and the case management around them. Every route needs a session cookie (POST /api/auth/login; writes also send x-csrf-token) or Authorization: Bearer <API key>.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'siemlink_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
