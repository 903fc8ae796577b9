import { api, qs } from './http.ts';
import type { LoadError, ManualTask, PlaybookRun, PlaybookSummary, RunDetail } from './playbook-types.ts';

const enc = encodeURIComponent;

/** The playbook calls of the console (routes: the connector's api/playbooks-routes.ts). */
export const playbooks = {
  list: (signal?: AbortSignal) =>
    api<{ enabled: boolean; playbooks: PlaybookSummary[]; errors: LoadError[] }>(
      'GET',
      '/api/playbooks',
      undefined,
      {
        signal,
      },
    ),
  runs: (
    q: { incidentId?: string; status?: string; playbook?: string; limit?: number; before?: string },
    signal?: AbortSignal,
  ) =>
    api<{ results: PlaybookRun[]; nextBefore: string | null }>(
      'GET',
      `/api/playbook-runs${qs({ ...q })}`,
      undefined,
      { signal },
    ),
  run: (id: string, signal?: AbortSignal) =>
    api<RunDetail>('GET', `/api/playbook-runs/${enc(id)}`, undefined, { signal }),
  start: (body: {
    playbook: string;
    version?: number;
    incidentId: string;
    inputs: Record<string, unknown>;
  }) => api<PlaybookRun>('POST', '/api/playbook-runs', body),
  cancel: (id: string) => api<PlaybookRun>('POST', `/api/playbook-runs/${enc(id)}/cancel`),
  retry: (id: string) => api<PlaybookRun>('POST', `/api/playbook-runs/${enc(id)}/retry`),
  tasks: (incidentId: string | undefined, signal?: AbortSignal) =>
    api<{ results: ManualTask[] }>('GET', `/api/playbook-tasks${qs({ incidentId })}`, undefined, { signal }),
  answer: (runId: string, stepId: string, answer: Record<string, unknown>) =>
    api<RunDetail>('POST', `/api/playbook-runs/${enc(runId)}/steps/${enc(stepId)}/answer`, { answer }),
};
