import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDemoGenerator, SCENARIOS } from '../../src/demo/generator.ts';
import { createRng } from '../../src/demo/rng.ts';
import type { DemoLog } from '../../src/demo/types.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MIN = 60_000;

function run(seed: number, minutes: number, rate = 5, kickoff = false): DemoLog[] {
  const gen = createDemoGenerator({ rng: createRng(seed) });
  if (kickoff) gen.kickoff(T0);
  const out: DemoLog[] = [];
  for (let t = T0; t < T0 + minutes * MIN; t += 1000) out.push(...gen.generate(t, t + 1000, rate));
  return out;
}

const get = (doc: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      doc,
    );

test('the same seed gives the same logs; another seed gives others', () => {
  const a = JSON.stringify(run(7, 3));
  assert.equal(a, JSON.stringify(run(7, 3)));
  assert.notEqual(a, JSON.stringify(run(8, 3)));
});

test('logs come out sorted, inside the asked window, at the asked rate', () => {
  const gen = createDemoGenerator({ rng: createRng(1), scenarios: [] });
  const logs = gen.generate(T0, T0 + 10 * MIN, 4);
  assert.equal(logs.length, 2400);
  for (let i = 1; i < logs.length; i++) assert.ok(logs[i].ts >= logs[i - 1].ts);
  assert.ok(logs.every((l) => l.ts >= T0 && l.ts < T0 + 10 * MIN));
  assert.deepEqual(
    new Set(logs.map((l) => l.doc.type)),
    new Set(['syslog', 'cloudtrail', 'sysmon', 'nginx', 'dns']),
  );
});

test('within 5 minutes of the live start every attack scenario has happened', () => {
  const logs = run(3, 5, 20, true);
  const docs = logs.map((l) => l.doc);
  // Brute force: >= 30 failures for one user from one src_ip.
  const fails = new Map<string, number>();
  const sprayUsers = new Map<string, Set<unknown>>();
  for (const d of docs.filter(
    (d) => d.type === 'syslog' && d.program === 'sshd' && d.outcome === 'failure',
  )) {
    const k = `${d.user}|${d.src_ip}`;
    fails.set(k, (fails.get(k) ?? 0) + 1);
    sprayUsers.set(String(d.src_ip), (sprayUsers.get(String(d.src_ip)) ?? new Set()).add(d.user));
  }
  assert.ok(Math.max(...fails.values()) >= 30, 'brute force');
  assert.ok(Math.max(...[...sprayUsers.values()].map((s) => s.size)) >= 20, 'password spraying');
  assert.ok(
    docs.some(
      (d) =>
        d.type === 'cloudtrail' &&
        ((d.eventName === 'AttachUserPolicy' &&
          get(d, 'requestParameters.policyArn') === 'arn:aws:iam::aws:policy/AdministratorAccess') ||
          (d.eventName === 'AddUserToGroup' && get(d, 'requestParameters.groupName') === 'Admins')),
    ),
    'privilege escalation',
  );
  assert.ok(
    docs.some((d) => {
      const args = (get(d, 'process.args') ?? []) as string[];
      return (
        d.type === 'sysmon' &&
        (get(d, 'process.name') === 'mimikatz.exe' ||
          args.includes('-urlcache') ||
          args.includes('-enc') ||
          args.includes('MiniDump'))
      );
    }),
    'suspicious process',
  );
  assert.ok(
    docs.some(
      (d) => d.type === 'nginx' && /UNION SELECT|<script>|etc\/passwd|' OR '1'='1/.test(String(d.request)),
    ),
    'web attack',
  );
  const countries = new Map<unknown, Set<unknown>>();
  for (const d of docs.filter(
    (d) => d.eventName === 'ConsoleLogin' && get(d, 'responseElements.ConsoleLogin') === 'Success',
  )) {
    const u = get(d, 'userIdentity.userName');
    countries.set(u, (countries.get(u) ?? new Set()).add(get(d, 'geoip.country_code2')));
  }
  assert.ok(
    [...countries.values()].some((s) => s.size >= 2),
    'impossible travel',
  );
  const nx = new Map<unknown, number>();
  for (const d of docs.filter(
    (d) => d.type === 'dns' && d.rcode === 'NXDOMAIN' && Number(d.query_length) >= 21,
  )) {
    nx.set(d.client_ip, (nx.get(d.client_ip) ?? 0) + 1);
  }
  assert.ok(Math.max(...nx.values()) >= 10, 'DGA');
});

test('scenarios recur on their schedule, not only at the start', () => {
  const gen = createDemoGenerator({ rng: createRng(5) });
  const hour = gen.generate(T0, T0 + 60 * MIN, 0);
  const bursts = new Set(
    hour.filter((l) => l.doc.type === 'sysmon').map((l) => Math.floor((l.ts - T0) / (2 * MIN))),
  );
  assert.equal(bursts.size, 30);
  assert.ok(SCENARIOS.every((s) => s.periodMs <= 5 * MIN));
});

test('background noise alone never looks like brute force or spraying', () => {
  const gen = createDemoGenerator({ rng: createRng(11), scenarios: [] });
  const logs = gen.generate(T0, T0 + 60 * MIN, 20);
  const perWindow = new Map<string, number>();
  const usersPerIp = new Map<string, Set<unknown>>();
  for (const l of logs) {
    const d = l.doc;
    if (d.type !== 'syslog' || d.outcome !== 'failure') continue;
    const w = Math.floor(l.ts / (10 * MIN));
    const k = `${w}|${d.user}|${d.src_ip}`;
    perWindow.set(k, (perWindow.get(k) ?? 0) + 1);
    const ipk = `${w}|${d.src_ip}`;
    usersPerIp.set(ipk, (usersPerIp.get(ipk) ?? new Set()).add(d.user));
  }
  assert.ok(
    Math.max(...perWindow.values()) < 5,
    `max failures per user+ip in 10 min: ${Math.max(...perWindow.values())}`,
  );
  assert.ok(Math.max(...[...usersPerIp.values()].map((s) => s.size)) < 5);
});
