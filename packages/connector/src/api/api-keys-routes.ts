import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { principal } from '../auth/plugin.ts';
import type { Auth } from '../auth/service.ts';
import type { IncidentStore } from '../store/types.ts';
import { ApiKey, CreatedApiKey, ErrorBody, NewApiKeyBody } from './schemas.ts';

const tags = ['api-keys'];
const admin = { role: 'admin' as const };
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const KeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/** API keys for programs (admin only); the key itself is shown once, at creation. */
export function apiKeyRoutes(app: FastifyInstance, auth: Auth, store: IncidentStore): void {
  app.get(
    '/api/api-keys',
    {
      config: admin,
      schema: { tags, summary: 'List API keys (admin)', response: { 200: Type.Array(ApiKey), ...errors } },
    },
    async () => store.listApiKeys(),
  );

  app.post<{ Body: NewApiKeyBody }>(
    '/api/api-keys',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create an API key (admin)',
        body: NewApiKeyBody,
        response: { 201: CreatedApiKey, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await auth.createApiKey(req.body.name, req.body.role, principal(req).name)),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/api-keys/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Revoke an API key (admin)',
        params: KeyParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await auth.revokeApiKey(req.params.id);
      return reply.status(204).send();
    },
  );
}
