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

/**
 * `JSON.stringify(incident)`, the same text, made from its encoded columns when it has them
 * (a decoded incident's `fields` and `raw` are then never parsed only to be printed). The key
 * order is the mapping's (fetch/mapping.ts), and the encoded JSON was made by JSON.stringify, so
 * it reads back as itself.
 */
export function incidentJson(i: NewIncident): string {
  const e = i.encoded;
  if (!e) return JSON.stringify(i);
  const [id, alertEventId, name, occurred, , severity, fields, raw] = e.values;
  const str = JSON.stringify;
  return `{"id":${str(id)},"alertEventId":${str(alertEventId)},"name":${str(name)},"occurred":${str(occurred)},"severity":${str(severity)},"fields":${fields},"raw":${raw}}`;
}
