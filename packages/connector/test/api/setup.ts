import type { FastifyInstance } from 'fastify';
import { buildApiApp, type ApiDeps } from '../../src/api/app.ts';
import { createAuth } from '../../src/auth/service.ts';
import { fetchIncidentsOnce } from '../../src/fetch/fetcher.ts';
import type { Role } from '../../src/auth/schemas.ts';
import type { Actor, IncidentLogs } from '../../src/cases/schemas.ts';
import type { Incident } from '../../src/store/types.ts';
import { harness, MIN, silent, type Harness } from '../helpers.ts';

export const PASSWORD = 'correct horse battery staple';

export interface ApiSetup {
  h: Harness;
  app: FastifyInstance;
  /** Authorization headers of an API key with this role. */
  as(role: Role): { authorization: string };
  /** Logs in a user of this role (password PASSWORD); cookie and CSRF token. */
  login(role: Role): Promise<{ cookie: string; csrf: string }>;
  ids: string[];
  refetched: string[];
}

/**
 * The API over a real SQLite store with 5 incidents (3 HIGH, 2 LOW), users ann (admin), al
 * (analyst), vi (viewer) and one API key per role.
 */
export async function apiSetup(
  t: Parameters<typeof harness>[0],
  /** More dependencies of the API (a playbook service over `h.store`, ...). */
  extra: (h: Harness) => Partial<ApiDeps> | Promise<Partial<ApiDeps>> = () => ({}),
): Promise<ApiSetup> {
  const h = harness(t);
  h.siem.add(3, { eventDate: h.clock.now() - 30 * MIN, severity: 'HIGH', step: 1000 });
  h.siem.add(2, { eventDate: h.clock.now() - 20 * MIN, severity: 'LOW', step: 1000, name: 'Port scan' });
  await fetchIncidentsOnce(h.deps());
  const auth = createAuth({ store: h.store, clock: h.clock, limiter: { maxFailures: 3, windowMs: 60_000 } });
  const refetched: string[] = [];
  const app = await buildApiApp({
    store: h.store,
    logger: silent,
    clock: h.clock,
    fetching: true,
    auth,
    async refetchLogs(incident: Incident, actor: Actor): Promise<IncidentLogs | null> {
      refetched.push(incident.id);
      await h.store.putIncidentLogs(
        incident.id,
        { logs: [{ message: 'failed password' }], cap: 100, truncated: false, error: null },
        actor,
        h.clock.now(),
      );
      return h.store.getIncidentLogs(incident.id);
    },
    ...(await extra(h)),
  });
  t.after(() => app.close());
  const names: Record<Role, string> = { admin: 'ann', analyst: 'al', viewer: 'vi' };
  const keys = {} as Record<Role, string>;
  for (const role of ['admin', 'analyst', 'viewer'] as const) {
    await auth.addUser(names[role], role, PASSWORD);
    keys[role] = (await auth.createApiKey(`${role}-key`, role, 'ann')).key;
  }
  const ids = (
    (
      await app.inject({
        url: '/api/incidents?sort=occurred&order=asc',
        headers: { authorization: `Bearer ${keys.viewer}` },
      })
    ).json() as {
      results: { id: string }[];
    }
  ).results.map((i) => i.id);
  return {
    h,
    app,
    ids,
    refetched,
    as: (role) => ({ authorization: `Bearer ${keys[role]}` }),
    async login(role) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: names[role], password: PASSWORD },
      });
      const cookie = r.cookies.find((c) => c.name === 'siemlink_session')!;
      return {
        cookie: `siemlink_session=${cookie.value}`,
        csrf: (r.json() as { csrfToken: string }).csrfToken,
      };
    },
  };
}
