import type {
  SecurityRuleResponse,
  SecurityRuleSearchRequest,
  SecurityRuleSearchResponse,
} from '@siemlink/contracts';
import type { CallOptions } from '../types.ts';
import { badResponse } from '../../errors.ts';
import { checkPaged, type EndpointDeps } from './deps.ts';

const SEARCH_PATH = '/v2/security/rules/search';

/** One page of `POST /v2/security/rules/search` (Security token); `{}` lists every rule. */
export async function searchRules(
  deps: EndpointDeps,
  req: SecurityRuleSearchRequest,
  opts: CallOptions = {},
): Promise<SecurityRuleSearchResponse> {
  const token = deps.tokens.get('security', 'listing security rules');
  const res = await deps.transport.json<unknown>({
    method: 'POST',
    path: SEARCH_PATH,
    body: req,
    token,
    signal: opts.signal,
  });
  return checkPaged<SecurityRuleSearchResponse>(`POST ${SEARCH_PATH}`, res.data);
}

/** `POST /v2/security/rules/{id}/enable|disable` (Security token). */
export async function setRuleEnabled(
  deps: EndpointDeps,
  id: number,
  enabled: boolean,
  opts: CallOptions = {},
): Promise<SecurityRuleResponse> {
  const path = `/v2/security/rules/${id}/${enabled ? 'enable' : 'disable'}`;
  const token = deps.tokens.get(
    'security',
    enabled ? 'enabling a security rule' : 'disabling a security rule',
  );
  const res = await deps.transport.json<SecurityRuleResponse>({
    method: 'POST',
    path,
    token,
    signal: opts.signal,
  });
  if (!res.data || typeof res.data !== 'object') throw badResponse(`POST ${path}`, 'expected the rule');
  return res.data;
}
