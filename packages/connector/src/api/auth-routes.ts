import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { principal, SESSION_COOKIE } from '../auth/plugin.ts';
import type { Auth } from '../auth/service.ts';
import { ConnectorError } from '../errors.ts';
import { ErrorBody, LoginBody, SessionInfo } from './schemas.ts';

const tags = ['auth'];

/** Log in (sets the session cookie), log out, and who am I (with the CSRF token for writes). */
export function authRoutes(app: FastifyInstance, auth: Auth): void {
  app.post<{ Body: LoginBody }>(
    '/api/auth/login',
    {
      config: { role: 'public' },
      schema: {
        tags,
        summary: 'Log in with a username and password; sets an HttpOnly, SameSite=Strict session cookie',
        body: LoginBody,
        response: { 200: SessionInfo, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (req, reply) => {
      try {
        const s = await auth.login(req.body.username, req.body.password, req.ip);
        void reply.setCookie(SESSION_COOKIE, s.sessionToken, {
          httpOnly: true,
          sameSite: 'strict',
          secure: 'auto',
          path: '/',
          maxAge: Math.floor(auth.sessionTtlMs / 1000),
        });
        return {
          user: { name: s.user.username, role: s.user.role, kind: 'user' as const },
          csrfToken: s.csrfToken,
        };
      } catch (err) {
        if (err instanceof ConnectorError && err.code === 'LOGIN_RATE_LIMITED') {
          void reply.header('retry-after', /in (\d+) s/.exec(err.message)?.[1] ?? '60');
        }
        throw err;
      }
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary: 'End the session',
        response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) await auth.logout(cookie);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/auth/session',
    {
      schema: {
        tags,
        summary: 'Who is calling, with the CSRF token the console sends on writes',
        response: { 200: SessionInfo, 401: ErrorBody },
      },
    },
    async (req) => {
      const p = principal(req);
      return { user: { name: p.name, role: p.role, kind: p.kind }, csrfToken: p.csrfToken ?? null };
    },
  );
}
