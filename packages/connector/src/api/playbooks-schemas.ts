import { Type, type Static } from '@sinclair/typebox';
import { InputDecl, Trigger } from '../playbooks/definition/schema.ts';
import { ManualTask, PlaybookRun, RunDetail, RunStatus } from '../playbooks/types.ts';

/** The /api/playbook* request and response shapes (the records themselves are in playbooks/types.ts). */

export const PlaybookSummary = Type.Object({
  name: Type.String(),
  version: Type.Integer(),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  builtin: Type.Boolean(),
  file: Type.String(),
  trigger: Type.Union([Trigger, Type.Null()]),
  inputs: Type.Record(Type.String(), InputDecl),
  steps: Type.Array(
    Type.Object({ id: Type.String(), kind: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
  ),
});
export type PlaybookSummary = Static<typeof PlaybookSummary>;

export const LoadErrorSchema = Type.Object({
  file: Type.String(),
  line: Type.Union([Type.Integer(), Type.Null()]),
  step: Type.Union([Type.String(), Type.Null()]),
  code: Type.String(),
  message: Type.String(),
});

export const PlaybookList = Type.Object({
  enabled: Type.Boolean({ description: 'false: this connector runs no playbook engine (lists are empty)' }),
  playbooks: Type.Array(PlaybookSummary),
  errors: Type.Array(LoadErrorSchema),
});

export const RunsQuery = Type.Object(
  {
    incidentId: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    status: Type.Optional(
      Type.String({
        pattern:
          '^(pending|running|waiting|succeeded|failed|cancelled|timed-out)(,(pending|running|waiting|succeeded|failed|cancelled|timed-out))*$',
        description:
          'comma list of run statuses: pending, running, waiting, succeeded, failed, cancelled, timed-out',
      }),
    ),
    playbook: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    before: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'nextBefore of the previous page' }),
    ),
  },
  { additionalProperties: false },
);
export type RunsQuery = Static<typeof RunsQuery>;

export const RunsPage = Type.Object({
  results: Type.Array(PlaybookRun),
  nextBefore: Type.Union([Type.String(), Type.Null()], { description: 'pass as `before` for the next page' }),
});

export const StartBody = Type.Object(
  {
    playbook: Type.String({ minLength: 1, maxLength: 100 }),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    incidentId: Type.Union([Type.String({ minLength: 1, maxLength: 300 }), Type.Null()]),
    inputs: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type StartBody = Static<typeof StartBody>;

export const RunParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
export type RunParams = Static<typeof RunParams>;

export const StepParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  stepId: Type.String({ minLength: 1, maxLength: 64 }),
});
export type StepParams = Static<typeof StepParams>;

export const AnswerBody = Type.Object(
  { answer: Type.Record(Type.String(), Type.Unknown()) },
  { additionalProperties: false },
);
export type AnswerBody = Static<typeof AnswerBody>;

export const TasksQuery = Type.Object(
  { incidentId: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })) },
  { additionalProperties: false },
);
export type TasksQuery = Static<typeof TasksQuery>;

export const TaskList = Type.Object({ results: Type.Array(ManualTask) });

export { PlaybookRun, RunDetail, RunStatus };
