import { Type, type Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { Clock } from '../context.ts';
import type { SiemClient } from '../client/types.ts';
import type { CasePatch } from '../cases/schemas.ts';
import type { Incident } from '../store/types.ts';
import type { Playbook, Step } from './definition/schema.ts';
import type { PlaybookLoadCode } from '../errors.ts';

/*
 * The seams between the playbook parts: definition (loader, static check, expressions), the
 * engine (journal, worker, control flow, triggers) and the surfaces (API, CLI, console).
 */

export const RunStatus = Type.Union(
  ['pending', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'timed-out'].map((s) =>
    Type.Literal(s),
  ),
);
export type RunStatus =
  'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'timed-out';

export const StepStatus = Type.Union(
  ['ready', 'leased', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled'].map((s) => Type.Literal(s)),
);
export type StepStatus = 'ready' | 'leased' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/** One execution unit of a run: a step, or one item of a foreach (`item` is its index). */
export const StepRun = Type.Object({
  stepId: Type.String(),
  kind: Type.String(),
  item: Type.Union([Type.Integer(), Type.Null()]),
  attempt: Type.Integer({ description: '1 for the first; a lease that expires re-claims the same attempt' }),
  status: StepStatus,
  input: Type.Unknown({ description: 'the rendered input (secrets redacted)' }),
  output: Type.Unknown(),
  error: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  dueAt: Type.Union([Type.String(), Type.Null()], { description: 'a wait or a retry backoff' }),
});
export type StepRun = Static<typeof StepRun>;

export const PlaybookRun = Type.Object({
  id: Type.String(),
  playbook: Type.String(),
  version: Type.Integer(),
  incidentId: Type.Union([Type.String(), Type.Null()]),
  status: RunStatus,
  trigger: Type.Union([Type.Literal('incident.created'), Type.Literal('manual'), Type.Literal('playbook')]),
  startedBy: Type.String({ description: 'username, API key name, "trigger", or the parent run id' }),
  parentRunId: Type.Union([Type.String(), Type.Null()]),
  inputs: Type.Unknown(),
  outputs: Type.Unknown(),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  deadlineAt: Type.String(),
  endedAt: Type.Union([Type.String(), Type.Null()]),
});
export type PlaybookRun = Static<typeof PlaybookRun>;

export const RunDetail = Type.Composite([
  PlaybookRun,
  Type.Object({
    /** Who cancelled the run (user or API key), null unless a person cancelled it. */
    cancelledBy: Type.Union([Type.String(), Type.Null()]),
    steps: Type.Array(StepRun),
  }),
]);
export type RunDetail = Static<typeof RunDetail>;

/** A manual step waiting for an analyst. */
export const ManualTask = Type.Object({
  runId: Type.String(),
  stepId: Type.String(),
  incidentId: Type.Union([Type.String(), Type.Null()]),
  prompt: Type.String(),
  assignee: Type.Union([Type.String(), Type.Null()]),
  form: Type.Unknown({ description: 'the step form: field name → {type, label, required, options}' }),
  createdAt: Type.String(),
});
export type ManualTask = Static<typeof ManualTask>;

/** What the scope of a step's expressions holds. */
export interface RunScope {
  incident: Incident | null;
  inputs: Record<string, unknown>;
  /** Every succeeded step so far: `steps.<id>.output` (immutable), `.status`, `.error`. */
  steps: Record<string, { output: unknown; status: StepStatus; error: string | null }>;
  item?: unknown;
  index?: number;
  run: { id: string; playbook: string; version: number };
}

/** A change to our own store, applied by the journal in the transaction that completes the step. */
export type LocalEffect =
  | {
      kind: 'update-incident';
      incidentId: string;
      patch: Partial<CasePatch>;
      addTags?: string[];
      removeTags?: string[];
      note?: string;
    }
  | { kind: 'enqueue-delivery'; sink: string; incidentId: string; idempotencyKey: string; message?: unknown };

/** What an executor step needs. Given by the worker, never global. */
export interface StepContext {
  runId: string;
  stepId: string;
  item: number | null;
  attempt: number;
  /** `runId:stepId:item:attempt` (item `-` when none): sent with every outgoing call that takes one. */
  idempotencyKey: string;
  /** Aborted at the step's timeout, on cancel, or on shutdown. */
  signal: AbortSignal;
  clock: Clock;
  logger: Logger;
  scope: RunScope;
  /** Renders a template (see definition/schema.ts) in this step's scope; `secrets` adds `secrets.*`. */
  render(template: unknown, secrets?: Record<string, string>): Promise<unknown>;
  client: SiemClient;
  env: Record<string, string | undefined>;
  /** Configured sink names (a deliver step to another is refused). */
  sinks: readonly string[];
}

/** The result of an executor step: its output, and store changes to commit with it. */
export interface StepOutcome {
  output: unknown;
  /** The rendered input to show in the console (secrets redacted). */
  input?: unknown;
  effects?: LocalEffect[];
}

/**
 * An executor step kind (command, http, set, update-incident, deliver): one file each under
 * steps/. Control flow (switch, foreach, playbook, manual, wait, end, fail) is the engine's own.
 */
export interface StepExecutor<S extends Step = Step> {
  kind: S['kind'];
  execute(step: S, ctx: StepContext): Promise<StepOutcome>;
}

/** The engine as the API, the CLI and `up` use it. */
export interface PlaybookService {
  /** The loaded playbooks (every version), and load errors (file, line, step, message). */
  list(): { playbooks: LoadedPlaybook[]; errors: LoadError[] };
  /** A manual run on an incident (or none), with inputs checked against the declared ones. */
  start(req: {
    playbook: string;
    version?: number;
    incidentId: string | null;
    inputs?: Record<string, unknown>;
    startedBy: string;
  }): Promise<PlaybookRun>;
  runs(q: {
    incidentId?: string;
    status?: RunStatus[];
    playbook?: string;
    limit: number;
    before?: string;
  }): Promise<PlaybookRun[]>;
  run(id: string): Promise<RunDetail | null>;
  cancel(id: string, by: string): Promise<PlaybookRun | null>;
  /** Re-runs a failed / timed-out run from its failed step (a new attempt; committed steps stay). */
  retry(id: string, by: string): Promise<PlaybookRun | null>;
  tasks(q: { incidentId?: string }): Promise<ManualTask[]>;
  answer(
    runId: string,
    stepId: string,
    answer: Record<string, unknown>,
    by: string,
  ): Promise<RunDetail | null>;
  close(): Promise<void>;
}

export interface LoadedPlaybook {
  file: string;
  definition: Playbook;
  builtin: boolean;
}

export interface LoadError {
  file: string;
  line: number | null;
  step: string | null;
  /** Stable code from the connector's errors.ts, e.g. PLAYBOOK_UNKNOWN_REFERENCE. */
  code: PlaybookLoadCode;
  message: string;
}
