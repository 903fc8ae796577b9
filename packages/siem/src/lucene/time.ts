/**
 * Instants in queries: ISO dates, epoch numbers and `now` date math. Numbers below 1e11 are
 * read as epoch SECONDS, above as epoch MILLISECONDS. Real Elasticsearch reads every number
 * on a date field as epoch_millis; we depart from it on purpose because XSOAR sends the user's
 * raw 10-digit seconds (`"from":"1581261159"`), which ES would read as January 1970. 1e11 ms
 * is March 1973 and 1e11 s is the year 5138, so no realistic instant is ambiguous.
 */
export const SECONDS_BELOW = 1e11;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i;
const DATE_MATH = /^now((?:[+-]\d+[yMwdhHms])*)(?:\/([yMwdhHms]))?$/;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  H: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * The instants a query may name: years 0000 to 9999, as an ISO 8601 date can. An epoch number
 * outside them is a mistake, and JavaScript dates end not far beyond (year 275760), so the
 * day arithmetic of a search window must never be handed one.
 */
export const MIN_QUERY_INSTANT_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
export const MAX_QUERY_INSTANT_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

export function isQueryInstant(ms: number): boolean {
  return ms >= MIN_QUERY_INSTANT_MS && ms <= MAX_QUERY_INSTANT_MS;
}

export function epochFromNumber(n: number): number {
  return Math.abs(n) < SECONDS_BELOW ? Math.round(n * 1000) : Math.round(n);
}

export function isDateMath(s: string): boolean {
  return /^now/.test(s.trim());
}

/** Epoch ms for an ISO date string, or undefined. Dates without a zone are UTC. */
export function parseIsoDate(s: string): number | undefined {
  const t = s.trim();
  if (!ISO_DATE.test(t)) return undefined;
  const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(t.slice(10)) || t.length === 10 ? t : `${t}Z`;
  const ms = Date.parse(withZone.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** `now`, `now-5m`, `now-1h/d`, `now+1d/M`: epoch ms relative to `now`, or undefined if malformed. */
export function resolveDateMath(expr: string, now: number): number | undefined {
  const m = DATE_MATH.exec(expr.trim());
  if (!m) return undefined;
  const d = new Date(now);
  for (const [, sign, num, unit] of m[1]!.matchAll(/([+-])(\d+)([yMwdhHms])/g)) {
    const n = Number(num) * (sign === '-' ? -1 : 1);
    if (unit === 'y') d.setUTCFullYear(d.getUTCFullYear() + n);
    else if (unit === 'M') d.setUTCMonth(d.getUTCMonth() + n);
    else d.setTime(d.getTime() + n * UNIT_MS[unit!]!);
  }
  const round = m[2];
  if (round) roundDown(d, round);
  const ms = d.getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

function roundDown(d: Date, unit: string): void {
  if (unit === 'y') d.setUTCMonth(0, 1);
  if (unit === 'M' || unit === 'y') d.setUTCDate(1);
  if (unit === 'w') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (unit === 's') d.setUTCMilliseconds(0);
  else if (unit === 'm') d.setUTCSeconds(0, 0);
  else if (unit === 'h' || unit === 'H') d.setUTCMinutes(0, 0, 0);
  else d.setUTCHours(0, 0, 0, 0);
}

/** A document value as an instant: ISO string or epoch number (same seconds rule). */
export function docInstant(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? epochFromNumber(v) : undefined;
  if (typeof v === 'string') {
    if (/^\d+(\.\d+)?$/.test(v.trim())) return epochFromNumber(Number(v));
    return parseIsoDate(v);
  }
  return undefined;
}
