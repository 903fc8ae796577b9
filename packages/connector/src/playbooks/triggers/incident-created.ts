import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Incident, NewIncident } from '../../store/types.ts';
import type { Playbook } from '../definition/schema.ts';
import type { NewRun } from '../journal/journal.ts';
import type { TriggerMatcher } from '../journal/store.ts';
import { resolveInputs } from '../engine/catalog.ts';
import { newRun } from '../engine/execute.ts';
import type { Expressions } from '../expressions/expressions.ts';

/** The incident as it will be stored (what `incident.*` reads in a trigger's `when`). */
export function incidentView(i: NewIncident, now: number): Incident {
  const at = new Date(Math.floor(now)).toISOString();
  return {
    ...i,
    originalSeverity: i.severity,
    status: 'new',
    owner: null,
    tags: [],
    closeReason: null,
    closeNotes: null,
    createdAt: at,
    updatedAt: at,
    acknowledgedAt: null,
    closedAt: null,
    timeToAcknowledgeSeconds: null,
    timeToCloseSeconds: null,
  };
}

/** `incident|playbook|version`: a trigger starts at most one run per key. */
export function triggerKey(incidentId: string, pb: Pick<Playbook, 'name' | 'version'>): string {
  return `${incidentId}|${pb.name}|${pb.version}`;
}

/**
 * `on: incident.created`: which runs each new incident starts. Only the highest loaded version of
 * an enabled playbook triggers. A `when` that fails to evaluate is logged and does not match: a
 * broken condition never blocks the incidents' commit.
 */
export function incidentCreatedTrigger(opts: {
  playbooks: readonly Playbook[];
  expressions: Expressions;
  logger: Logger;
}): TriggerMatcher {
  const latest = new Map<string, Playbook>();
  for (const p of opts.playbooks) {
    if (p.enabled === false || !p.trigger) continue;
    const cur = latest.get(p.name);
    if (!cur || cur.version < p.version) latest.set(p.name, p);
  }
  const triggered = [...latest.values()];
  return async (incidents, now) => {
    const out = new Map<string, NewRun[]>();
    if (triggered.length === 0) return out;
    for (const i of incidents) {
      const incident = incidentView(i, now);
      const runs: NewRun[] = [];
      for (const pb of triggered) {
        const when = pb.trigger!.when;
        if (when !== undefined) {
          let v: unknown;
          try {
            v = await opts.expressions.evaluate(when, { incident });
          } catch (err) {
            opts.logger.warn(
              { err, playbook: pb.name, incidentId: i.id },
              'trigger condition failed; no run',
            );
            continue;
          }
          if (v !== true) continue;
        }
        let inputs: Record<string, unknown>;
        try {
          inputs = resolveInputs(pb, {}, 'inputs');
        } catch (err) {
          opts.logger.warn(
            { err, playbook: pb.name },
            'playbook has a required input without default; no triggered run',
          );
          continue;
        }
        runs.push(
          newRun(
            pb,
            {
              id: randomUUID(),
              incidentId: i.id,
              trigger: 'incident.created',
              triggerKey: triggerKey(i.id, pb),
              startedBy: 'trigger',
              parent: null,
              inputs,
            },
            now,
          ),
        );
      }
      if (runs.length) out.set(i.id, runs);
    }
    return out;
  };
}
