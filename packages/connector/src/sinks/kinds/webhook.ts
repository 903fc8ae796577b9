import { Type, type Static } from '@sinclair/typebox';
import { defineSink } from '../define.ts';

export const DEFAULT_WEBHOOK_SECRET_ENV = 'SIEMLINK_WEBHOOK_SECRET';

export const WebhookSettings = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'http(s) URL the incidents are POSTed to' }),
    secretEnv: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
        description: `environment variable holding the HMAC secret (default ${DEFAULT_WEBHOOK_SECRET_ENV}; unset: unsigned)`,
      }),
    ),
  },
  { additionalProperties: false },
);
export type WebhookSettings = Static<typeof WebhookSettings>;

/**
 * Webhook: POSTs the versioned incident body (payload.ts) as JSON with `Idempotency-Key`, and
 * when a secret is set, `X-Siemlink-Timestamp` (unix seconds) and `X-Siemlink-Signature`
 * (see webhookSignature; docs/sinks.md has the receiver's check). 2xx is delivered (a JSON
 * answer's string `id` is kept as the remote id); the retry policy's statuses (408, 429, 5xx
 * by default) and network errors are retried; any other answer is a dead letter at once, its
 * body kept. Redirects are not followed.
 */
export const webhookSink = defineSink({
  kind: 'webhook',
  description: 'POST each incident as signed, versioned JSON to a URL',
  settings: WebhookSettings,
  defaults: { concurrency: 8, batchSize: 200, ordered: true },
  fromTarget: (target) => ({ url: target }),
  // The implementation (and its client library) is imported only when a sink of this kind opens.
  async create(settings, ctx) {
    return (await import('../webhook.ts')).createWebhookSink(settings, ctx);
  },
});
