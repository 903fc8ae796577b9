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
    title: 'Brute force: repeated failed logins for one user from one IP',
    description:
      'Many failed SSH or authentication attempts for the same user from the same source IP. ' +
      'Next steps: check whether a later login from that IP succeeded; block the IP.',
    tags: ['authentication', 'brute_force'],
    mitreTags: ['T1110', 'T1110.001'],
    query: 'event.category:authentication AND event.outcome:failure',
    groupBy: ['user.name', 'source.ip'],
    tiers: { MEDIUM: 5, HIGH: 10, SEVERE: 25 },
    minutes: 10,
  }),
  rule({
    title: 'Password spraying: one IP failing logins for many users',
    description:
      'One source IP failed to log in as many different users. Next steps: block the IP and ' +
      'reset passwords of any account it then logged into.',
    tags: ['authentication', 'password_spraying'],
    mitreTags: ['T1110.003'],
    query: 'event.category:authentication AND event.outcome:failure',
    groupBy: ['source.ip'],
    aggregation: { aggregationType: 'UNIQUE_COUNT', fieldToAggregateOn: 'user.name' },
    tiers: { MEDIUM: 5, HIGH: 10 },
    minutes: 10,
  }),
  rule({
    title: 'AWS privilege escalation: user added to an admin policy or group',
    description:
      'A CloudTrail AttachUserPolicy or AddUserToGroup call granted administrator rights. ' +
      'Next steps: confirm the change was approved; revert it otherwise.',
    tags: ['aws', 'cloudtrail', 'privilege_escalation'],
    mitreTags: ['T1098', 'T1078.004'],
    query:
      'eventSource:"iam.amazonaws.com" AND eventName:(AttachUserPolicy OR AddUserToGroup OR PutUserPolicy)',
    groupBy: ['userIdentity.userName'],
    tiers: { HIGH: 1 },
    minutes: 10,
  }),
  rule({
    title: 'Suspicious process: credential dumping or download cradle',
    description:
      'A process command line matches mimikatz, certutil -urlcache or an encoded PowerShell ' +
      'command. Next steps: isolate the host and collect its process tree.',
    tags: ['endpoint', 'execution'],
    mitreTags: ['T1003.001', 'T1105', 'T1059.001'],
    query:
      'process.command_line:(*mimikatz* OR *sekurlsa* OR "certutil -urlcache" OR "powershell -enc" OR ' +
      '"powershell.exe -enc" OR "-EncodedCommand")',
    groupBy: ['host.name'],
    tiers: { HIGH: 1, SEVERE: 3 },
    minutes: 10,
  }),
  rule({
    title: 'Web attack: SQL injection, XSS or path traversal in requests',
    description:
      'HTTP requests carry SQL injection, cross-site scripting or path traversal patterns. ' +
      'Next steps: check the responses for success (2xx) and block the client.',
    tags: ['web', 'waf'],
    mitreTags: ['T1190'],
    query: 'url.original:(*union*select* OR *%27%20OR* OR *script* OR *..%2F* OR *..\\/* OR *etc\\/passwd*)',
    groupBy: ['source.ip'],
    tiers: { MEDIUM: 3, HIGH: 10 },
    minutes: 10,
  }),
  rule({
    title: 'Console login from an unusual country',
    description:
      'A successful console sign-in came from a country the organisation does not operate in. ' +
      'Next steps: confirm with the user; revoke sessions otherwise.',
    tags: ['authentication', 'cloud', 'impossible_travel'],
    mitreTags: ['T1078'],
    query: 'eventName:ConsoleLogin AND NOT source.geo.country_iso_code:(US OR GB OR DE OR IL)',
    groupBy: ['userIdentity.userName', 'source.geo.country_iso_code'],
    tiers: { HIGH: 1 },
    minutes: 10,
  }),
  rule({
    title: 'DNS queries to algorithmically generated (DGA) domains',
    description:
      'A host resolved many random-looking domains, typical of malware searching for its command ' +
      'and control server. Next steps: isolate the host.',
    tags: ['dns', 'c2'],
    mitreTags: ['T1568.002'],
    query: 'dns.question.dga:true',
    groupBy: ['host.name'],
    tiers: { MEDIUM: 3, HIGH: 10 },
    minutes: 10,
  }),
];
