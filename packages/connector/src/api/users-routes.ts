import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { principal } from '../auth/plugin.ts';
import type { Auth } from '../auth/service.ts';
import { apiError } from '../errors.ts';
import type { IncidentStore } from '../store/types.ts';
import { ErrorBody, NewUserBody, PasswordBody, RoleBody, User, UsernameParams } from './schemas.ts';

const tags = ['users'];
const admin = { role: 'admin' as const };
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };

/** Local users (admin only). */
export function userRoutes(app: FastifyInstance, auth: Auth, store: IncidentStore): void {
  app.get(
    '/api/users',
    {
      config: admin,
      schema: { tags, summary: 'List users (admin)', response: { 200: Type.Array(User), ...errors } },
    },
    async () => store.listUsers(),
  );

  app.post<{ Body: NewUserBody }>(
    '/api/users',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Add a user (admin)',
        body: NewUserBody,
        response: { 201: User, ...errors, 409: ErrorBody },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await auth.addUser(req.body.username, req.body.role, req.body.password)),
  );

  app.delete<{ Params: UsernameParams }>(
    '/api/users/:username',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Remove a user and end their sessions (admin); never the last admin (409 LAST_ADMIN)',
        params: UsernameParams,
        response: { 204: Type.Null(), ...errors, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      if (req.params.username === principal(req).name) {
        throw apiError('CANNOT_REMOVE_SELF', 'an admin cannot remove their own user', 'params.username');
      }
      await auth.removeUser(req.params.username);
      return reply.status(204).send();
    },
  );

  app.patch<{ Params: UsernameParams; Body: RoleBody }>(
    '/api/users/:username',
    {
      config: admin,
      schema: {
        tags,
        summary: "Change a user's role (admin); the last admin cannot be demoted (409 LAST_ADMIN)",
        params: UsernameParams,
        body: RoleBody,
        response: { 200: User, ...errors, 409: ErrorBody },
      },
    },
    async (req) => auth.setRole(req.params.username, req.body.role),
  );

  app.post<{ Params: UsernameParams; Body: PasswordBody }>(
    '/api/users/:username/password',
    {
      config: admin,
      schema: {
        tags,
        summary: "Set a user's password and end their sessions (admin)",
        params: UsernameParams,
        body: PasswordBody,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await auth.resetPassword(req.params.username, req.body.password);
      return reply.status(204).send();
    },
  );
}
