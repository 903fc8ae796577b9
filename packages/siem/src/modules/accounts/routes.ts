import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateSiemAccountRequest,
  ErrorBody,
  NEW_ACCOUNT_TOKEN_HEADER,
  SiemAccount,
  WhoAmI,
} from '@siemlink/contracts';
import { requireAccount } from '../../plugins/auth.ts';
import { createSiemAccount, getSiemAccount, listSiemAccounts } from './service.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const MAIN_LOGS = { type: 'LOGS', main: true } as const;
/** Auth before validation: a caller without the right token learns nothing about the body rules. */
const mainLogsOnly = async (request: FastifyRequest) => {
  requireAccount(request, MAIN_LOGS);
};

/**
 * Account management (Logz.io `POST /v2/account-management/siem`, `GET /v2/whoami`) and our
 * list/get extension. Only the main logs account's API token manages SIEM accounts.
 */
const accountsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = { accounts: app.siem.accounts, clock: app.siem.clock };

  app.post(
    '/v2/account-management/siem',
    {
      preValidation: mainLogsOnly,
      schema: { body: CreateSiemAccountRequest, response: { 200: SiemAccount, ...errors } },
    },
    async (request, reply) => {
      const caller = requireAccount(request, MAIN_LOGS);
      const { account, apiToken } = createSiemAccount(deps, caller, request.body);
      request.log.info({ accountId: account.accountId, ownerId: caller.id }, 'SIEM account created');
      // The documented body stays exact; the new token travels once, in our own header.
      reply.header(NEW_ACCOUNT_TOKEN_HEADER, apiToken).header('cache-control', 'no-store');
      return reply.status(200).send(account);
    },
  );

  app.get(
    '/v2/account-management/siem',
    { preValidation: mainLogsOnly, schema: { response: { 200: Type.Array(SiemAccount), ...errors } } },
    async (request) => listSiemAccounts(deps, requireAccount(request, MAIN_LOGS)),
  );

  app.get(
    '/v2/account-management/siem/:accountId',
    {
      preValidation: mainLogsOnly,
      schema: {
        params: Type.Object({ accountId: Type.Integer({ minimum: 1 }) }),
        response: { 200: SiemAccount, ...errors },
      },
    },
    async (request) => getSiemAccount(deps, requireAccount(request, MAIN_LOGS), request.params.accountId),
  );

  // `/v1/account-management/whoami` is the older path; the logzio-siemplify Ping action calls it.
  for (const url of ['/v2/whoami', '/v1/account-management/whoami']) {
    app.get(url, { schema: { response: { 200: WhoAmI, 401: ErrorBody } } }, async (request) => {
      const a = requireAccount(request);
      return { accountName: a.name, accountId: a.id };
    });
  }
};
export default accountsRoutes;
