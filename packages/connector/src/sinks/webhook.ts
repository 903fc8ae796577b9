import { createHmac } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { Agent } from 'undici';
import { parseRetryAfter } from '../client/transport.ts';
import { configError } from '../errors.ts';
import { defineSink, keptBody } from './define.ts';
import { idempotencyKey, incidentBody, INCIDENT_BODY_SCHEMA } from './payload.ts';

export const SIGNATURE_HEADER = 'x-siemlink-signature';
export const TIMESTAMP_HEADER = 'x-siemlink-timestamp';
export const DEFAULT_WEBHOOK_SECRET_ENV = 'SIEMLINK_WEBHOOK_SECRET';

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` under the shared secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

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
  settings: Type.Object(
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
  ),
  defaults: { concurrency: 8, batchSize: 200, ordered: true },
  fromTarget: (target) => ({ url: target }),
  async create(settings, ctx) {
    let url: URL;
    try {
      url = new URL(settings.url);
    } catch {
      throw configError(`sinks.${ctx.name}.url`, 'is not a valid URL');
    }
    const secretVar = settings.secretEnv ?? DEFAULT_WEBHOOK_SECRET_ENV;
    const secret = ctx.env[secretVar] || undefined;
    if (settings.secretEnv && !secret) {
      throw configError(`sinks.${ctx.name}.secretEnv`, `environment variable ${secretVar} is not set`);
    }
    if (!secret)
      ctx.logger.warn({ sink: ctx.name, variable: secretVar }, 'webhook sink sends unsigned requests');
    const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
    const path = url.pathname + url.search;
    return {
      async deliver(item, signal) {
        const body = JSON.stringify(incidentBody(item.sink, item.incident, item.message));
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey(item.incident),
          'user-agent': 'siemlink-connector/0.1',
          'x-siemlink-schema': INCIDENT_BODY_SCHEMA,
          'x-siemlink-attempt': String(item.attempt),
        };
        if (secret) {
          const timestamp = String(Math.floor(ctx.clock.now() / 1000));
          headers[TIMESTAMP_HEADER] = timestamp;
          headers[SIGNATURE_HEADER] = webhookSignature(secret, timestamp, body);
        }
        const res = await agent.request({ origin: url.origin, path, method: 'POST', headers, body, signal });
        const text = await res.body.text();
        if (res.statusCode >= 200 && res.statusCode < 300) {
          let remoteId: string | null = null;
          try {
            const id = (JSON.parse(text) as { id?: unknown }).id;
            if (typeof id === 'string' || typeof id === 'number') remoteId = String(id);
          } catch {
            // Not JSON: no remote id.
          }
          return { ok: true, remoteId };
        }
        return {
          ok: false,
          status: res.statusCode,
          error: `HTTP ${res.statusCode} from ${url.origin}`,
          retryAfterMs: parseRetryAfter(res.headers['retry-after'], ctx.clock.now()),
          body: keptBody(text),
        };
      },
      async close() {
        await agent.close();
      },
    };
  },
});
