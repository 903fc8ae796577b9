import { Type, type Static } from '@sinclair/typebox';

const Share = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

/**
 * Fault injection settings of a SIEM (`GET/PUT/DELETE /admin/faults`, only when the SIEM runs
 * with fault injection on). PUT takes any subset and merges it; DELETE restores the defaults
 * (everything off, offsets expire after the real 12 hours).
 */
export const FaultSettings = Type.Object({
  lateIndexMs: Type.Integer({
    minimum: 0,
    maximum: 3_600_000,
    description: 'delay before a triggered event is indexed',
  }),
  lateIndexShare: Share('share of triggered events indexed late'),
  burstSize: Type.Integer({
    minimum: 0,
    maximum: 10_000,
    description: 'extra events sharing one eventDate per evaluation',
  }),
  rate429: Share('share of API requests answered 429 (with Retry-After)'),
  rate5xx: Share('share of API requests answered 500, 502, 503 or 504'),
  slowShare: Share('share of API requests delayed by slowMs'),
  slowMs: Type.Integer({ minimum: 0, maximum: 600_000 }),
  feedCutShare: Share('share of feed responses cut before the offset line'),
  offsetMaxAgeSeconds: Type.Integer({
    minimum: 1,
    maximum: 12 * 3600,
    description: 'feed offsets older than this get 416',
  }),
  paths: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
    maxItems: 50,
    description: 'path prefixes that rate429/rate5xx/slow apply to; empty = every path',
  }),
});
export type FaultSettings = Static<typeof FaultSettings>;

export const FaultSettingsPatch = Type.Partial(FaultSettings, { additionalProperties: false });
export type FaultSettingsPatch = Static<typeof FaultSettingsPatch>;
