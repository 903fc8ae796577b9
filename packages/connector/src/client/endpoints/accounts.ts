import {
  NEW_ACCOUNT_TOKEN_HEADER,
  type CreateSiemAccountRequest,
  type SiemAccount,
  type WhoAmI,
} from '@siemlink/contracts';
import type { CallOptions, CreatedSiemAccount } from '../types.ts';
import { badResponse, type TokenKind } from '../../errors.ts';
import type { EndpointDeps } from './deps.ts';

const SIEM_ACCOUNT_PATH = '/v2/account-management/siem';
const WHOAMI_PATH = '/v2/whoami';

/**
 * Creates a SIEM account (Operations token of the main account). Not idempotent: only a 429
 * is retried, so a 5xx or a reset never creates the account twice.
 */
export async function createSiemAccount(
  deps: EndpointDeps,
  req: CreateSiemAccountRequest,
  opts: CallOptions = {},
): Promise<CreatedSiemAccount> {
  const token = deps.tokens.get('operations', 'creating a SIEM account');
  const res = await deps.transport.json<SiemAccount>({
    method: 'POST',
    path: SIEM_ACCOUNT_PATH,
    body: req,
    token,
    signal: opts.signal,
    idempotent: false,
  });
  if (!res.data || typeof res.data.accountId !== 'number') {
    throw badResponse(`POST ${SIEM_ACCOUNT_PATH}`, 'expected {accountId, accountName, ...}');
  }
  const header = res.headers[NEW_ACCOUNT_TOKEN_HEADER];
  const apiToken = Array.isArray(header) ? header[0] : header;
  return { account: res.data, ...(apiToken ? { apiToken } : {}) };
}

/** `GET /v2/whoami` with the chosen token: which account the token belongs to. */
export async function whoami(deps: EndpointDeps, kind: TokenKind, opts: CallOptions = {}): Promise<WhoAmI> {
  const token = deps.tokens.get(kind, `whoami (${kind} token)`);
  const res = await deps.transport.json<WhoAmI>({
    method: 'GET',
    path: WHOAMI_PATH,
    token,
    signal: opts.signal,
  });
  if (!res.data || typeof res.data.accountId !== 'number') {
    throw badResponse(`GET ${WHOAMI_PATH}`, 'expected {accountName, accountId}');
  }
  return res.data;
}
