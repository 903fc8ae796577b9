import { api, qs } from './http.ts';
import type {
  FetchRun,
  Gap,
  IncidentDetail,
  IncidentList,
  IncidentStatus,
  LogSearchResult,
  Me,
  Note,
  SecurityEvent,
  SecurityRule,
} from './types.ts';

/** Every call the console makes, in one place (the routes are the connector's). */

export const session = {
  me: () => api<Me>('GET', '/api/auth/me', undefined, { quiet401: true }),
  login: (username: string, password: string) =>
    api<Me>('POST', '/api/auth/login', { username, password }, { quiet401: true }),
  logout: () => api<unknown>('POST', '/api/auth/logout', {}),
};

export interface IncidentFilters {
  status?: string;
  severity?: string;
  owner?: string;
  rule?: string;
  tag?: string;
  q?: string;
  from?: string;
  to?: string;
  sort?: string;
  cursor?: string;
  pageSize?: number;
}

export interface IncidentPatch {
  status?: IncidentStatus;
  owner?: string | null;
  severity?: number;
  tags?: string[];
  closeReason?: string;
  closeNotes?: string;
}

export const incidents = {
  list: (f: IncidentFilters, signal?: AbortSignal) =>
    api<IncidentList>('GET', `/api/incidents${qs({ ...f })}`, undefined, { signal }),
  get: (id: string, signal?: AbortSignal) =>
    api<IncidentDetail>('GET', `/api/incidents/${encodeURIComponent(id)}`, undefined, { signal }),
  update: (id: string, patch: IncidentPatch) =>
    api<IncidentDetail>('PATCH', `/api/incidents/${encodeURIComponent(id)}`, patch),
  addNote: (id: string, text: string) =>
    api<Note>('POST', `/api/incidents/${encodeURIComponent(id)}/notes`, { text }),
  bulk: (ids: string[], patch: IncidentPatch) => api<unknown>('POST', '/api/incidents/bulk', { ids, patch }),
};

export const logs = {
  search: (body: { query: string; from: string; to: string; size?: number }) =>
    api<LogSearchResult>('POST', '/api/logs/search', body),
};

export const rules = {
  list: (search: string) =>
    api<{ total: number; results: SecurityRule[] }>('GET', `/api/rules${qs({ search })}`),
  setEnabled: (id: number, enabled: boolean) =>
    api<SecurityRule>('POST', `/api/rules/${id}/${enabled ? 'enable' : 'disable'}`),
};

export const securityEvents = {
  search: (body: { search?: string; from: string; to: string; page?: number }) =>
    api<{ total: number; results: SecurityEvent[] }>('POST', '/api/security-events/search', body),
};

export const health = {
  summary: () => api<Record<string, unknown>>('GET', '/api/health'),
  runs: () => api<{ results: FetchRun[] }>('GET', '/api/fetch-runs?limit=500'),
  gaps: () => api<{ results: Gap[] }>('GET', '/api/gaps'),
  backfill: (id: number) =>
    api<{ inserted: number; scanned: number; notes: string[] }>('POST', `/api/gaps/${id}/backfill`),
};
