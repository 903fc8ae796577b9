import {
  HOSTILE_PLACES,
  LINUX_HOSTS,
  SPRAY_USERS,
  USERS,
  geoip,
  homeIp,
  homeOf,
  ipIn,
  randomInternetIp,
} from '../catalog.ts';
import type { Rng } from '../rng.ts';
import type { DemoLog } from '../types.ts';

/** sshd authentication lines from the Linux hosts (type `syslog`, program `sshd`). */
function sshd(
  rng: Rng,
  ts: number,
  f: {
    host: string;
    user: string;
    srcIp: string;
    ok: boolean;
    method: string;
    invalidUser?: boolean;
    country?: ReturnType<typeof geoip>;
  },
): DemoLog {
  const port = rng.int(32768, 60999);
  const message = f.ok
    ? `Accepted ${f.method} for ${f.user} from ${f.srcIp} port ${port} ssh2`
    : `Failed ${f.method} for ${f.invalidUser ? 'invalid user ' : ''}${f.user} from ${f.srcIp} port ${port} ssh2`;
  return {
    ts,
    doc: {
      type: 'syslog',
      program: 'sshd',
      hostname: f.host,
      pid: rng.int(1000, 65000),
      facility: 'authpriv',
      severity: f.ok ? 'info' : 'notice',
      user: f.user,
      src_ip: f.srcIp,
      src_port: port,
      auth_method: f.method,
      outcome: f.ok ? 'success' : 'failure',
      message,
      ...(f.country ? { geoip: f.country } : {}),
    },
  };
}

/** Everyday logins (mostly keys, some passwords and typos) plus internet scanner noise. */
export function normalAuth(rng: Rng, ts: number): DemoLog {
  const host = rng.pick(LINUX_HOSTS);
  if (rng.chance(0.6)) {
    // One-off scanner attempts: many IPs, one try each, never enough to look like a burst.
    const user = rng.pick(SPRAY_USERS);
    return sshd(rng, ts, {
      host,
      user,
      srcIp: randomInternetIp(rng),
      ok: false,
      method: 'password',
      invalidUser: user !== 'root',
    });
  }
  const user = rng.pick(USERS);
  const ok = rng.chance(0.995);
  return sshd(rng, ts, {
    host,
    user,
    srcIp: homeIp(user),
    ok,
    method: ok && rng.chance(0.7) ? 'publickey' : 'password',
    country: geoip(homeOf(user)),
  });
}

/** Brute force: one address hammers one account (30 failures in ~90 s), sometimes then gets in. */
export function bruteForce(rng: Rng, at: number): DemoLog[] {
  const place = rng.pick(HOSTILE_PLACES);
  const srcIp = ipIn(rng, place);
  const user = rng.pick(['root', 'admin', ...USERS.slice(0, 4)]);
  const host = rng.pick(LINUX_HOSTS);
  const out: DemoLog[] = [];
  for (let i = 0; i < 30; i++) {
    out.push(
      sshd(rng, at + i * 3000 + rng.int(0, 2000), {
        host,
        user,
        srcIp,
        ok: false,
        method: 'password',
        invalidUser: user === 'admin',
        country: geoip(place),
      }),
    );
  }
  if (rng.chance(0.3))
    out.push(
      sshd(rng, at + 95_000, { host, user, srcIp, ok: true, method: 'password', country: geoip(place) }),
    );
  return out;
}

/** Password spraying: one address tries 20 different accounts once each over ~2 minutes. */
export function passwordSpray(rng: Rng, at: number): DemoLog[] {
  const place = rng.pick(HOSTILE_PLACES);
  const srcIp = ipIn(rng, place);
  const host = rng.pick(LINUX_HOSTS);
  const users = [...SPRAY_USERS.slice(0, 12), ...USERS.slice(0, 8)];
  return users.map((user, i) =>
    sshd(rng, at + i * 6000 + rng.int(0, 3000), {
      host,
      user,
      srcIp,
      ok: false,
      method: 'password',
      invalidUser: user !== 'root' && (SPRAY_USERS as readonly string[]).includes(user),
      country: geoip(place),
    }),
  );
}
