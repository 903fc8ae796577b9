import { Type, type Static } from '@sinclair/typebox';
import { configError } from '../../errors.ts';
import { defineSink } from '../define.ts';

export const SyslogSettings = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 514 }),
    protocol: Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')], {
      default: 'tcp',
    }),
    facility: Type.Integer({ minimum: 0, maximum: 23, default: 10, description: 'default 10 (authpriv)' }),
    appName: Type.String({ minLength: 1, maxLength: 48, default: 'siemlink' }),
    hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    consoleUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    tls: Type.Optional(
      Type.Object(
        {
          caFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM CA bundle to trust' })),
          servername: Type.Optional(Type.String({ minLength: 1 })),
          rejectUnauthorized: Type.Boolean({ default: true }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type SyslogSettings = Static<typeof SyslogSettings>;

/**
 * syslog with a CEF payload: RFC 5424 messages over UDP (one per datagram, RFC 5426), TCP with
 * octet-counting framing (RFC 6587) or TLS (RFC 5425 framing). Syslog has no acknowledgement: a
 * delivery is done once the datagram is sent or the frame is written to the connection, so a
 * TCP connection that dies can lose the frames written just before the error surfaced, and a
 * redelivery after a crash is a duplicate unless the receiver drops repeated `incidentId`s.
 */
export const syslogSink = defineSink({
  kind: 'syslog',
  description: 'send each incident as an RFC 5424 syslog message with a CEF payload (UDP, TCP, TLS)',
  settings: SyslogSettings,
  defaults: { concurrency: 1, batchSize: 500, ordered: true },
  // `syslog:tcp://HOST:PORT`, `syslog:udp://HOST:PORT`, `syslog:tls://HOST:PORT`.
  fromTarget: (target) => {
    const m = /^(udp|tcp|tls):\/\/([^:/]+|\[[^\]]+\]):(\d+)$/.exec(target);
    if (!m) throw configError('--sink', `syslog target "${target}" is not udp|tcp|tls://HOST:PORT`);
    return { protocol: m[1], host: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) };
  },
  // The implementation (and its client library) is imported only when a sink of this kind opens.
  async create(settings, ctx) {
    return (await import('../syslog.ts')).createSyslogSink(settings, ctx);
  },
});
