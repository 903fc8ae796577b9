import type { FastifyRequest } from 'fastify';
import type { Account } from '../accounts/repository.ts';
import type { AccountsRepository } from '../accounts/repository.ts';
import { isEdgeGridHeader, parseEdgeGrid, verifyEdgeGrid } from './edgegrid.ts';
import { FeedProblem } from './problem.ts';

const unauthorized = (status: 401 | 403, detail?: string) =>
  new FeedProblem({ type: 'unauthorized', status, detail });

/**
 * The feed's caller: a SIEM account, by `X-API-TOKEN` (as every other endpoint) or by an
 * EdgeGrid `Authorization` header whose access_token is a SIEM API token and whose signature
 * was made with that token as client_secret (see edgegrid.ts). 401 when no credential is
 * valid, 403 for a non-SIEM account, 400 `invalid-timestamp` for EdgeGrid clock skew.
 */
export function feedAccount(request: FastifyRequest, accounts: AccountsRepository, nowMs: number): Account {
  const authz = request.headers.authorization;
  let account: Account | null;
  if (isEdgeGridHeader(authz)) {
    const auth = parseEdgeGrid(authz);
    if (!auth) throw unauthorized(401, 'Malformed EG1-HMAC-SHA256 Authorization header');
    account = accounts.findByToken(auth.accessToken, 'API') ?? null;
    if (!account) throw unauthorized(401, 'The access_token is not a valid API token');
    const verdict = verifyEdgeGrid(
      auth,
      {
        method: request.method,
        scheme: request.protocol,
        host: request.headers.host ?? '',
        pathAndQuery: request.url,
      },
      auth.accessToken,
      nowMs,
    );
    if (verdict === 'bad-timestamp') throw new FeedProblem({ type: 'invalid-timestamp' });
    if (verdict === 'bad-signature') throw unauthorized(401, 'The signature does not match');
  } else {
    if (!request.headers['x-api-token'] && !request.headers['x-user-token']) {
      throw unauthorized(401, 'Send X-API-TOKEN or an EG1-HMAC-SHA256 Authorization header');
    }
    account = request.account;
    if (!account) throw unauthorized(401, 'X-API-TOKEN is not a valid API token');
  }
  if (account.type !== 'SIEM')
    throw unauthorized(403, 'The feed needs an API token of a SIEM (security) account');
  return account;
}
