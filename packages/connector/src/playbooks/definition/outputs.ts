import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { FeedContext, FeedEvent, SiemAccount } from '@siemlink/contracts';
import type { FormField, Playbook, Step } from './schema.ts';

/**
 * What each step kind leaves in `steps.<id>.output`: the static check resolves every
 * `steps.<id>.output...` path against these, so they must match what the executors return.
 */

const OpenObject = Type.Record(Type.String(), Type.Unknown());

/** Outputs of the integration commands, from their result types (commands/*.ts). */
export const CommandOutputs = {
  'search-logs': Type.Object({
    query: Type.String(),
    from: Type.String(),
    to: Type.String(),
    total: Type.Number(),
    /** `_source` of each hit: log fields are whatever was shipped. */
    hits: Type.Array(OpenObject),
    notes: Type.Array(Type.String()),
  }),
  'get-logs-by-event-id': Type.Object({ alertEventId: Type.String(), logs: Type.Array(OpenObject) }),
  /** The feed read once (never followed in a step): its events and the last offset context. */
  'security-events': Type.Object({
    events: Type.Array(FeedEvent),
    context: Type.Union([FeedContext, Type.Null()]),
  }),
  /** The new account; its API token is left out on purpose (step outputs are stored and shown). */
  'create-siem-account': Type.Object({ account: SiemAccount }),
} satisfies Record<string, TObject>;
export type CommandName = keyof typeof CommandOutputs;

export const HttpOutput = Type.Object({
  status: Type.Integer(),
  headers: Type.Record(Type.String(), Type.String()),
  /** Parsed JSON when the response says JSON, else the text. */
  body: Type.Unknown(),
});

/** The change applied (steps/update-incident.ts): the effect commits with the step, so not the incident after it. */
export const UpdateIncidentOutput = Type.Object({
  status: Type.Optional(Type.String()),
  severity: Type.Optional(Type.Number()),
  owner: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  closeReason: Type.Optional(Type.String()),
  addTags: Type.Optional(Type.Array(Type.String())),
  removeTags: Type.Optional(Type.Array(Type.String())),
  note: Type.Optional(Type.String()),
});
/** What steps/deliver.ts returns: the outbox row is written with the step, its id is not known before. */
export const DeliverOutput = Type.Object({
  sink: Type.String(),
  incidentId: Type.String(),
  idempotencyKey: Type.String(),
});

export function setOutput(values: Record<string, unknown>): TObject {
  return Type.Object(Object.fromEntries(Object.keys(values).map((k) => [k, Type.Unknown()])));
}

export function manualOutput(form: Record<string, FormField> | undefined): TObject {
  const fields: Record<string, TSchema> = {};
  for (const [name, f] of Object.entries(form ?? {})) {
    const t = f.type === 'number' ? Type.Number() : f.type === 'boolean' ? Type.Boolean() : Type.String();
    fields[name] = f.required ? t : Type.Optional(t);
  }
  return Type.Object({ ...fields, answeredBy: Type.String(), answeredAt: Type.String() });
}

/**
 * The engine's foreach output: each item's output, in item order (engine/execute.ts). Every item
 * succeeded, or the foreach failed (its status and error per item are in the run's step rows).
 */
export function foreachOutput(body: TSchema): TSchema {
  return Type.Array(body);
}

/** A sub-playbook's output: its declared outputs (their values are whatever the expressions give). */
export function playbookOutput(sub: Playbook | undefined): TSchema {
  if (!sub) return Type.Unknown();
  return Type.Object(Object.fromEntries(Object.keys(sub.outputs ?? {}).map((k) => [k, Type.Unknown()])));
}

const NoOutput = Type.Object({});
/** What the engine records for its own control-flow steps (engine/execute.ts). */
export const SwitchOutput = Type.Object({
  case: Type.Union([Type.Integer(), Type.Null()], {
    description: 'the index of the case taken; null: default',
  }),
  next: Type.String(),
});
export const WaitOutput = Type.Object({ until: Type.Union([Type.String(), Type.Null()]) });

/**
 * The output schema of a step (or a foreach body). `subPlaybook` resolves a `playbook` step's
 * target (undefined when unknown: then anything goes, the unknown target is its own error).
 */
export function stepOutputSchema(
  step: Step | (Step & { kind: string }),
  subPlaybook: (name: string, version?: number) => Playbook | undefined,
): TSchema {
  switch (step.kind) {
    case 'command':
      return CommandOutputs[step.command as CommandName] ?? Type.Unknown();
    case 'http':
      return HttpOutput;
    case 'set':
      return setOutput(step.values);
    case 'update-incident':
      return UpdateIncidentOutput;
    case 'deliver':
      return DeliverOutput;
    case 'playbook':
      return playbookOutput(subPlaybook(step.playbook, step.version));
    case 'manual':
      return manualOutput(step.form);
    case 'foreach':
      return foreachOutput(stepOutputSchema(step.do as Step, subPlaybook));
    case 'switch':
      return SwitchOutput;
    case 'wait':
      return WaitOutput;
    default:
      return NoOutput;
  }
}
