import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * A playbook as written in its YAML file: the single source of truth for the loader (validation,
 * the published JSON Schema) and the engine (the types it interprets).
 *
 * Values are of two sorts:
 * - an **expression** (`Expr`): JSONata over the run's scope `{ incident, inputs, steps, item,
 *   index, run }`, e.g. `incident.severity >= 3`, `steps.hunt.output.total`;
 * - a **template** (`Template`): any YAML value; a string that is exactly `${ expr }` becomes the
 *   expression's value (any type), a string containing `${ expr }` parts is interpolated into a
 *   string, anything else is a literal. Objects and arrays are templates all the way down.
 * Step outputs are immutable and addressed only as `steps.<id>.output...`; there is no global
 * mutable context.
 */

/** A step id is also a JSONata name (`steps.<id>`), so no hyphens. */
export const StepId = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 64 });
/** `250ms`, `30s`, `5m`, `2h`, `1d`. */
export const Duration = Type.String({ pattern: '^[0-9]+(ms|s|m|h|d)$' });
export const Expr = Type.String({ minLength: 1, description: 'a JSONata expression over the run scope' });
export const Template = Type.Unknown({ description: 'a literal, or a string with ${ expr } parts' });

export const InputType = Type.Union([
  Type.Literal('string'),
  Type.Literal('number'),
  Type.Literal('boolean'),
  Type.Literal('array'),
  Type.Literal('object'),
]);
export type InputType = Static<typeof InputType>;

export const InputDecl = Type.Object(
  {
    type: InputType,
    default: Type.Optional(Type.Unknown()),
    required: Type.Optional(Type.Boolean({ default: false })),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type InputDecl = Static<typeof InputDecl>;

export const Retry = Type.Object(
  {
    max: Type.Integer({ minimum: 0, maximum: 20, description: 'retries after the first attempt' }),
    backoff: Type.Optional(Duration),
    /** What is retried: an error the step answered, and/or its timeout. Default both. */
    on: Type.Optional(
      Type.Array(Type.Union([Type.Literal('error'), Type.Literal('timeout')]), { minItems: 1 }),
    ),
  },
  { additionalProperties: false },
);
export type Retry = Static<typeof Retry>;

/** Fields every step has. `next` defaults to the step that follows in the list (none: the run ends). */
const common = {
  id: StepId,
  name: Type.Optional(Type.String({ description: 'shown in the console' })),
  next: Type.Optional(StepId),
  timeout: Type.Optional(Duration),
  retry: Type.Optional(Retry),
  'on-error': Type.Optional(StepId),
};

function step<K extends string, P extends Record<string, TSchema>>(kind: K, props: P) {
  return Type.Object({ ...common, kind: Type.Literal(kind), ...props }, { additionalProperties: false });
}
/** The body of a foreach: a step without id and flow fields (its item is `item`, `index`). */
function body<K extends string, P extends Record<string, TSchema>>(kind: K, props: P) {
  return Type.Object(
    { kind: Type.Literal(kind), timeout: Type.Optional(Duration), retry: Type.Optional(Retry), ...props },
    { additionalProperties: false },
  );
}

const commandProps = {
  command: Type.Union(
    ['search-logs', 'get-logs-by-event-id', 'security-events', 'create-siem-account'].map((c) =>
      Type.Literal(c),
    ),
  ),
  with: Type.Optional(Type.Record(Type.String(), Template)),
};
const httpProps = {
  method: Type.Optional(
    Type.Union(
      ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => Type.Literal(m)),
      { default: 'POST' },
    ),
  ),
  url: Template,
  headers: Type.Optional(Type.Record(Type.String(), Template)),
  body: Type.Optional(Template),
  /** name → environment variable; used as `${ secrets.name }` in url/headers/body, never stored or logged. */
  secrets: Type.Optional(
    Type.Record(
      Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
      Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$' }),
    ),
  ),
};
const setProps = { values: Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Template) };
const updateIncidentProps = {
  status: Type.Optional(Template),
  severity: Type.Optional(Template),
  owner: Type.Optional(Template),
  /** Tags added / removed (the rest are kept). */
  addTags: Type.Optional(Template),
  removeTags: Type.Optional(Template),
  note: Type.Optional(Template),
  /** Required with `status: closed` (the case store's rule): resolved, false_positive, duplicate, ... */
  closeReason: Type.Optional(Template),
};
const deliverProps = {
  /** A configured sink name, or a template rendering to one (`${ inputs.blockSink }`), checked when the step runs. */
  sink: Type.String({
    minLength: 1,
    description: 'a configured sink name, or a ${ expr } template giving one',
  }),
  /** Extra message fields sent with the incident (rendered at run time). */
  message: Type.Optional(Template),
};
const playbookProps = {
  playbook: Type.String({ minLength: 1 }),
  version: Type.Optional(Type.Integer({ minimum: 1 })),
  with: Type.Optional(Type.Record(Type.String(), Template)),
};

export const FormField = Type.Object(
  {
    type: Type.Union([Type.Literal('string'), Type.Literal('number'), Type.Literal('boolean')]),
    label: Type.Optional(Type.String()),
    required: Type.Optional(Type.Boolean()),
    options: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
  },
  { additionalProperties: false },
);
export type FormField = Static<typeof FormField>;

export const CommandStep = step('command', commandProps);
export const HttpStep = step('http', httpProps);
export const SetStep = step('set', setProps);
export const SwitchStep = step('switch', {
  cases: Type.Array(Type.Object({ when: Expr, next: StepId }, { additionalProperties: false }), {
    minItems: 1,
  }),
  /** Mandatory: a switch where no case matches never stalls the run. */
  default: StepId,
});
export const ForeachBody = Type.Union([
  body('command', commandProps),
  body('http', httpProps),
  body('set', setProps),
  body('update-incident', updateIncidentProps),
  body('deliver', deliverProps),
  body('playbook', playbookProps),
]);
export type ForeachBody = Static<typeof ForeachBody>;
export const ForeachStep = step('foreach', {
  items: Expr,
  concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 1 })),
  do: ForeachBody,
});
export const PlaybookStep = step('playbook', playbookProps);
export const UpdateIncidentStep = step('update-incident', updateIncidentProps);
export const ManualStep = step('manual', {
  prompt: Template,
  /** Who may answer (a username); anyone with the analyst role when absent. */
  assignee: Type.Optional(Template),
  form: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), FormField)),
});
export const WaitStep = step('wait', {
  duration: Type.Optional(Duration),
  /** An expression giving an ISO 8601 time or epoch ms. */
  until: Type.Optional(Expr),
});
export const DeliverStep = step('deliver', deliverProps);
export const EndStep = step('end', {});
export const FailStep = step('fail', { message: Template });

export const Step = Type.Union([
  CommandStep,
  HttpStep,
  SetStep,
  SwitchStep,
  ForeachStep,
  PlaybookStep,
  UpdateIncidentStep,
  ManualStep,
  WaitStep,
  DeliverStep,
  EndStep,
  FailStep,
]);
export type Step = Static<typeof Step>;
export type StepKindName = Step['kind'];

export const Trigger = Type.Object(
  {
    on: Type.Literal('incident.created'),
    /** A condition over `incident` (name, severity, fields.groupBy values, tags); absent: every incident. */
    when: Type.Optional(Expr),
  },
  { additionalProperties: false },
);
export type Trigger = Static<typeof Trigger>;

export const Playbook = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 100 }),
    version: Type.Integer({ minimum: 1 }),
    description: Type.Optional(Type.String()),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    inputs: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), InputDecl)),
    /** name → expression evaluated when the run ends successfully. */
    outputs: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Expr)),
    trigger: Type.Optional(Trigger),
    /** The whole run's deadline; past it the watchdog marks the run `timed-out`. Default 1h. */
    deadline: Type.Optional(Duration),
    steps: Type.Array(Step, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type Playbook = Static<typeof Playbook>;
