import { Type, type Static } from '@sinclair/typebox';
import { defineSink } from '../define.ts';

export const DEFAULT_SLACK_URL_ENV = 'SIEMLINK_SLACK_WEBHOOK_URL';
const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';

export const SlackSettings = Type.Object(
  {
    urlEnv: Type.String({
      pattern: ENV_NAME,
      default: DEFAULT_SLACK_URL_ENV,
      description: 'environment variable holding the incoming-webhook URL',
    }),
    url: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'the webhook URL itself (prefer urlEnv)' }),
    ),
    consoleUrl: Type.String({
      pattern: '^https?://',
      default: 'http://127.0.0.1:3000',
      description: 'base URL of the siemlink console, for the incident link',
    }),
  },
  { additionalProperties: false },
);
export type SlackSettings = Static<typeof SlackSettings>;

/**
 * Slack incoming webhook: POSTs `{text, blocks}`; Slack answers 200 `ok`. A 429 waits for its
 * Retry-After, 5xx and network errors are retried, any other 4xx (`invalid_payload`,
 * `no_service`, `channel_is_archived`...) is a dead letter at once with Slack's answer kept.
 * The webhook URL is the secret: it comes from an environment variable and is never logged (errors
 * name only its host). Slack has no idempotency key: a redelivery after a crash between post and
 * settle posts the message twice.
 */
export const slackSink = defineSink({
  kind: 'slack',
  description: 'post a readable message per incident to a Slack incoming webhook',
  settings: SlackSettings,
  defaults: { concurrency: 1, batchSize: 50, ordered: true },
  // `slack:URL` or `slack:ENV_VAR` (the variable holding the URL).
  fromTarget: (target) => (/^https?:\/\//.test(target) ? { url: target } : { urlEnv: target }),
  // The implementation (and its client library) is imported only when a sink of this kind opens.
  async create(settings, ctx) {
    return (await import('../slack.ts')).createSlackSink(settings, ctx);
  },
});
