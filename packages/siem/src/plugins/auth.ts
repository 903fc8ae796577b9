import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../errors.ts';
import type { Account, AccountType } from '../modules/accounts/repository.ts';

/**
 * Resolves X-API-TOKEN (or the legacy X-USER-TOKEN) to its account on every request. Routes
 * then call `requireAccount` with what they need; a missing or unknown token is 401, a token
 * of the wrong account type 403. Tokens never appear in messages.
 */
export const authPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('account', null);
    app.addHook('onRequest', async (request) => {
      const raw = request.headers['x-api-token'] ?? request.headers['x-user-token'];
      const token = Array.isArray(raw) ? raw[0] : raw;
      request.account = token ? (app.siem.accounts.findByToken(token.trim(), 'API') ?? null) : null;
    });
  },
  { name: 'siemlink-auth', dependencies: ['siemlink-context'] },
);

export interface AccountRequirement {
  type?: AccountType;
  /** Only a main logs account may (account management). */
  main?: boolean;
}

export function requireAccount(request: FastifyRequest, need: AccountRequirement = {}): Account {
  const header = request.headers['x-api-token'] ?? request.headers['x-user-token'];
  if (!header) throw unauthorized('X-API-TOKEN header is required', 'MISSING_TOKEN');
  const account = request.account;
  if (!account) throw unauthorized('X-API-TOKEN is not a valid API token', 'INVALID_TOKEN');
  if (need.type && account.type !== need.type) {
    const what = need.type === 'SIEM' ? 'a SIEM (security) account' : 'a log management (operations) account';
    throw forbidden(`this endpoint needs an API token of ${what}`, 'WRONG_ACCOUNT_TYPE');
  }
  if (need.main && !account.isMain) {
    throw forbidden('this endpoint needs an API token of the main logs account', 'NOT_MAIN_ACCOUNT');
  }
  return account;
}
