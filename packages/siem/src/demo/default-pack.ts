import type { SecurityRuleRequest, TriggerOperator } from '@siemlink/contracts';

/**
 * The demo's default rule pack. Queries are aligned with the fields and values of the demo log
 * generator (src/demo/generator.ts); each runs every minute (no schedule) so security events
 * appear within minutes of `npm start`, and suppresses re-triggering of the same group.
 */

interface PackRule {
  title: string;
  description: string;
  tags: string[];
  mitreTags: string[];
  query: string;
  groupBy?: string[];
  aggregation?: SecurityRuleRequest['subComponents'][0]['queryDefinition']['aggregation'];
  operator?: TriggerOperator;
  tiers: Record<string, number>;
  minutes: number;
  suppress?: number;
}

function rule(r: PackRule): SecurityRuleRequest {
  return {
    title: r.title,
    description: r.description,
    tags: r.tags,
    mitreTags: r.mitreTags,
    searchTimeFrameMinutes: r.minutes,
    output: { suppressNotificationsMinutes: r.suppress ?? 10, type: 'JSON' },
    subComponents: [
      {
        queryDefinition: {
          query: r.query,
          groupBy: r.groupBy ?? [],
          aggregation: r.aggregation ?? { aggregationType: 'COUNT' },
          shouldQueryOnAllAccounts: true,
        },
        trigger: { operator: r.operator ?? 'GREATER_THAN_OR_EQUALS', severityThresholdTiers: r.tiers },
      },
    ],
  };
}

export const DEFAULT_RULE_PACK: SecurityRuleRequest[] = [
  rule({
    title: 'Brute force: repeated failed SSH logins for one user from one IP',
    description:
      'Many failed SSH logins for the same user from the same source IP within minutes. ' +
      'Next steps: check whether a later login from that IP succeeded; block the IP.',
    tags: ['authentication', 'brute_force', 'ssh'],
    mitreTags: ['T1110', 'T1110.001'],
    query: 'type:syslog AND program:sshd AND outcome:failure',
    groupBy: ['user', 'src_ip'],
    // Everyday typos stay well under 15 per user in 5 minutes at the demo's rate.
    tiers: { MEDIUM: 15, HIGH: 25 },
    minutes: 5,
  }),
  rule({
    title: 'Password spraying: one IP failing SSH logins for many users',
    description:
      'One source IP failed to log in as many different users. Next steps: block the IP and ' +
      'reset the password of any account it then logged into.',
    tags: ['authentication', 'password_spraying', 'ssh'],
    mitreTags: ['T1110.003'],
    query: 'type:syslog AND program:sshd AND outcome:failure',
    groupBy: ['src_ip'],
    aggregation: { aggregationType: 'UNIQUE_COUNT', fieldToAggregateOn: 'user' },
    tiers: { MEDIUM: 5, HIGH: 10 },
    minutes: 10,
  }),
  rule({
    title: 'AWS privilege escalation: administrator policy or group granted',
    description:
      'A CloudTrail AttachUserPolicy (AdministratorAccess) or AddUserToGroup (Admins) call ' +
      'granted administrator rights. Next steps: confirm the change was approved; revert it otherwise.',
    tags: ['aws', 'cloudtrail', 'privilege_escalation'],
    mitreTags: ['T1098', 'T1078.004'],
    query:
      'type:cloudtrail AND ((eventName:AttachUserPolicy AND requestParameters.policyArn:"AdministratorAccess") ' +
      'OR (eventName:AddUserToGroup AND requestParameters.groupName:Admins))',
    groupBy: ['userIdentity.userName'],
    tiers: { HIGH: 1 },
    minutes: 10,
  }),
  rule({
    title: 'Suspicious process: credential dumping or download cradle',
    description:
      'A process ran mimikatz, certutil -urlcache, an encoded PowerShell command or a comsvcs ' +
      'MiniDump of LSASS. Next steps: isolate the host and collect its process tree.',
    tags: ['endpoint', 'execution', 'credential_access'],
    mitreTags: ['T1003.001', 'T1105', 'T1059.001'],
    query:
      'type:sysmon AND (process.name:"mimikatz.exe" OR process.args:"sekurlsa" OR ' +
      '(process.name:"certutil.exe" AND process.args:"-urlcache") OR ' +
      '(process.name:"powershell.exe" AND process.args:("-enc" OR "-EncodedCommand")) OR process.args:MiniDump)',
    groupBy: ['host.name'],
    tiers: { HIGH: 1, SEVERE: 3 },
    minutes: 10,
  }),
  rule({
    title: 'Web attack: SQL injection, XSS or path traversal in requests',
    description:
      'HTTP requests carry SQL injection, cross-site scripting or path traversal patterns. ' +
      'Next steps: check the responses for success (2xx) and block the client.',
    tags: ['web', 'nginx', 'injection'],
    mitreTags: ['T1190'],
    query:
      'type:nginx AND request:("union select" OR "or 1 1" OR "drop table" OR script OR onerror OR ' +
      '"etc passwd" OR shadow OR sleep)',
    groupBy: ['remote_addr'],
    tiers: { MEDIUM: 3, HIGH: 6 },
    minutes: 10,
  }),
  rule({
    title: 'Impossible travel: console logins from two countries',
    description:
      'The same AWS console user signed in from two countries within minutes. Next steps: ' +
      'confirm with the user; revoke their sessions otherwise.',
    tags: ['authentication', 'aws', 'impossible_travel'],
    mitreTags: ['T1078', 'T1078.004'],
    query: 'type:cloudtrail AND eventName:ConsoleLogin AND responseElements.ConsoleLogin:Success',
    groupBy: ['userIdentity.userName'],
    aggregation: { aggregationType: 'UNIQUE_COUNT', fieldToAggregateOn: 'geoip.country_code2' },
    tiers: { HIGH: 2 },
    minutes: 10,
  }),
  rule({
    title: 'Console login from an unusual country',
    description:
      'A successful AWS console sign-in came from a country the organisation does not work ' +
      'from (it works from the US and Germany). Next steps: confirm with the user.',
    tags: ['authentication', 'aws', 'geo'],
    mitreTags: ['T1078'],
    query:
      'type:cloudtrail AND eventName:ConsoleLogin AND responseElements.ConsoleLogin:Success ' +
      'AND NOT geoip.country_code2:(US OR DE)',
    groupBy: ['userIdentity.userName', 'geoip.country_code2'],
    tiers: { MEDIUM: 1 },
    minutes: 10,
  }),
  rule({
    title: 'DNS queries to algorithmically generated (DGA) domains',
    description:
      'A workstation failed to resolve many long random-looking domains, typical of malware ' +
      'looking for its command and control server. Next steps: isolate the host.',
    tags: ['dns', 'c2', 'malware'],
    mitreTags: ['T1568.002'],
    query: 'type:dns AND rcode:NXDOMAIN AND query_length:[20 TO *] AND NOT query:wpad*',
    groupBy: ['host.name'],
    tiers: { MEDIUM: 5, HIGH: 10 },
    minutes: 10,
  }),
];
