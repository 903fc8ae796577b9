import type { FeedEvent, SecurityEvent } from '@siemlink/contracts';
import type { NewIncident } from '../store/types.ts';
import { eventDateMs } from './event-date.ts';

/** Logz.io severity onto the XSOAR scale; anything else is unclassified (0). */
export const XSOAR_SEVERITY: Readonly<Record<string, number>> = {
  INFO: 0.5,
  LOW: 1,
  MEDIUM: 2,
  HIGH: 3,
  SEVERE: 4,
};
export const UNCLASSIFIED = 0;

/** Incident id from the source event only (rule 2): the same event always maps to the same id. */
export function incidentId(alertEventId: string): string {
  return `logzio:${alertEventId}`;
}

/** Where the mapping's warnings go: a pino logger, or the feed decoder's collector. */
export interface MappingLogger {
  warn(obj: { alertEventId: string } & Record<string, unknown>, msg: string): void;
}

/**
 * A security event (from `events/search` or the feed) to an incident. Never throws on data: an
 * unknown severity becomes 0 with a warning, a missing groupBy is an empty namespace.
 */
export function eventToIncident(event: SecurityEvent | FeedEvent, logger: MappingLogger): NewIncident {
  const label = String(event.severity).toUpperCase();
  let severity = XSOAR_SEVERITY[label];
  if (severity === undefined) {
    logger.warn(
      { alertEventId: event.alertEventId, severity: event.severity },
      'unknown severity; incident is unclassified (0)',
    );
    severity = UNCLASSIFIED;
  }
  const fields: Record<string, unknown> = {
    alertId: event.alertId,
    alertEventId: event.alertEventId,
    alertSummary: event.alertSummary,
    description: event.description,
    tags: event.tags ?? [],
    mitreTags: event.mitreTags ?? [],
    hits: event.hits,
    severityLabel: event.severity,
  };
  // Own namespace so a group-by field can never overwrite one of the fields above.
  for (const [k, v] of Object.entries(event.groupBy ?? {})) fields[`groupBy.${k}`] = v;
  if ('configId' in event) fields.configId = event.configId;
  return {
    id: incidentId(event.alertEventId),
    alertEventId: event.alertEventId,
    name: event.name,
    occurred: new Date(eventDateMs(event.eventDate)).toISOString(),
    severity,
    fields,
    raw: { ...event } as Record<string, unknown>,
  };
}
