import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { csrfRejected, forbidden, unauthenticated } from '../errors.ts';
import { roleAtLeast, type Principal, type Role } from './schemas.ts';
import type { Auth } from './service.ts';

export const SESSION_COOKIE = 'siemlink_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Lowest role allowed; default viewer for GET/HEAD, analyst for writes. `public` skips authentication. */
    role?: Role | 'public';
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Who sent the request: an API key (Authorization: Bearer) or a session cookie; null when neither. */
async function principalOf(req: FastifyRequest, auth: Auth): Promise<Principal | null> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    return m ? auth.fromApiKey(m[1]!) : null;
  }
  const cookie = req.cookies[SESSION_COOKIE];
  return cookie ? auth.fromSession(cookie) : null;
}

/**
 * Authentication for every route under /api (and any other route that sets `config.role`):
 * 401 without valid credentials, 403 below the route's role, and for cookie sessions a
 * matching `x-csrf-token` header on every write (SameSite=Strict is the first line, this the second).
 */
export async function installAuth(app: FastifyInstance, auth: Auth): Promise<void> {
  await app.register(fastifyCookie);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    const config = req.routeOptions.config;
    const path = req.url.split('?')[0]!;
    // An unknown route answers its 404 (the routes are public in /api/openapi.json anyway).
    const guarded = !req.is404 && (path === '/api' || path.startsWith('/api/') || config.role !== undefined);
    if (!guarded || config.role === 'public') return;
    const principal = await principalOf(req, auth);
    if (!principal) throw unauthenticated();
    req.principal = principal;
    const needed: Role = config.role ?? (SAFE.has(req.method) ? 'viewer' : 'analyst');
    if (principal.kind === 'user' && !SAFE.has(req.method)) {
      const token = req.headers['x-csrf-token'];
      if (typeof token !== 'string' || !same(token, principal.csrfToken ?? '')) throw csrfRejected();
    }
    if (!roleAtLeast(principal.role, needed)) throw forbidden(principal.role, needed);
  });
}

/** The principal of an authenticated route (the hook guarantees it). */
export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthenticated();
  return req.principal;
}
