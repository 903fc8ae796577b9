import { ApiError, api, qs } from './http.ts';
import type {
  FetchRun,
  Gap,
  IncidentDetail,
  IncidentList,
  IncidentStatus,
  LogSearchResult,
  Me,
  Note,
  SessionInfo,
  SecurityEvent,
  SecurityRule,
} from './types.ts';

/** Every call the console makes, in one place (the routes are the connector's). */

const toMe = (s: SessionInfo): Me => ({ username: s.user.name, role: s.user.role, csrfToken: s.csrfToken });

export const session = {
  /** The signed-in user, or null without a session. */
  me: async (): Promise<Me | null> => {
    try {
      return toMe(await api<SessionInfo>('GET', '/api/auth/session', undefined, { quiet401: true }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  login: async (username: string, password: string) =>
    toMe(await api<SessionInfo>('POST', '/api/auth/login', { username, password }, { quiet401: true })),
  logout: () => api<unknown>('POST', '/api/auth/logout'),
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
  order?: string;
  cursor?: string;
  limit?: number;
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
  addNote: (id: string, body: string) =>
    api<Note>('POST', `/api/incidents/${encodeURIComponent(id)}/notes`, { body }),
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
