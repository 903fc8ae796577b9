import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { configError } from '../errors.ts';
import type { SinkContext, SinkInstance } from './define.ts';
import type { NatsSettings } from './kinds/nats.ts';
import { incidentBody, INCIDENT_BODY_SCHEMA } from './payload.ts';

/** Opens a nats sink (declared in kinds/nats.ts, which imports this file only when one is configured). */
export async function createNatsSink(settings: NatsSettings, ctx: SinkContext): Promise<SinkInstance> {
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
      const ack = await js.publish(settings.subject, JSON.stringify(incidentBody(item.sink, item.incident)), {
        msgID: item.incident.id,
        headers: h,
        timeout: 10_000,
      });
      return { ok: true, remoteId: String(ack.seq) };
    },
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}
