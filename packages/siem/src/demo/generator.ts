/**
 * Demo log generator: background activity plus attack scenarios on a fixed schedule.
 *
 * Fields, by `type` (the names real shippers/parsers use; nested objects, dotted paths below):
 *
 * | type       | fields                                                                                  |
 * |------------|-----------------------------------------------------------------------------------------|
 * | syslog     | program=sshd, hostname, pid, facility=authpriv, user, src_ip, src_port, auth_method     |
 * |            | (password/publickey), outcome (success/failure), geoip.country_name/country_code2/      |
 * |            | city_name (not on scanner noise), message "Failed password for root from 1.2.3.4 port   |
 * |            | 51234 ssh2" / "Failed password for invalid user oracle ..." / "Accepted publickey ..."   |
 * | cloudtrail | eventVersion, eventTime, eventSource, eventName, awsRegion, sourceIPAddress, userAgent, |
 * |            | userIdentity.{type,principalId,arn,accountId,userName}, requestParameters.*,            |
 * |            | responseElements.*, errorCode (AccessDenied), errorMessage, eventID, eventType          |
 * |            | (AwsApiCall/AwsConsoleSignIn), recipientAccountId, geoip.{country_name,country_code2,   |
 * |            | city_name}, additionalEventData.MFAUsed. ConsoleLogin: eventSource signin.amazonaws.com,|
 * |            | responseElements.ConsoleLogin Success/Failure                                           |
 * | sysmon     | event.{code="1",action=process-created,category=process}, host.name, user.name,         |
 * |            | user.domain, process.{name,executable,command_line,args[],pid,hash.sha256},             |
 * |            | process.parent.{name,executable,command_line,pid}, message                              |
 * | nginx      | remote_addr, method, request (URI with query), http_version, status (number),           |
 * |            | body_bytes_sent, user_agent, referrer, request_time, host, server_name, geoip.*, message |
 * | dns        | client_ip, host.name, server_ip, query, query_type (A/AAAA), query_length (number),      |
 * |            | rcode (NOERROR/NXDOMAIN), answer (absent on NXDOMAIN), message                          |
 *
 * Scenarios (each also fires once when the live stream starts; then every period):
 * - brute force, every 3 min: 30 x syslog outcome:failure, one src_ip, one user, ~90 s; 30%
 *   followed by an outcome:success from the same src_ip.
 * - password spraying, every 4 min: 20 x syslog outcome:failure, one src_ip, 20 distinct users.
 * - privilege escalation, every 5 min: cloudtrail eventName AttachUserPolicy with
 *   requestParameters.policyArn "arn:aws:iam::aws:policy/AdministratorAccess", or AddUserToGroup
 *   with requestParameters.groupName "Admins"; then CreateAccessKey. (Background has benign
 *   AttachUserPolicy with ReadOnlyAccess.)
 * - suspicious process, every 2 min: sysmon process.name mimikatz.exe | certutil.exe with
 *   process.args "-urlcache" | powershell.exe with process.args "-enc" (parent WINWORD.EXE) |
 *   rundll32.exe with "MiniDump" (comsvcs.dll). Background powershell.exe has no -enc.
 * - web attack, every 2 min: 8 nginx requests from one remote_addr with user_agent sqlmap/...:
 *   "UNION SELECT", "' OR '1'='1", "DROP TABLE", "<script>", "onerror=", "../../../../etc/passwd",
 *   "SLEEP(5)".
 * - impossible travel, every 5 min: cloudtrail ConsoleLogin Success for one userIdentity.userName
 *   from its home country (US/DE), then ~4 min later from RU/CN/NG/BR/KP (geoip.country_code2).
 * - DGA, every 3 min: 15 dns queries from one client_ip, 18-28 char random labels, NXDOMAIN.
 */
import type { Rng } from './rng.ts';
import type { DemoLog } from './types.ts';
import { bruteForce, normalAuth, passwordSpray } from './sources/auth.ts';
import { impossibleTravel, normalCloudTrail, privilegeEscalation } from './sources/cloudtrail.ts';
import { normalProcess, suspiciousProcess } from './sources/edr.ts';
import { normalWeb, webAttack } from './sources/web.ts';
import { dgaBurst, normalDns } from './sources/dns.ts';

export interface Scenario {
  name: string;
  periodMs: number;
  /** Phase within the period, so scenarios do not all start at once. */
  offsetMs: number;
  build(rng: Rng, at: number): DemoLog[];
}

const MIN = 60_000;
export const SCENARIOS: readonly Scenario[] = [
  { name: 'brute-force', periodMs: 3 * MIN, offsetMs: 20_000, build: bruteForce },
  { name: 'password-spraying', periodMs: 4 * MIN, offsetMs: 50_000, build: passwordSpray },
  { name: 'privilege-escalation', periodMs: 5 * MIN, offsetMs: 80_000, build: privilegeEscalation },
  { name: 'suspicious-process', periodMs: 2 * MIN, offsetMs: 10_000, build: suspiciousProcess },
  { name: 'web-attack', periodMs: 2 * MIN, offsetMs: 40_000, build: webAttack },
  { name: 'impossible-travel', periodMs: 5 * MIN, offsetMs: 140_000, build: impossibleTravel },
  { name: 'dga', periodMs: 3 * MIN, offsetMs: 100_000, build: dgaBurst },
];

/** Share of background logs per source. */
const BACKGROUND: [number, (rng: Rng, ts: number) => DemoLog][] = [
  [0.2, normalAuth],
  [0.15, normalCloudTrail],
  [0.2, normalProcess],
  [0.3, normalWeb],
  [0.15, normalDns],
];

export interface DemoGenerator {
  /**
   * Logs with `ts` in [from, to), sorted by time: background at `ratePerSecond` plus every
   * scenario event due in the window (a scenario's later events wait for later windows).
   */
  generate(from: number, to: number, ratePerSecond: number): DemoLog[];
  /** Starts every scenario at `at` (once, when the live stream starts, so rules fire soon). */
  kickoff(at: number): void;
}

export function createDemoGenerator(opts: { rng: Rng; scenarios?: readonly Scenario[] }): DemoGenerator {
  const { rng } = opts;
  const scenarios = opts.scenarios ?? SCENARIOS;
  let pending: DemoLog[] = [];
  let carry = 0;
  const background = (ts: number): DemoLog => {
    let r = rng.next();
    for (const [share, make] of BACKGROUND) {
      if (r < share) return make(rng, ts);
      r -= share;
    }
    return BACKGROUND[0][1](rng, ts);
  };
  return {
    kickoff(at) {
      for (const s of scenarios) pending.push(...s.build(rng, at));
    },
    generate(from, to, ratePerSecond) {
      if (to <= from) return [];
      for (const s of scenarios) {
        const first = Math.ceil((from - s.offsetMs) / s.periodMs);
        for (let k = first; k * s.periodMs + s.offsetMs < to; k++)
          pending.push(...s.build(rng, k * s.periodMs + s.offsetMs));
      }
      const out: DemoLog[] = [];
      const exact = carry + (ratePerSecond * (to - from)) / 1000;
      const n = Math.floor(exact);
      carry = exact - n;
      for (let i = 0; i < n; i++) out.push(background(from + Math.floor(rng.next() * (to - from))));
      const later: DemoLog[] = [];
      for (const l of pending) (l.ts < to ? out : later).push(l);
      pending = later;
      return out.sort((a, b) => a.ts - b.ts);
    },
  };
}
