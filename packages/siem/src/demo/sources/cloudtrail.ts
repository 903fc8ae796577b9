import {
  AWS_ACCOUNT_ID,
  AWS_REGIONS,
  HOSTILE_PLACES,
  USERS,
  geoip,
  homeIp,
  homeOf,
  ipIn,
  type Place,
} from '../catalog.ts';
import type { Rng } from '../rng.ts';
import type { DemoLog } from '../types.ts';

const CONSOLE_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const CLI_UA = 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.amzn.2';

interface Call {
  eventSource: string;
  eventName: string;
  user: string;
  place: Place;
  sourceIPAddress: string;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  eventType?: string;
  additionalEventData?: Record<string, unknown>;
  userAgent?: string;
  awsRegion?: string;
}

/** One CloudTrail record, as the S3/SQS CloudTrail shippers forward it (type `cloudtrail`). */
function record(rng: Rng, ts: number, c: Call): DemoLog {
  return {
    ts,
    doc: {
      type: 'cloudtrail',
      eventVersion: '1.08',
      eventTime: new Date(ts).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: c.eventSource,
      eventName: c.eventName,
      awsRegion: c.awsRegion ?? rng.pick(AWS_REGIONS),
      sourceIPAddress: c.sourceIPAddress,
      userAgent: c.userAgent ?? CLI_UA,
      userIdentity: {
        type: 'IAMUser',
        principalId: `AIDA${c.user.toUpperCase().padEnd(8, 'X').slice(0, 8)}EXAMPLE`,
        arn: `arn:aws:iam::${AWS_ACCOUNT_ID}:user/${c.user}`,
        accountId: AWS_ACCOUNT_ID,
        userName: c.user,
      },
      requestParameters: c.requestParameters ?? null,
      responseElements: c.responseElements ?? null,
      ...(c.errorCode ? { errorCode: c.errorCode } : {}),
      ...(c.errorMessage ? { errorMessage: c.errorMessage } : {}),
      ...(c.additionalEventData ? { additionalEventData: c.additionalEventData } : {}),
      eventID: rng.uuid(),
      eventType: c.eventType ?? 'AwsApiCall',
      recipientAccountId: AWS_ACCOUNT_ID,
      geoip: geoip(c.place),
    },
  };
}

function consoleLogin(rng: Rng, ts: number, user: string, place: Place, ip: string, ok: boolean): DemoLog {
  return record(rng, ts, {
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    user,
    place,
    sourceIPAddress: ip,
    userAgent: CONSOLE_UA,
    awsRegion: 'us-east-1',
    eventType: 'AwsConsoleSignIn',
    responseElements: { ConsoleLogin: ok ? 'Success' : 'Failure' },
    ...(ok ? {} : { errorMessage: 'Failed authentication' }),
    additionalEventData: {
      MFAUsed: rng.chance(0.8) ? 'Yes' : 'No',
      LoginTo: 'https://console.aws.amazon.com/console/home',
    },
  });
}

const READS: [string, string][] = [
  ['s3.amazonaws.com', 'GetObject'],
  ['s3.amazonaws.com', 'ListBuckets'],
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups'],
  ['iam.amazonaws.com', 'ListUsers'],
  ['iam.amazonaws.com', 'GetUser'],
  ['sts.amazonaws.com', 'GetCallerIdentity'],
  ['lambda.amazonaws.com', 'ListFunctions20150331'],
  ['kms.amazonaws.com', 'Decrypt'],
];

/** Daily cloud activity: reads, a few denied calls, console logins from home, benign IAM changes. */
export function normalCloudTrail(rng: Rng, ts: number): DemoLog {
  const user = rng.pick(USERS);
  const place = homeOf(user);
  const ip = homeIp(user);
  const r = rng.next();
  if (r < 0.1) return consoleLogin(rng, ts, user, place, ip, rng.chance(0.92));
  if (r < 0.14) {
    return record(rng, ts, {
      eventSource: 'iam.amazonaws.com',
      eventName: 'AttachUserPolicy',
      user: 'trent',
      place: homeOf('trent'),
      sourceIPAddress: homeIp('trent'),
      requestParameters: { userName: user, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    });
  }
  const [eventSource, eventName] = rng.pick(READS);
  const denied = rng.chance(0.05);
  return record(rng, ts, {
    eventSource,
    eventName,
    user,
    place,
    sourceIPAddress: ip,
    requestParameters: eventSource === 's3.amazonaws.com' ? { bucketName: 'acme-prod-data' } : null,
    ...(denied
      ? {
          errorCode: 'AccessDenied',
          errorMessage: `User: arn:aws:iam::${AWS_ACCOUNT_ID}:user/${user} is not authorized to perform: ${eventSource.split('.')[0]}:${eventName}`,
        }
      : {}),
  });
}

/** Privilege escalation: AdministratorAccess attached to a user, or a user added to the Admins group. */
export function privilegeEscalation(rng: Rng, at: number): DemoLog[] {
  const actor = rng.pick(USERS.slice(10));
  const target = rng.pick(USERS);
  const place = homeOf(actor);
  const ip = homeIp(actor);
  const base = { eventSource: 'iam.amazonaws.com', user: actor, place, sourceIPAddress: ip };
  const escalation = rng.chance(0.5)
    ? record(rng, at + 5000, {
        ...base,
        eventName: 'AttachUserPolicy',
        requestParameters: { userName: target, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      })
    : record(rng, at + 5000, {
        ...base,
        eventName: 'AddUserToGroup',
        requestParameters: { groupName: 'Admins', userName: target },
      });
  return [
    record(rng, at, {
      ...base,
      eventName: 'ListAttachedUserPolicies',
      requestParameters: { userName: target },
    }),
    escalation,
    record(rng, at + 9000, {
      ...base,
      eventName: 'CreateAccessKey',
      requestParameters: { userName: target },
      responseElements: { accessKey: { userName: target, status: 'Active' } },
    }),
  ];
}

/** Impossible travel: one user signs in at home, then ~4 minutes later from another continent. */
export function impossibleTravel(rng: Rng, at: number): DemoLog[] {
  const user = rng.pick(USERS);
  const far = rng.pick(HOSTILE_PLACES);
  return [
    consoleLogin(rng, at, user, homeOf(user), homeIp(user), true),
    consoleLogin(rng, at + 240_000 + rng.int(0, 20_000), user, far, ipIn(rng, far), true),
  ];
}
