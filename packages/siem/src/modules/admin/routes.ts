import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorBody, FaultSettings, FaultSettingsPatch } from '@siemlink/contracts';
import { badRequest, forbidden } from '../../errors.ts';
import { requireAccount } from '../../plugins/auth.ts';
import { FAULTS_PATH, faultHook } from './fault-hook.ts';

const KNOWN_KEYS = new Set(Object.keys(FaultSettings.properties));
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };

/** The main logs account's API token or a SIEM account's API token may change faults. */
const adminOnly = async (request: FastifyRequest) => {
  const account = requireAccount(request);
  if (!(account.type === 'SIEM' || (account.type === 'LOGS' && account.isMain))) {
    throw forbidden('fault injection needs the main logs account or a SIEM account API token', 'NOT_ADMIN');
  }
};
const caller = (request: FastifyRequest) => requireAccount(request).id;

/**
 * Fault injection, per account: GET, PUT and DELETE read and change the calling account's own
 * settings, which affect only requests made with that account's token, its rules and its
 * feeds; other tenants never see them. app.ts registers this plugin only when the SIEM runs
 * with `faultInjection: true` (otherwise the endpoint is a 404 like any unknown route, and no
 * request pays for a hook); the hook is installed on the root instance (this plugin skips
 * encapsulation) so it sees every API route.
 */
const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { faults, clock } = app.siem;
  app.addHook('onRequest', faultHook(faults, clock));

  app.get(
    FAULTS_PATH,
    { onRequest: adminOnly, schema: { response: { 200: FaultSettings, ...errors } } },
    async (request) => faults.get(caller(request)),
  );
  app.put(
    FAULTS_PATH,
    {
      onRequest: adminOnly,
      // Unknown keys would be dropped silently by the validator; a typo must be a 400 instead.
      preValidation: async (request) => {
        const body = request.body;
        if (body && typeof body === 'object' && !Array.isArray(body)) {
          const unknown = Object.keys(body).find((k) => !KNOWN_KEYS.has(k));
          if (unknown)
            throw badRequest(
              `body.${unknown}`,
              `unknown fault setting; known: ${[...KNOWN_KEYS].join(', ')}`,
            );
        }
      },
      schema: { body: FaultSettingsPatch, response: { 200: FaultSettings, ...errors } },
    },
    async (request) => {
      const accountId = caller(request);
      const next = faults.set(request.body, accountId);
      request.log.warn({ faults: next, accountId }, 'fault injection settings changed');
      return next;
    },
  );
  app.delete(
    FAULTS_PATH,
    { onRequest: adminOnly, schema: { response: { 200: FaultSettings, ...errors } } },
    async (request) => {
      const accountId = caller(request);
      request.log.info({ accountId }, 'fault injection settings reset');
      return faults.reset(accountId);
    },
  );
};
// Not encapsulated: the fault hook must apply app-wide; after auth, whose account it reads.
export default fp(adminRoutes, {
  name: 'siemlink-faults',
  dependencies: ['siemlink-context', 'siemlink-auth'],
});
