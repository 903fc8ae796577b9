import type { ManualTask, PlaybookRun, RunStatus, StepRun, StepStatus } from '../types.ts';

// BIGINT columns come back from pg as strings; SQLite gives numbers.
type Num = number | string;
type NumOrNull = Num | null;

export interface RunRowDb {
  id: string;
  playbook: string;
  version: Num;
  incident_id: string | null;
  status: RunStatus;
  trigger_kind: PlaybookRun['trigger'];
  trigger_key: string | null;
  started_by: string;
  parent_run_id: string | null;
  parent_step_id: string | null;
  parent_item: NumOrNull;
  inputs: string;
  outputs: string | null;
  error: string | null;
  failed_step: string | null;
  created_at: Num;
  updated_at: Num;
  deadline_at: Num;
  ended_at: NumOrNull;
}

export interface StepRowDb {
  id: Num;
  run_id: string;
  step_id: string;
  item: Num;
  kind: string;
  phase: string;
  attempt: Num;
  status: StepStatus;
  lease_owner: string | null;
  lease_until: NumOrNull;
  due_at: NumOrNull;
  timeout_at: NumOrNull;
  state: string | null;
  input: string | null;
  output: string | null;
  error: string | null;
  error_kind: string | null;
  started_at: NumOrNull;
  ended_at: NumOrNull;
  created_at: Num;
  updated_at: Num;
}

/** Where a claimed row is in its step's life. */
export type Phase = 'start' | 'resume' | 'timeout' | 'queued';

/** A step row as the engine reads it. */
export interface StepRow {
  id: number;
  runId: string;
  stepId: string;
  /** null: the step itself; a number: that foreach item. */
  item: number | null;
  kind: string;
  phase: Phase;
  attempt: number;
  status: StepStatus;
  leaseOwner: string | null;
  dueAt: number | null;
  timeoutAt: number | null;
  state: Record<string, unknown> | null;
  input: unknown;
  output: unknown;
  error: string | null;
  errorKind: 'error' | 'timeout' | null;
  startedAt: number | null;
  endedAt: number | null;
}

/** A run as the engine reads it. */
export interface RunRecord {
  id: string;
  playbook: string;
  version: number;
  incidentId: string | null;
  status: RunStatus;
  trigger: PlaybookRun['trigger'];
  startedBy: string;
  parent: { runId: string; stepId: string; item: number | null } | null;
  inputs: Record<string, unknown>;
  outputs: unknown;
  error: string | null;
  failedStep: string | null;
  createdAt: number;
  updatedAt: number;
  deadlineAt: number;
  endedAt: number | null;
}

const num = (v: NumOrNull) => (v === null ? null : Number(v));
const parse = (v: string | null): unknown => (v === null ? null : JSON.parse(v));
const iso = (v: NumOrNull) => (v === null ? null : new Date(Number(v)).toISOString());

export function toStepRow(r: StepRowDb): StepRow {
  const item = Number(r.item);
  return {
    id: Number(r.id),
    runId: r.run_id,
    stepId: r.step_id,
    item: item < 0 ? null : item,
    kind: r.kind,
    phase: r.phase as Phase,
    attempt: Number(r.attempt),
    status: r.status,
    leaseOwner: r.lease_owner,
    dueAt: num(r.due_at),
    timeoutAt: num(r.timeout_at),
    state: parse(r.state) as Record<string, unknown> | null,
    input: parse(r.input),
    output: parse(r.output),
    error: r.error,
    errorKind: r.error_kind as StepRow['errorKind'],
    startedAt: num(r.started_at),
    endedAt: num(r.ended_at),
  };
}

export function toRunRecord(r: RunRowDb): RunRecord {
  return {
    id: r.id,
    playbook: r.playbook,
    version: Number(r.version),
    incidentId: r.incident_id,
    status: r.status,
    trigger: r.trigger_kind,
    startedBy: r.started_by,
    parent:
      r.parent_run_id === null
        ? null
        : {
            runId: r.parent_run_id,
            stepId: r.parent_step_id!,
            item: r.parent_item === null || Number(r.parent_item) < 0 ? null : Number(r.parent_item),
          },
    inputs: (parse(r.inputs) ?? {}) as Record<string, unknown>,
    outputs: parse(r.outputs),
    error: r.error,
    failedStep: r.failed_step,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    deadlineAt: Number(r.deadline_at),
    endedAt: num(r.ended_at),
  };
}

export function toApiRun(r: RunRowDb): PlaybookRun {
  return {
    id: r.id,
    playbook: r.playbook,
    version: Number(r.version),
    incidentId: r.incident_id,
    status: r.status,
    trigger: r.trigger_kind,
    startedBy: r.started_by,
    parentRunId: r.parent_run_id,
    inputs: parse(r.inputs) ?? {},
    outputs: parse(r.outputs),
    error: r.error,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    deadlineAt: iso(r.deadline_at)!,
    endedAt: iso(r.ended_at),
  };
}

export function toApiStep(r: StepRowDb): StepRun {
  const item = Number(r.item);
  // A leased row's due_at is its lease end: not a time the analyst waits for.
  const due = r.status === 'ready' || r.status === 'waiting' ? iso(r.due_at) : null;
  return {
    stepId: r.step_id,
    kind: r.kind,
    item: item < 0 ? null : item,
    attempt: Number(r.attempt),
    status: r.status,
    input: parse(r.input),
    output: parse(r.output),
    error: r.error,
    startedAt: iso(r.started_at),
    endedAt: iso(r.ended_at),
    dueAt: due,
  };
}

export function toTask(r: StepRowDb & { incident_id: string | null }): ManualTask {
  const input = (parse(r.input) ?? {}) as { prompt?: unknown; assignee?: unknown; form?: unknown };
  return {
    runId: r.run_id,
    stepId: r.step_id,
    incidentId: r.incident_id,
    prompt: typeof input.prompt === 'string' ? input.prompt : JSON.stringify(input.prompt ?? ''),
    assignee: typeof input.assignee === 'string' ? input.assignee : null,
    form: input.form ?? {},
    createdAt: iso(r.updated_at)!,
  };
}
