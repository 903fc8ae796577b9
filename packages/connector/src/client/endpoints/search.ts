import type { CallOptions, SearchLogsResponse } from '../types.ts';
import { badResponse } from '../../errors.ts';
import type { EndpointDeps } from './deps.ts';

const SEARCH_PATH = '/v1/search';

/** `POST /v1/search` with an Elasticsearch DSL body (Operations token). */
export async function searchLogs(
  deps: EndpointDeps,
  body: Record<string, unknown>,
  opts: CallOptions = {},
): Promise<SearchLogsResponse> {
  const token = deps.tokens.get('operations', 'searching logs (/v1/search)');
  const res = await deps.transport.json<SearchLogsResponse>({
    method: 'POST',
    path: SEARCH_PATH,
    body,
    token,
    signal: opts.signal,
  });
  const hits = res.data?.hits;
  if (!hits || !Array.isArray(hits.hits))
    throw badResponse(`POST ${SEARCH_PATH}`, 'expected {hits: {hits: [...]}}');
  // ES7 servers send {value, relation}; normalise to the ES6 integer Logz.io documents.
  const total = hits.total as unknown;
  if (total && typeof total === 'object') hits.total = Number((total as { value?: unknown }).value ?? 0);
  return res.data;
}
