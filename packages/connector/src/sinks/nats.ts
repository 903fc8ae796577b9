import { Type } from '@sinclair/typebox';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { configError } from '../errors.ts';
import { defineSink } from './define.ts';
import { incidentBody, INCIDENT_BODY_SCHEMA } from './payload.ts';

const envName = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });

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
  settings: Type.Object(
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
  ),
  // Publishes are pipelined on one connection, which keeps their order at the server.
  defaults: { concurrency: 256, batchSize: 1000, ordered: true },
  fromTarget: (target) => ({ subject: target }),
  async create(settings, ctx) {
    const secret = (key: 'tokenEnv' | 'userEnv' | 'passwordEnv') => {
      const name = settings[key];
      if (name === undefined) return undefined;
      const v = ctx.env[name];
      if (!v) throw configError(`sinks.${ctx.name}.${key}`, `environment variable ${name} is not set`);
      return v;
    };
    const nc = await connect({
      servers: settings.servers,
      name: `siemlink:${ctx.name}`,
      token: secret('tokenEnv'),
      user: secret('userEnv'),
      pass: secret('passwordEnv'),
      maxReconnectAttempts: -1,
    });
    try {
      if (settings.stream?.create) {
        const jsm = await jetstreamManager(nc);
        try {
          await jsm.streams.info(settings.stream.name);
        } catch {
          await jsm.streams.add({
            name: settings.stream.name,
            subjects: [settings.subject],
            duplicate_window: settings.stream.duplicateWindowSeconds * 1_000_000_000,
          });
        }
      }
    } catch (err) {
      await nc.close();
      throw err;
    }
    const js = jetstream(nc);
    return {
      async deliver(item, signal) {
        signal.throwIfAborted();
        const h = natsHeaders();
        h.set('Siemlink-Schema', INCIDENT_BODY_SCHEMA);
        const ack = await js.publish(
          settings.subject,
          JSON.stringify(incidentBody(item.sink, item.incident, item.message)),
          {
            msgID: item.incident.id,
            headers: h,
            timeout: 10_000,
          },
        );
        return { ok: true, remoteId: String(ack.seq) };
      },
      async close() {
        await nc.drain().catch(() => nc.close());
      },
    };
  },
});
