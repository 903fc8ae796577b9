import type { EncodedIncident, NewIncident } from '../../store/types.ts';

/**
 * An incident from its encoded columns (as the decoder's thread made them): the store writes
 * `encoded` as it is, and `fields`/`raw` are parsed only if something reads them (a playbook's
 * trigger, a sink's route, a printed line), once.
 */
export function decodedIncident(encoded: EncodedIncident): NewIncident {
  const [id, alertEventId, name, occurred, , severity, fieldsJson, rawJson] = encoded.values;
  let fields: Record<string, unknown> | undefined;
  let raw: Record<string, unknown> | undefined;
  const incident = {
    id,
    alertEventId,
    name,
    occurred,
    severity,
    get fields() {
      return (fields ??= JSON.parse(fieldsJson) as Record<string, unknown>);
    },
    get raw() {
      return (raw ??= JSON.parse(rawJson) as Record<string, unknown>);
    },
  };
  // Not enumerable: a printed or spread incident is as before.
  return Object.defineProperty(incident, 'encoded', { value: encoded });
}
