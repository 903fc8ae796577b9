import { createHmac } from 'node:crypto';
import { Agent } from 'undici';
import { parseRetryAfter } from '../client/transport.ts';
import { configError } from '../errors.ts';
import { keptBody, type SinkContext, type SinkInstance } from './define.ts';
import { DEFAULT_WEBHOOK_SECRET_ENV, type WebhookSettings } from './kinds/webhook.ts';
import { idempotencyKey, incidentBody, INCIDENT_BODY_SCHEMA } from './payload.ts';

export const SIGNATURE_HEADER = 'x-siemlink-signature';
export const TIMESTAMP_HEADER = 'x-siemlink-timestamp';

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` under the shared secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Opens a webhook sink (declared in kinds/webhook.ts, which imports this file only when one is configured). */
export async function createWebhookSink(settings: WebhookSettings, ctx: SinkContext): Promise<SinkInstance> {
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
    // ctx.logger already names the sink (sinks/open.ts).
    ctx.logger.warn({ variable: secretVar }, 'webhook sink sends unsigned requests');
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
}
