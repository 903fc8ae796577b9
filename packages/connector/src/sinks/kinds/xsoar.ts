import { Type, type Static } from '@sinclair/typebox';
import { defineSink } from '../define.ts';

export const DEFAULT_XSOAR_KEY_ENV = 'SIEMLINK_XSOAR_API_KEY';
export const XSOAR8_PREFIX = '/xsoar/public/v1';

export const XsoarSettings = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'XSOAR server (8: the API URL) base URL' }),
    apiKeyEnv: Type.String({
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      default: DEFAULT_XSOAR_KEY_ENV,
      description: 'environment variable holding the API key',
    }),
    xsoar8: Type.Boolean({
      default: false,
      description: `XSOAR 8: ${XSOAR8_PREFIX} prefix and x-xdr-auth-id`,
    }),
    authId: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z_-]+$', description: 'XSOAR 8 API key id' })),
    type: Type.String({ minLength: 1, default: 'Logz.io Alert' }),
    dedupField: Type.String({
      pattern: '^[a-z0-9_]+$',
      default: 'logzioalerteventid',
      description: 'custom field (machine name) holding the alert event id',
    }),
    createInvestigation: Type.Boolean({ default: true }),
    batch: Type.Boolean({
      default: false,
      description: 'create through POST /incident/batch (UpdateDataBatch) instead of POST /incident',
    }),
    consoleUrl: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:3000' }),
  },
  { additionalProperties: false },
);
export type XsoarSettings = Static<typeof XsoarSettings>;

/**
 * Cortex XSOAR: `POST /incident` (or `/incident/batch` with `batch`), the key in `Authorization` (XSOAR 8: plus `x-xdr-auth-id` and
 * the `/xsoar/public/v1` prefix). XSOAR has no idempotency key, so each delivery first searches
 * (`POST /incidents/search`) for an incident whose custom field `dedupField` holds the alert event
 * id and creates one only when none exists; the remote id is the XSOAR incident id. A crash
 * between create and settle is thus caught by the search on redelivery. 401/403 (a bad key) and
 * other 4xx are dead letters at once.
 */
export const xsoarSink = defineSink({
  kind: 'xsoar',
  description: 'create a Cortex XSOAR incident per incident (searched by alert event id first)',
  settings: XsoarSettings,
  // One at a time: search-then-create is not atomic, two in flight for one incident could both create.
  defaults: { concurrency: 1, batchSize: 100, ordered: true },
  fromTarget: (target) => ({ url: target }),
  // The implementation (and its client library) is imported only when a sink of this kind opens.
  async create(settings, ctx) {
    return (await import('../xsoar.ts')).createXsoarSink(settings, ctx);
  },
});
