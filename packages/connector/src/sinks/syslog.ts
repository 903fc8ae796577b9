import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { configError } from '../errors.ts';
import type { Incident } from '../store/types.ts';
import type { SinkContext, SinkInstance } from './define.ts';
import type { SyslogSettings } from './kinds/syslog.ts';
import { consoleLink, groupByValues, ruleId, tags, text } from './incident-view.ts';

/** CEF severity (0..10) from the XSOAR scale. */
export function cefSeverity(severity: number): number {
  return severity >= 4
    ? 10
    : severity >= 3
      ? 8
      : severity >= 2
        ? 5
        : severity >= 1
          ? 3
          : severity > 0
            ? 1
            : 0;
}

/** RFC 5424 severity (2 critical .. 6 informational) from the XSOAR scale. */
export function syslogSeverity(severity: number): number {
  return severity >= 4 ? 2 : severity >= 3 ? 3 : severity >= 2 ? 4 : severity >= 1 ? 5 : 6;
}

/** CEF header fields: backslash and pipe escaped; no line breaks allowed. */
export const cefHeader = (s: string) => s.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');

/** CEF extension values: backslash and equals escaped, line breaks as \n / \r. */
export const cefValue = (s: string) =>
  s
    .replace(/[\\=]/g, (c) => `\\${c}`)
    .replace(/\r\n|\n/g, '\\n')
    .replace(/\r/g, '\\r');

const MSG_LIMIT = 1024;

/** `CEF:0|siemlink|siemlink|<version>|<rule id>|<name>|<severity>|<extension>`. */
export function cefMessage(incident: Incident, version: string, consoleUrl?: string): string {
  const values = groupByValues(incident);
  const first = (kind: string) => values.find((v) => v.kind === kind)?.value;
  const description = text(incident, 'description') ?? text(incident, 'alertSummary');
  const ext: [string, string | undefined][] = [
    ['rt', String(Date.parse(incident.occurred))],
    ['externalId', incident.id],
    [
      'msg',
      description && (description.length > MSG_LIMIT ? `${description.slice(0, MSG_LIMIT)}…` : description),
    ],
    ['cat', tags(incident).join(',') || undefined],
    ['src', first('ip')],
    ['suser', first('user')],
    ['shost', first('host')],
    ['cs1Label', 'alertEventId'],
    ['cs1', incident.alertEventId],
    ['cs2Label', 'groupBy'],
    ['cs2', values.map((v) => `${v.field}:${v.value}`).join(' ') || undefined],
    ...(consoleUrl
      ? ([
          ['cs3Label', 'incidentUrl'],
          ['cs3', consoleLink(consoleUrl, incident)],
        ] as [string, string][])
      : []),
  ];
  const extension = ext
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k}=${cefValue(v)}`)
    .join(' ');
  const header = [
    'siemlink',
    'siemlink',
    version,
    ruleId(incident),
    incident.name,
    String(cefSeverity(incident.severity)),
  ]
    .map(cefHeader)
    .join('|');
  return `CEF:0|${header}|${extension}`;
}

/** RFC 5424 header fields: printable US-ASCII without spaces, at most `max` long, else "-". */
const headerField = (s: string, max: number) => s.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-';
/** RFC 5424 structured-data parameter values: `"`, `\` and `]` escaped. */
const sdValue = (s: string) => s.replace(/["\\\]]/g, (c) => `\\${c}`);

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME - incident [siemlink@32473 ...] CEF...`.
 * TIMESTAMP is the incident time; the structured data carries the incident id so a receiver can
 * drop a redelivery (32473 is the documentation enterprise number, RFC 5612).
 */
export function syslogMessage(
  incident: Incident,
  o: { facility: number; hostname: string; appName: string; version: string; consoleUrl?: string },
): string {
  const pri = o.facility * 8 + syslogSeverity(incident.severity);
  const sd = `[siemlink@32473 incidentId="${sdValue(incident.id)}" alertEventId="${sdValue(incident.alertEventId)}"]`;
  return `<${pri}>1 ${incident.occurred} ${headerField(o.hostname, 255)} ${headerField(o.appName, 48)} - incident ${sd} ${cefMessage(incident, o.version, o.consoleUrl)}`;
}

/** RFC 6587 octet counting: `<length in bytes> <message>`. */
export function octetFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

function connectorVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0';
  } catch {
    return '0';
  }
}

/** Opens a syslog sink (declared in kinds/syslog.ts, which imports this file only when one is configured). */
export async function createSyslogSink(settings: SyslogSettings, ctx: SinkContext): Promise<SinkInstance> {
  let ca: Buffer | undefined;
  if (settings.tls?.caFile) {
    try {
      ca = readFileSync(settings.tls.caFile);
    } catch (err) {
      throw configError(`sinks.${ctx.name}.tls.caFile`, `cannot be read: ${(err as Error).message}`);
    }
  }
  const opts = {
    facility: settings.facility,
    hostname: settings.hostname ?? osHostname(),
    appName: settings.appName,
    version: connectorVersion(),
    ...(settings.consoleUrl ? { consoleUrl: settings.consoleUrl } : {}),
  };
  if (settings.protocol === 'udp') {
    const udp = createSocket(settings.host.includes(':') ? 'udp6' : 'udp4');
    return {
      async deliver(item, signal) {
        signal.throwIfAborted();
        const msg = Buffer.from(syslogMessage(item.incident, opts), 'utf8');
        await new Promise<void>((resolve, reject) =>
          udp.send(msg, settings.port, settings.host, (err) => (err ? reject(err) : resolve())),
        );
        return { ok: true, remoteId: null };
      },
      async close() {
        await new Promise<void>((r) => udp.close(() => r()));
      },
    };
  }
  let socket: Socket | undefined;
  let connecting: Promise<Socket> | undefined;
  const open = (signal: AbortSignal): Promise<Socket> => {
    if (socket && !socket.destroyed && socket.writable) return Promise.resolve(socket);
    connecting ??= new Promise<Socket>((resolve, reject) => {
      const s =
        settings.protocol === 'tls'
          ? tlsConnect({
              host: settings.host,
              port: settings.port,
              ...(ca ? { ca } : {}),
              // SNI takes names only (RFC 6066); an IP is still checked against the certificate.
              ...(settings.tls?.servername || !isIP(settings.host)
                ? { servername: settings.tls?.servername ?? settings.host }
                : {}),
              rejectUnauthorized: settings.tls?.rejectUnauthorized ?? true,
            })
          : netConnect({ host: settings.host, port: settings.port });
      const onAbort = () => s.destroy(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      s.once(settings.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
        signal.removeEventListener('abort', onAbort);
        s.removeListener('error', reject);
        // Anything the peer sends is ignored; a close or error means reconnect before the next frame.
        s.resume();
        s.on('error', (err) => ctx.logger.warn({ err: err.message }, 'syslog connection failed'));
        s.once('close', () => {
          if (socket === s) socket = undefined;
        });
        s.setKeepAlive(true);
        socket = s;
        resolve(s);
      });
      s.once('error', reject);
    }).finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  return {
    async deliver(item, signal) {
      const s = await open(signal);
      const frame = octetFrame(syslogMessage(item.incident, opts));
      await new Promise<void>((resolve, reject) => {
        s.write(frame, (err) => {
          if (err) {
            s.destroy();
            reject(err);
          } else resolve();
        });
      });
      return { ok: true, remoteId: null };
    },
    async close() {
      const s = socket;
      socket = undefined;
      if (s && !s.destroyed) await new Promise<void>((r) => s.end(() => r()));
      s?.destroy();
    },
  };
}
