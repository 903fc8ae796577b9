import { Type, type Static } from '@sinclair/typebox';
import { defineSink } from '../define.ts';

export const DEFAULT_THEHIVE_KEY_ENV = 'SIEMLINK_THEHIVE_API_KEY';

/** What a TheHive custom field may hold, by name: a fact of the incident. */
export const TheHiveCustomFieldSource = Type.Union([
  Type.Literal('alertEventId'),
  Type.Literal('incidentId'),
  Type.Literal('rule'),
  Type.Literal('ruleId'),
  Type.Literal('severityLabel'),
  Type.Literal('alertSummary'),
]);
export type TheHiveCustomFieldSource = Static<typeof TheHiveCustomFieldSource>;

export const TheHiveSettings = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://',
      description: 'TheHive base URL, e.g. https://thehive.example:9000',
    }),
    apiKeyEnv: Type.String({
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      default: DEFAULT_THEHIVE_KEY_ENV,
      description: 'environment variable holding the API key',
    }),
    organisation: Type.Optional(Type.String({ minLength: 1, description: 'sent as X-Organisation' })),
    type: Type.String({ minLength: 1, default: 'logzio' }),
    source: Type.String({ minLength: 1, default: 'siemlink' }),
    tlp: Type.Integer({ minimum: 0, maximum: 4, default: 2 }),
    pap: Type.Integer({ minimum: 0, maximum: 3, default: 2 }),
    customFields: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), TheHiveCustomFieldSource, {
        description:
          'TheHive custom field name -> incident fact (alertEventId, incidentId, rule, ruleId, severityLabel, alertSummary)',
      }),
    ),
    consoleUrl: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:3000' }),
  },
  { additionalProperties: false },
);
export type TheHiveSettings = Static<typeof TheHiveSettings>;

/**
 * TheHive 5: `POST /api/v1/alert` with `Authorization: Bearer <key>`. (type, source, sourceRef)
 * is unique and sourceRef is the incident id, so TheHive itself deduplicates: its 400 "already
 * exists" answer means delivered (the alert's `_id` is then looked up by sourceRef, best effort).
 * The remote id is the alert `_id`. 401/403 and other 4xx are dead letters at once.
 */
export const theHiveSink = defineSink({
  kind: 'thehive',
  description: 'create a TheHive 5 alert per incident (sourceRef = incident id)',
  settings: TheHiveSettings,
  defaults: { concurrency: 4, batchSize: 100, ordered: true },
  fromTarget: (target) => ({ url: target }),
  // The implementation (and its client library) is imported only when a sink of this kind opens.
  async create(settings, ctx) {
    return (await import('../thehive.ts')).createTheHiveSink(settings, ctx);
  },
});
