import type { Rng } from './rng.ts';

/** The made-up organisation the demo logs describe: people, hosts, networks, places. */
export const USERS = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'ken',
  'laura',
  'mike',
  'nina',
  'oscar',
  'peggy',
  'quinn',
  'rupert',
  'sybil',
  'trent',
] as const;

/** Names that password sprayers and brute-forcers try (mostly not real accounts here). */
export const SPRAY_USERS = [
  'root',
  'admin',
  'test',
  'oracle',
  'postgres',
  'ubuntu',
  'guest',
  'user',
  'support',
  'ftp',
  'www-data',
  'deploy',
  'jenkins',
  'git',
  'backup',
  'mysql',
  'ansible',
  'pi',
  'hadoop',
  'nagios',
  'tomcat',
  'ec2-user',
  'centos',
  'minecraft',
  'steam',
] as const;

export interface Place {
  country_name: string;
  country_code2: string;
  city_name: string;
  /** First two octets of the addresses used for this place. */
  prefix: string;
}

/** Where employees work from (each user has one home place). */
export const HOME_PLACES: readonly Place[] = [
  { country_name: 'United States', country_code2: 'US', city_name: 'New York', prefix: '34.201' },
  { country_name: 'United States', country_code2: 'US', city_name: 'Seattle', prefix: '52.24' },
  { country_name: 'Germany', country_code2: 'DE', city_name: 'Frankfurt', prefix: '85.214' },
];

/** Where attacks come from. */
export const HOSTILE_PLACES: readonly Place[] = [
  { country_name: 'Russia', country_code2: 'RU', city_name: 'Moscow', prefix: '95.163' },
  { country_name: 'China', country_code2: 'CN', city_name: 'Hangzhou', prefix: '116.62' },
  { country_name: 'Nigeria', country_code2: 'NG', city_name: 'Lagos', prefix: '105.112' },
  { country_name: 'Brazil', country_code2: 'BR', city_name: 'Sao Paulo', prefix: '177.71' },
  { country_name: 'North Korea', country_code2: 'KP', city_name: 'Pyongyang', prefix: '175.45' },
];

export const LINUX_HOSTS = ['bastion-01', 'web-01', 'web-02', 'db-01', 'jenkins-01'] as const;
export const WORKSTATIONS = [
  'WKS-0012',
  'WKS-0031',
  'WKS-0047',
  'WKS-0058',
  'WKS-0104',
  'LAPTOP-FIN-07',
] as const;
export const AWS_ACCOUNT_ID = '123456789012';
export const AWS_REGIONS = ['us-east-1', 'us-east-1', 'us-west-2', 'eu-central-1'] as const;

export function homeOf(user: string): Place {
  let h = 0;
  for (const c of user) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return HOME_PLACES[h % HOME_PLACES.length];
}

/** A stable address for a user at home (same user, same IP), so normal logins never look like travel. */
export function homeIp(user: string): string {
  let h = 7;
  for (const c of user) h = (h * 33 + c.charCodeAt(0)) >>> 0;
  return `${homeOf(user).prefix}.${(h >>> 8) % 250}.${(h % 250) + 2}`;
}

export const ipIn = (rng: Rng, place: Place) => `${place.prefix}.${rng.int(0, 255)}.${rng.int(2, 254)}`;
export const internalIp = (rng: Rng) => `10.0.${rng.int(1, 9)}.${rng.int(10, 250)}`;
/** Internet scanners: noise on the SSH port from everywhere. */
export const randomInternetIp = (rng: Rng) =>
  `${rng.int(11, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(2, 254)}`;

export function geoip(place: Place) {
  return { country_name: place.country_name, country_code2: place.country_code2, city_name: place.city_name };
}
