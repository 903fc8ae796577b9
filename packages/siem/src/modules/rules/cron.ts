/**
 * Rule schedules. Accepts standard 5-field cron (`*\/5 * * * *`: minute hour day-of-month month
 * day-of-week, Sunday = 0 or 7) and Quartz 6/7-field cron as Logz.io uses it (`0 *\/5 * * * ?`:
 * second minute hour day-of-month month day-of-week [year], Sunday = 1, `?` = no constraint).
 * Supported per field: `*`, `?`, numbers, names (JAN, MON), ranges, lists and steps. Quartz
 * `L`, `W` and `#` are rejected. When both day fields are restricted, either may match (cron).
 */

export interface CronSchedule {
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  /** 0 = Sunday. */
  daysOfWeek: Set<number>;
  years: Set<number> | null;
  domAny: boolean;
  dowAny: boolean;
  timezone: string;
}

export class CronError extends Error {
  override name = 'CronError';
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseField(
  text: string,
  name: string,
  min: number,
  max: number,
  names?: { list: string[]; base: number },
): { set: Set<number>; any: boolean } {
  if (text === '*' || text === '?') return { set: range(min, max, 1), any: true };
  const set = new Set<number>();
  const value = (v: string): number => {
    const upper = v.toUpperCase();
    if (names) {
      const i = names.list.indexOf(upper);
      if (i >= 0) return i + names.base;
    }
    if (!/^\d+$/.test(v)) {
      throw new CronError(`${name} field: '${v}' is not a number or name (L, W and # are not supported)`);
    }
    const n = Number(v);
    if (n < min || n > max) throw new CronError(`${name} field: ${n} is outside ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [base, stepText] = part.split('/');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        throw new CronError(`${name} field: step '${stepText}' must be a positive integer`);
      }
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (base === '*' || base === '?') {
      lo = min;
      hi = max;
    } else if (base!.includes('-')) {
      const [a, b] = base!.split('-');
      lo = value(a!);
      hi = value(b!);
      if (lo > hi) throw new CronError(`${name} field: range ${base} is reversed`);
    } else {
      lo = value(base!);
      hi = stepText !== undefined ? max : lo;
    }
    for (const n of range(lo, hi, step)) set.add(n);
  }
  return { set, any: false };
}

function range(lo: number, hi: number, step: number): Set<number> {
  const s = new Set<number>();
  for (let i = lo; i <= hi; i += step) s.add(i);
  return s;
}

/** Parses a cron expression; throws CronError naming the field that is wrong. */
export function parseCron(expression: string, timezone = 'UTC'): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length < 5 || parts.length > 7) {
    throw new CronError(
      `expected 5 fields (minute hour day month weekday) or 6-7 Quartz fields, got ${parts.length}`,
    );
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new CronError(`unknown timezone '${timezone}'`);
  }
  const quartz = parts.length >= 6;
  const [sec, min, hour, dom, mon, dow, year] = quartz ? parts : ['0', ...parts];
  const dowField = quartz
    ? parseField(dow!, 'day-of-week', 1, 7, { list: DAYS, base: 1 })
    : parseField(dow!, 'day-of-week', 0, 7, { list: DAYS, base: 0 });
  const daysOfWeek = new Set<number>();
  for (const d of dowField.set) daysOfWeek.add(quartz ? d - 1 : d % 7);
  const domField = parseField(dom!, 'day-of-month', 1, 31);
  return {
    seconds: parseField(sec!, 'second', 0, 59).set,
    minutes: parseField(min!, 'minute', 0, 59).set,
    hours: parseField(hour!, 'hour', 0, 23).set,
    daysOfMonth: domField.set,
    months: parseField(mon!, 'month', 1, 12, { list: MONTHS, base: 1 }).set,
    daysOfWeek,
    years: year === undefined || year === '*' ? null : parseField(year, 'year', 1970, 2199).set,
    domAny: domField.any,
    dowAny: dowField.any,
    timezone,
  };
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(ms: number, timezone: string): LocalTime {
  if (timezone === 'UTC') {
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      weekday: d.getUTCDay(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
    };
  }
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timezone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(ms)) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    weekday: DAYS.indexOf(p.weekday!.toUpperCase()),
    hour: Number(p.hour),
    minute: Number(p.minute),
  };
}

function dayMatches(c: CronSchedule, t: LocalTime): boolean {
  if (!c.months.has(t.month)) return false;
  if (c.years && !c.years.has(t.year)) return false;
  const dom = c.daysOfMonth.has(t.day);
  const dow = c.daysOfWeek.has(t.weekday);
  if (c.domAny && c.dowAny) return true;
  if (c.domAny) return dow;
  if (c.dowAny) return dom;
  return dom || dow;
}

const MINUTE = 60_000;
const MAX_STEPS = 200_000;

/** The first fire time strictly after `afterMs` (epoch ms), or null if none within ~5 years. */
export function nextCronTime(c: CronSchedule, afterMs: number): number | null {
  const firstSecond = Math.floor(afterMs / 1000) * 1000 + 1000;
  let minuteStart = Math.floor(firstSecond / MINUTE) * MINUTE;
  const limit = afterMs + 5 * 366 * 24 * 60 * MINUTE;
  for (let steps = 0; steps < MAX_STEPS && minuteStart <= limit; steps++) {
    const t = localTime(minuteStart, c.timezone);
    if (!dayMatches(c, t)) {
      minuteStart += (24 * 60 - t.hour * 60 - t.minute) * MINUTE;
      continue;
    }
    if (!c.hours.has(t.hour)) {
      minuteStart += (60 - t.minute) * MINUTE;
      continue;
    }
    if (c.minutes.has(t.minute)) {
      const fromSecond = minuteStart < firstSecond ? (firstSecond - minuteStart) / 1000 : 0;
      for (let s = fromSecond; s < 60; s++) if (c.seconds.has(s)) return minuteStart + s * 1000;
    }
    minuteStart += MINUTE;
  }
  return null;
}
