/** The playbook shapes of the connector's API (connector: playbooks/types.ts, api/playbooks-schemas.ts). */

export type RunStatus =
  'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'timed-out';
export const RUN_STATUSES: RunStatus[] = [
  'pending',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'cancelled',
  'timed-out',
];
export const ENDED: RunStatus[] = ['succeeded', 'failed', 'cancelled', 'timed-out'];
export const RETRYABLE: RunStatus[] = ['failed', 'timed-out', 'cancelled'];

export interface PlaybookRun {
  id: string;
  playbook: string;
  version: number;
  incidentId: string | null;
  status: RunStatus;
  trigger: 'incident.created' | 'manual' | 'playbook';
  startedBy: string;
  parentRunId: string | null;
  inputs: unknown;
  outputs: unknown;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  deadlineAt: string;
  endedAt: string | null;
}

export interface StepRun {
  stepId: string;
  kind: string;
  item: number | null;
  attempt: number;
  status: string;
  input: unknown;
  output: unknown;
  error: string | null;
  startedAt: string | null;
  endedAt: string | null;
  dueAt: string | null;
}

export interface RunDetail extends PlaybookRun {
  /** Who cancelled the run (user or API key), null unless someone did. */
  cancelledBy: string | null;
  steps: StepRun[];
}

export interface FormField {
  type: 'string' | 'number' | 'boolean';
  label?: string;
  required?: boolean;
  options?: string[];
}

export interface ManualTask {
  runId: string;
  stepId: string;
  incidentId: string | null;
  prompt: string;
  assignee: string | null;
  form: Record<string, FormField> | null;
  createdAt: string;
}

export interface InputDecl {
  type: 'string' | 'number' | 'boolean' | 'array' | 'object';
  default?: unknown;
  required?: boolean;
  description?: string;
}

export interface PlaybookSummary {
  name: string;
  version: number;
  description: string | null;
  enabled: boolean;
  builtin: boolean;
  file: string;
  trigger: { on: string; when?: string } | null;
  inputs: Record<string, InputDecl>;
  steps: { id: string; kind: string; name: string | null }[];
}

export interface LoadError {
  file: string;
  line: number | null;
  step: string | null;
  code: string;
  message: string;
}
