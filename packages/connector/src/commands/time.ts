import { configError } from '../errors.ts';

export const DAY_MS = 86_400_000;

/**
 * Bare numbers below this are epoch SECONDS, at or above it epoch MILLISECONDS. 1e11 s is the
 * year 5138 and 1e11 ms is March 1973, so no real timestamp of either kind is misread.
 */
export const SECONDS_MS_BOUNDARY = 1e11;

const UNIT_MS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  d: DAY_MS,
  day: DAY_MS,
  w: 7 * DAY_MS,
  week: 7 * DAY_MS,
};

export const startOfUtcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * A time argument -> epoch milliseconds, always UTC:
 * - epoch seconds or milliseconds (by magnitude, see SECONDS_MS_BOUNDARY), fractions allowed;
 * - ISO 8601 (`2026-11-22`, `2026-11-22T10:00:00`, `...Z`, `...+02:00`); no offset means UTC;
 * - `now`, `today`, `yesterday` (UTC midnight);
 * - relative: `<n> <unit> ago` with seconds, minutes, hours, days, weeks, months or years
 *   (months and years are calendar steps in UTC).
 * Anything else is a config error naming `field`.
 */
export function parseTimeArg(input: string | number, nowMs: number, field: string): number {
  if (typeof input === 'number') return fromNumber(input, field);
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return fromNumber(Number(text), field);
  const lower = text.toLowerCase();
  if (lower === 'now') return nowMs;
  if (lower === 'today') return startOfUtcDay(nowMs);
  if (lower === 'yesterday') return startOfUtcDay(nowMs) - DAY_MS;
  const rel = /^(\d+)\s*([a-z]+?)s?\s+ago$/.exec(lower);
  if (rel) {
    const n = Number(rel[1]);
    const unit = rel[2]!;
    if (unit === 'month' || unit === 'mo' || unit === 'year' || unit === 'y' || unit === 'yr') {
      const d = new Date(nowMs);
      if (unit.startsWith('m')) d.setUTCMonth(d.getUTCMonth() - n);
      else d.setUTCFullYear(d.getUTCFullYear() - n);
      return d.getTime();
    }
    const ms = UNIT_MS[unit];
    if (ms !== undefined) return nowMs - n * ms;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const hasZone = /(z|[+-]\d{2}:?\d{2})$/i.test(text);
    const iso = text.length > 10 && !hasZone ? `${text}Z` : text;
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) return ms;
  }
  throw configError(
    field,
    `"${input}" is not a time: use epoch seconds or milliseconds, ISO 8601 (UTC unless it has an offset), "now", or "<n> <unit> ago" (e.g. "2 hours ago")`,
    'INVALID_ARGUMENT',
  );
}

function fromNumber(n: number, field: string): number {
  if (!Number.isFinite(n) || n < 0)
    throw configError(field, `"${n}" is not a valid epoch time`, 'INVALID_ARGUMENT');
  return Math.round(n < SECONDS_MS_BOUNDARY ? n * 1000 : n);
}

export interface TimeChunk {
  /** Inclusive epoch ms. */
  from: number;
  /** Inclusive epoch ms. */
  to: number;
}

/**
 * Splits [from, to] into consecutive pieces that each touch at most two UTC calendar days: the
 * search API serves at most 2 calendar days per query. Oldest first.
 */
export function splitIntoTwoDayChunks(fromMs: number, toMs: number): TimeChunk[] {
  const chunks: TimeChunk[] = [];
  for (let cur = fromMs; cur <= toMs;) {
    const end = Math.min(toMs, startOfUtcDay(cur) + 2 * DAY_MS - 1);
    chunks.push({ from: cur, to: end });
    cur = end + 1;
  }
  return chunks;
}
