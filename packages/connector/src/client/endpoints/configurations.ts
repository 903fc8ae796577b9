import type { SecurityConfigurationList } from '@siemlink/contracts';
import type { CallOptions } from '../types.ts';
import { badResponse } from '../../errors.ts';
import type { EndpointDeps } from './deps.ts';

const CONFIGURATIONS_PATH = '/v2/security/configurations';

/**
 * `GET /v2/security/configurations` (Security token): the account's security configurations,
 * whose ids the feed (`/siem/v1/configs/{ids}`) takes. A siemlink extension: real Logz.io
 * answers 404 here.
 */
export async function listSecurityConfigurations(
  deps: EndpointDeps,
  opts: CallOptions = {},
): Promise<SecurityConfigurationList> {
  const token = deps.tokens.get('security', 'listing security configurations');
  const res = await deps.transport.json<SecurityConfigurationList>({
    method: 'GET',
    path: CONFIGURATIONS_PATH,
    token,
    signal: opts.signal,
  });
  if (!Array.isArray(res.data) || res.data.some((c) => typeof c?.id !== 'number')) {
    throw badResponse(`GET ${CONFIGURATIONS_PATH}`, 'expected [{id, name, ...}]');
  }
  return res.data;
}
