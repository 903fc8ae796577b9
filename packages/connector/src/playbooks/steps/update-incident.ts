import { CLOSE_REASONS, type CasePatch } from '../../cases/schemas.ts';
import { playbookStepError } from '../../errors.ts';
import type { UpdateIncidentStep } from '../definition/schema.ts';
import type { StepExecutor } from '../types.ts';
import type { Static } from '@sinclair/typebox';

type Step = Static<typeof UpdateIncidentStep>;

const SEVERITY_NAMES: Record<string, number> = {
  UNCLASSIFIED: 0,
  INFO: 0.5,
  LOW: 1,
  MEDIUM: 2,
  HIGH: 3,
  SEVERE: 4,
};
const SEVERITIES = [0, 0.5, 1, 2, 3, 4];

const bad = (field: string, message: string) =>
  playbookStepError('PLAYBOOK_STEP_INVALID', `update-incident.${field}: ${message}`);

function tagList(field: string, v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : [v];
  for (const t of list) {
    if (typeof t !== 'string' || !/^[^,\s]{1,64}$/.test(t)) {
      throw bad(
        field,
        `tags are strings of 1-64 characters without commas or spaces, got ${JSON.stringify(t)}`,
      );
    }
  }
  return list as string[];
}

/**
 * Changes the run's incident (status, severity, owner, tags, a note). The change is a LocalEffect:
 * the journal applies it with the case store's rules, in the transaction that completes the step,
 * with timeline entries whose actor is the playbook run.
 */
export const updateIncidentExecutor: StepExecutor<Step> = {
  kind: 'update-incident',
  async execute(step, ctx) {
    const incident = ctx.scope.incident;
    if (!incident)
      throw playbookStepError('PLAYBOOK_NO_INCIDENT', 'update-incident needs a run on an incident');
    const r = async (t: unknown) => (t === undefined ? undefined : ctx.render(t));
    const [status, severity, owner, addTags, removeTags, note, closeReason] = await Promise.all([
      r(step.status),
      r(step.severity),
      r(step.owner),
      r(step.addTags),
      r(step.removeTags),
      r(step.note),
      r(step.closeReason),
    ]);
    const patch: Partial<CasePatch> = {};
    if (status !== undefined && status !== null) {
      if (status !== 'new' && status !== 'active' && status !== 'closed') {
        throw bad('status', `must be new, active or closed, got ${JSON.stringify(status)}`);
      }
      patch.status = status;
    }
    if (severity !== undefined && severity !== null) {
      const n = typeof severity === 'string' ? SEVERITY_NAMES[severity.toUpperCase()] : severity;
      if (typeof n !== 'number' || !SEVERITIES.includes(n)) {
        throw bad(
          'severity',
          `must be one of ${SEVERITIES.join(', ')} or INFO, LOW, MEDIUM, HIGH, SEVERE; got ${JSON.stringify(severity)}`,
        );
      }
      patch.severity = n as CasePatch['severity'];
    }
    if (owner !== undefined) {
      if (owner !== null && (typeof owner !== 'string' || owner.length === 0 || owner.length > 200)) {
        throw bad('owner', `must be a username (1-200 characters) or null, got ${JSON.stringify(owner)}`);
      }
      patch.owner = owner;
    }
    if (closeReason !== undefined && closeReason !== null) {
      if (!(CLOSE_REASONS as readonly unknown[]).includes(closeReason)) {
        throw bad('closeReason', `must be one of ${CLOSE_REASONS.join(', ')}`);
      }
      patch.closeReason = closeReason as CasePatch['closeReason'];
    }
    if (patch.status === 'closed' && incident.status !== 'closed' && patch.closeReason === undefined) {
      throw bad('closeReason', `is required to close an incident (${CLOSE_REASONS.join(', ')})`);
    }
    const add = tagList('addTags', addTags);
    const remove = tagList('removeTags', removeTags);
    const text =
      note === undefined || note === null
        ? undefined
        : typeof note === 'string'
          ? note
          : JSON.stringify(note);
    const input = { ...patch, addTags: add, removeTags: remove, note: text };
    return {
      input,
      output: input,
      effects: [
        {
          kind: 'update-incident',
          incidentId: incident.id,
          patch,
          ...(add ? { addTags: add } : {}),
          ...(remove ? { removeTags: remove } : {}),
          ...(text !== undefined ? { note: text } : {}),
        },
      ],
    };
  },
};
