import { Type, type Static } from '@sinclair/typebox';
import { defineSink } from '../define.ts';

const envName = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });

export const NatsSettings = Type.Object(
  {
    subject: Type.String({ minLength: 1, pattern: '^[^\\s*>]+$', description: 'subject to publish to' }),
    servers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['nats://127.0.0.1:4222'] }),
    stream: Type.Optional(
      Type.Object(
        {
          name: Type.String({ pattern: '^[A-Za-z0-9_-]+$' }),
          create: Type.Boolean({ default: false }),
          duplicateWindowSeconds: Type.Integer({ minimum: 1, default: 120 }),
        },
        { additionalProperties: false },
      ),
    ),
    tokenEnv: Type.Optional(envName),
    userEnv: Type.Optional(envName),
    passwordEnv: Type.Optional(envName),
  },
  { additionalProperties: false },
);
export type NatsSettings = Static<typeof NatsSettings>;

/**
 * NATS JetStream: publishes the versioned incident body (payload.ts) to `subject` with
 * `Nats-Msg-Id` = incident id, and waits for the stream's ack; the remote id is the stream
 * sequence. The stream drops a repeat only within its duplicate window (2 min by default): the
 * outbox's own delivered state, not the window, is what keeps an incident from going out twice
 * after that. With `stream.create` the stream is created (capturing `subject`) when missing.
 */
export const natsSink = defineSink({
  kind: 'nats',
  description: 'publish each incident to a NATS JetStream subject',
  settings: NatsSettings,
  // Publishes are pipelined on one connection, which keeps their order at the server.
  defaults: { concurrency: 256, batchSize: 1000, ordered: true },
  fromTarget: (target) => ({ subject: target }),
  // The implementation (and its client library) is imported only when a sink of this kind opens.
  async create(settings, ctx) {
    return (await import('../nats.ts')).createNatsSink(settings, ctx);
  },
});
