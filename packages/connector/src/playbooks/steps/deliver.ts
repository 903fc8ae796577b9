import type { Static } from '@sinclair/typebox';
import { playbookStepError } from '../../errors.ts';
import type { DeliverStep } from '../definition/schema.ts';
import type { StepExecutor } from '../types.ts';

type Step = Static<typeof DeliverStep>;

/**
 * Sends the run's incident to a configured sink through the outbox: the outbox row is a
 * LocalEffect, written in the transaction that completes the step, so it is enqueued exactly once
 * whatever happens to the worker; the sink then delivers it at least once (idempotent on the
 * incident id), with the rendered message (pb_deliveries keeps it under the step's idempotency
 * key; the outbox hands it to the sink). `sink` may be a template (`${ inputs.blockSink }`): the
 * name it renders to must be a configured sink, or the step fails naming the field.
 */
export const deliverExecutor: StepExecutor<Step> = {
  kind: 'deliver',
  async execute(step, ctx) {
    const incident = ctx.scope.incident;
    if (!incident) throw playbookStepError('PLAYBOOK_NO_INCIDENT', 'deliver needs a run on an incident');
    const sink = await ctx.render(step.sink);
    if (typeof sink !== 'string' || sink === '') {
      throw playbookStepError(
        'PLAYBOOK_STEP_INVALID',
        `deliver.sink: must give a sink name, "${step.sink}" gave ${JSON.stringify(sink) ?? 'nothing'}`,
      );
    }
    if (!ctx.sinks.includes(sink)) {
      const from = sink === step.sink ? '' : ` (from "${step.sink}")`;
      throw playbookStepError(
        'PLAYBOOK_UNKNOWN_SINK',
        `deliver.sink: no sink "${sink}"${from} is configured${ctx.sinks.length ? ` (configured: ${ctx.sinks.join(', ')})` : ''}`,
      );
    }
    const message = step.message === undefined ? undefined : await ctx.render(step.message);
    const input = { sink, message: message ?? null };
    return {
      input,
      output: { sink, incidentId: incident.id, idempotencyKey: ctx.idempotencyKey },
      effects: [
        {
          kind: 'enqueue-delivery',
          sink,
          incidentId: incident.id,
          idempotencyKey: ctx.idempotencyKey,
          ...(message === undefined ? {} : { message }),
        },
      ],
    };
  },
};
