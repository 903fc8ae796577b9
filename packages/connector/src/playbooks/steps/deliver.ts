import type { Static } from '@sinclair/typebox';
import { playbookStepError } from '../../errors.ts';
import type { DeliverStep } from '../definition/schema.ts';
import type { StepExecutor } from '../types.ts';

type Step = Static<typeof DeliverStep>;

/**
 * Sends the run's incident to a configured sink through the outbox: the outbox row is a
 * LocalEffect, written in the transaction that completes the step, so it is enqueued exactly once
 * whatever happens to the worker; the sink then delivers it at least once (idempotent on the
 * incident id). The rendered message travels in pb_deliveries under the step's idempotency key.
 */
export const deliverExecutor: StepExecutor<Step> = {
  kind: 'deliver',
  async execute(step, ctx) {
    const incident = ctx.scope.incident;
    if (!incident) throw playbookStepError('PLAYBOOK_NO_INCIDENT', 'deliver needs a run on an incident');
    if (!ctx.sinks.includes(step.sink)) {
      throw playbookStepError(
        'PLAYBOOK_UNKNOWN_SINK',
        `deliver.sink: no sink "${step.sink}" is configured${ctx.sinks.length ? ` (configured: ${ctx.sinks.join(', ')})` : ''}`,
      );
    }
    const message = step.message === undefined ? undefined : await ctx.render(step.message);
    const input = { sink: step.sink, message: message ?? null };
    return {
      input,
      output: { sink: step.sink, incidentId: incident.id, idempotencyKey: ctx.idempotencyKey },
      effects: [
        {
          kind: 'enqueue-delivery',
          sink: step.sink,
          incidentId: incident.id,
          idempotencyKey: ctx.idempotencyKey,
          ...(message === undefined ? {} : { message }),
        },
      ],
    };
  },
};
