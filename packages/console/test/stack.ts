import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startUp } from '@siemlink/cli/commands/up.ts';
import type { RunningConnector } from '@siemlink/connector/runtime.ts';
import { ensureBuilt } from './build.ts';

const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface Stack {
  /** The connector's base URL (API + console). */
  url: string;
  users: Record<'analyst' | 'viewer', { username: string; password: string }>;
  /** Resolves once a fetch run has written at least one incident. */
  firstIncidents: Promise<void>;
  /** The running connector: its store and the events its live stream (SSE) sends. */
  connector: RunningConnector;
}

/**
 * What `npm start` runs (SIEM with demo data + connector), every port 0, in a temp data dir;
 * an analyst and a viewer created through the API by the bootstrap admin.
 */
export async function startStack(
  t: { after(fn: () => unknown): void },
  /** Playbook files (name → YAML) for the data dir's playbooks folder, beside the built-ins. */
  playbooks: Record<string, string> = {},
): Promise<Stack> {
  await ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'siemlink-console-'));
  mkdirSync(join(dir, 'playbooks'), { recursive: true });
  for (const [name, yaml] of Object.entries(playbooks)) writeFileSync(join(dir, 'playbooks', name), yaml);
  let announce!: () => void;
  const firstIncidents = new Promise<void>((resolve) => (announce = resolve));
  const up = await startUp(
    {
      dataDir: dir,
      host: '127.0.0.1',
      port: 0,
      listenerPort: 0,
      connectorPort: 0,
      demo: true,
      faultInjection: false,
    },
    { logger: silent, print: (line) => /\s[1-9]\d* new incident/.test(line) && announce() },
  );
  t.after(async () => {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = up.connector.url!;
  const creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as {
    console: { username: string; password: string };
  };
  const admin = await login(url, creds.console.username, creds.console.password);
  const users = {
    analyst: { username: 'ana', password: 'analyst-password-1' },
    viewer: { username: 'vic', password: 'viewer-password-1' },
  };
  for (const [role, u] of Object.entries(users)) {
    const res = await fetch(`${url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      body: JSON.stringify({ ...u, role }),
    });
    if (!res.ok) throw new Error(`creating ${role}: ${res.status} ${await res.text()}`);
  }
  return { url, users, firstIncidents, connector: up.connector };
}

/** A session through the API: the cookie and the CSRF token. */
export async function login(url: string, username: string, password: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, csrf: body.csrfToken };
}
