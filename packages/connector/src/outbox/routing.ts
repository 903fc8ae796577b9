import { Type, type Static } from '@sinclair/typebox';
import type { NewIncident } from '../store/types.ts';

/**
 * Which incidents a sink receives. Every given criterion must hold; within one, any value may
 * match. Severity is on the XSOAR scale the incidents carry (0..4).
 */
export const SinkFilter = Type.Object(
  {
    minSeverity: Type.Optional(Type.Number({ minimum: 0, maximum: 4 })),
    severities: Type.Optional(Type.Array(Type.Number({ minimum: 0, maximum: 4 }), { minItems: 1 })),
    /** Exact rule names (the incident name). */
    rules: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    /** Rule tags; an incident matches when it carries any of them. */
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  },
  { additionalProperties: false },
);
export type SinkFilter = Static<typeof SinkFilter>;

/** A sink as the store sees it when it writes outbox rows. */
export interface OutboxRoute {
  sink: string;
  filter?: SinkFilter;
}

export function matchesFilter(filter: SinkFilter | undefined, i: NewIncident): boolean {
  if (!filter) return true;
  if (filter.minSeverity !== undefined && i.severity < filter.minSeverity) return false;
  if (filter.severities && !filter.severities.includes(i.severity)) return false;
  if (filter.rules && !filter.rules.includes(i.name)) return false;
  if (filter.tags) {
    const tags = Array.isArray(i.fields.tags) ? (i.fields.tags as unknown[]) : [];
    if (!filter.tags.some((t) => tags.includes(t))) return false;
  }
  return true;
}

/** The sinks that get an outbox row for this incident. */
export function sinksFor(routes: readonly OutboxRoute[], i: NewIncident): string[] {
  return routes.filter((r) => matchesFilter(r.filter, i)).map((r) => r.sink);
}
