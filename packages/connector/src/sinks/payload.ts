import { Type, type Static } from '@sinclair/typebox';
import { Incident } from '../store/types.ts';

/** The version of the incident body sinks send; a breaking change adds a new one beside it. */
export const INCIDENT_BODY_SCHEMA = 'siemlink.incident.v1';

/**
 * What webhook and JetStream sinks carry: an incident, versioned. `version` is the incident's
 * revision (1: as first fetched); the idempotency key is the incident id plus this version, so a
 * later revision sent onward would be a new delivery while any redelivery of one is not.
 */
export const IncidentBodyV1 = Type.Object({
  schema: Type.Literal(INCIDENT_BODY_SCHEMA),
  event: Type.Literal('incident.created'),
  version: Type.Integer({ minimum: 1 }),
  sink: Type.String(),
  incident: Incident,
  /** The message of the playbook `deliver` step that sent the incident onward, as it rendered it. */
  message: Type.Optional(Type.Unknown()),
});
export type IncidentBodyV1 = Static<typeof IncidentBodyV1>;

export const INCIDENT_VERSION = 1;

export function incidentBody(sink: string, incident: Incident, message?: unknown): IncidentBodyV1 {
  return {
    schema: INCIDENT_BODY_SCHEMA,
    event: 'incident.created',
    version: INCIDENT_VERSION,
    sink,
    incident,
    ...(message === undefined ? {} : { message }),
  };
}

/** `Idempotency-Key`: incident id + "/v" + incident version. */
export function idempotencyKey(incident: Incident, version = INCIDENT_VERSION): string {
  return `${incident.id}/v${version}`;
}
