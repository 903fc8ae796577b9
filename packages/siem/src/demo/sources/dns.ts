import type { Rng } from '../rng.ts';
import type { DemoLog } from '../types.ts';
import { WORKSTATIONS, internalIp } from '../catalog.ts';

const DOMAINS = [
  'www.google.com',
  'outlook.office365.com',
  'login.microsoftonline.com',
  'github.com',
  'api.github.com',
  'slack.com',
  'zoom.us',
  's3.amazonaws.com',
  'fonts.gstatic.com',
  'intranet.corp.example.com',
  'jira.corp.example.com',
  'wpad.corp.example.com',
  'update.googleapis.com',
  'time.windows.com',
];
const DGA_TLDS = ['biz', 'info', 'top', 'xyz', 'ru', 'cc'];

function query(rng: Rng, ts: number, client: string, host: string, name: string, found: boolean): DemoLog {
  const qtype = found && rng.chance(0.2) ? 'AAAA' : 'A';
  const answer = !found
    ? undefined
    : qtype === 'A'
      ? `${rng.int(13, 200)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`
      : `2606:4700::${rng.hex(4)}`;
  return {
    ts,
    doc: {
      type: 'dns',
      client_ip: client,
      host: { name: host },
      server_ip: '10.0.0.2',
      query: name,
      query_type: qtype,
      query_length: name.length,
      rcode: found ? 'NOERROR' : 'NXDOMAIN',
      ...(answer ? { answer } : {}),
      message: `client ${client}#${rng.int(1024, 65535)} (${name}): query: ${name} IN ${qtype} +`,
    },
  };
}

export function normalDns(rng: Rng, ts: number): DemoLog {
  const name = rng.pick(DOMAINS);
  return query(
    rng,
    ts,
    internalIp(rng),
    rng.pick(WORKSTATIONS),
    name,
    !name.startsWith('wpad') || rng.chance(0.1),
  );
}

/** Malware on one workstation resolving 15 algorithmically generated domains (mostly NXDOMAIN). */
export function dgaBurst(rng: Rng, at: number): DemoLog[] {
  const client = internalIp(rng);
  const host = rng.pick(WORKSTATIONS);
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: 15 }, (_, i) => {
    let label = '';
    const len = rng.int(18, 28);
    while (label.length < len) label += letters[rng.int(0, letters.length - 1)];
    return query(
      rng,
      at + i * 4000 + rng.int(0, 2000),
      client,
      host,
      `${label}.${rng.pick(DGA_TLDS)}`,
      i === 14,
    );
  });
}
