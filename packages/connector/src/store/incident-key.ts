import { ConnectorError } from '../errors.ts';
import { incidentId } from '../fetch/mapping.ts';
import type { NewIncident } from './types.ts';

/**
 * The stores keep one unique index on incidents, the id's: an incident's id is its alert event
 * id's (`incidentId`), so it also keeps alert ids unique (INSERT OR IGNORE / ON CONFLICT dedupe by
 * alert id). An incident with any other id would slip past that dedupe: refused, with its commit.
 */
export function checkIncidentKey(i: NewIncident): void {
  if (i.id === incidentId(i.alertEventId)) return;
  throw new ConnectorError({
    code: 'INCIDENT_ID_MISMATCH',
    message: `incident id "${i.id}" is not the one of its alert event id "${i.alertEventId}" ("${incidentId(i.alertEventId)}"); nothing of this commit was stored`,
  });
}

/** The incident ids of these alert event ids, each mapped back to its alert event id. */
export function idsOfAlerts(alertEventIds: readonly string[]): Map<string, string> {
  return new Map(alertEventIds.map((a) => [incidentId(a), a]));
}
