/** What the fuzzer aims at: one valid request per endpoint, grouped by family. Tokens are filled in per run. */
export interface Tokens {
  logs: string;
  siem: string;
  shipping: string;
  ruleId: number;
  configId: number;
  siemAccountId: number;
}

export interface Template {
  server: 'api' | 'listener';
  method: string;
  path: string;
  /** Which of the run's tokens authenticates it (as X-API-TOKEN; the listener's goes in the query). */
  token: 'logs' | 'siem' | 'shipping' | 'none';
  body?: unknown;
  /** The listener takes NDJSON lines, not one JSON document. */
  ndjson?: boolean;
}

const rule = {
  title: 'Fuzz rule',
  description: 'fuzzing',
  tags: ['fuzz'],
  searchTimeFrameMinutes: 10,
  subComponents: [
    {
      queryDefinition: {
        query: 'outcome:failure',
        groupBy: ['user'],
        aggregation: { aggregationType: 'COUNT' },
      },
      trigger: { operator: 'GREATER_THAN_OR_EQUALS', severityThresholdTiers: { MEDIUM: 3 } },
    },
  ],
};

export function families(t: Tokens): Record<string, Template[]> {
  return {
    accounts: [
      { server: 'api', method: 'GET', path: '/v2/whoami', token: 'logs' },
      { server: 'api', method: 'GET', path: '/v1/account-management/whoami', token: 'siem' },
      {
        server: 'api',
        method: 'POST',
        path: '/v2/account-management/siem',
        token: 'logs',
        body: { accountName: 'fuzz-account', email: 'fuzz@example.com', accountsToScan: [1] },
      },
      { server: 'api', method: 'GET', path: '/v2/account-management/siem', token: 'logs' },
      { server: 'api', method: 'GET', path: `/v2/account-management/siem/${t.siemAccountId}`, token: 'logs' },
    ],
    listener: [
      {
        server: 'listener',
        method: 'POST',
        path: '/?type=fuzz',
        token: 'shipping',
        ndjson: true,
        body: [
          { message: 'hello', user: 'root', '@timestamp': '2026-01-01T00:00:00Z' },
          { a: { b: [1, 2] } },
        ],
      },
      { server: 'listener', method: 'GET', path: '/health', token: 'none' },
    ],
    search: [
      {
        server: 'api',
        method: 'POST',
        path: '/v1/search',
        token: 'logs',
        body: {
          query: {
            bool: {
              must: [{ query_string: { query: 'message:hello AND user:root' } }],
              filter: [{ range: { '@timestamp': { gte: 'now-1d', lte: 'now' } } }],
            },
          },
          size: 10,
          from: 0,
          sort: [{ '@timestamp': { order: 'desc' } }],
          _source: ['message'],
          aggs: { users: { terms: { field: 'user', size: 5 } } },
        },
      },
    ],
    rules: [
      { server: 'api', method: 'POST', path: '/v2/security/rules', token: 'siem', body: rule },
      {
        server: 'api',
        method: 'POST',
        path: '/v2/security/rules/search',
        token: 'siem',
        body: {
          filter: { searchTerm: 'fuzz', enabledState: [true] },
          pagination: { pageNumber: 1, pageSize: 25 },
        },
      },
      { server: 'api', method: 'GET', path: `/v2/security/rules/${t.ruleId}`, token: 'siem' },
      { server: 'api', method: 'PUT', path: `/v2/security/rules/${t.ruleId}`, token: 'siem', body: rule },
      { server: 'api', method: 'POST', path: `/v2/security/rules/${t.ruleId}/disable`, token: 'siem' },
      { server: 'api', method: 'POST', path: `/v2/security/rules/${t.ruleId}/enable`, token: 'siem' },
      { server: 'api', method: 'DELETE', path: `/v2/security/rules/${t.ruleId + 1000}`, token: 'siem' },
      { server: 'api', method: 'GET', path: '/v2/security/configurations', token: 'siem' },
      {
        server: 'api',
        method: 'POST',
        path: '/v2/security/configurations',
        token: 'siem',
        body: { name: 'fuzz-config' },
      },
    ],
    events: [
      {
        server: 'api',
        method: 'POST',
        path: '/v2/security/rules/events/search',
        token: 'siem',
        body: {
          filter: { searchTerm: 'x', severities: ['HIGH'], timeRange: { fromDate: 0, toDate: 2e9 } },
          sort: [{ field: 'DATE', descending: true }],
          pagination: { pageNumber: 1, pageSize: 25 },
        },
      },
      {
        server: 'api',
        method: 'POST',
        path: '/v2/security/rules/events/logs/search',
        token: 'siem',
        body: {
          filter: { alertEventId: 'c7e9c290-717e-4dcf-98a9-a75e6d796f51' },
          pagination: { pageNumber: 1, pageSize: 25 },
        },
      },
    ],
    feed: [
      { server: 'api', method: 'GET', path: `/siem/v1/configs/${t.configId}?limit=10&from=0`, token: 'siem' },
      {
        server: 'api',
        method: 'GET',
        path: `/siem/v1/configs/${t.configId};${t.configId + 1}?offset=abc`,
        token: 'siem',
      },
    ],
    admin: [
      { server: 'api', method: 'GET', path: '/admin/faults', token: 'siem' },
      {
        server: 'api',
        method: 'PUT',
        path: '/admin/faults',
        token: 'siem',
        body: { rate429: 0, slowMs: 0, paths: ['/v2/'] },
      },
      { server: 'api', method: 'DELETE', path: '/admin/faults', token: 'logs' },
      { server: 'api', method: 'GET', path: '/health', token: 'none' },
    ],
  };
}
