// Durations and instants for --since/--until and the API's since/until
// parameters. Pure: the caller passes "now" (and the --tz zone).
import { daysInMonth, instantOfLocal, localDateTime, startOfLocalDay } from './periods.js';

export class TimeError extends Error {}

const DURATION = /^(\d+)(mo|ms|s|m|h|d|w|y)$/;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export interface Duration {
  amount: number;
  unit: 'ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'mo' | 'y';
}

export function parseDuration(text: string): Duration | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  if (!Number.isSafeInteger(amount)) return undefined;
  return { amount, unit: match[2] as Duration['unit'] };
}

/** Milliseconds of a fixed-length duration (not months or years). */
export function durationMs(text: string): number {
  const duration = parseDuration(text);
  if (duration === undefined || duration.unit === 'mo' || duration.unit === 'y') {
    throw new TimeError(`invalid duration "${text}": use a number and a unit, e.g. 500ms, 30s, 5m, 2h`);
  }
  return duration.amount * (UNIT_MS[duration.unit] ?? 0);
}

/**
 * `now` minus a duration. Months and years step the calendar of `tz` (UTC by
 * default), keeping the time of day and clamping to the end of a shorter
 * month; every other unit is a fixed length.
 */
export function subtractDuration(now: Date, duration: Duration, tz?: string): Date {
  if (duration.unit === 'mo' || duration.unit === 'y') {
    const months = duration.unit === 'y' ? duration.amount * 12 : duration.amount;
    const local = tz === undefined ? utcParts(now) : localDateTime(now, tz);
    const index = local.year * 12 + (local.month - 1) - months;
    const year = Math.floor(index / 12);
    const month = index - year * 12 + 1;
    const lastDay = daysInMonth(`${year}-${String(month).padStart(2, '0')}`);
    const parts = { ...local, year, month, day: Math.min(local.day, lastDay) };
    if (tz === undefined) return new Date(Date.UTC(year, month - 1, parts.day, parts.hour, parts.minute, parts.second, parts.millis));
    return instantOfLocal(parts, tz);
  }
  return new Date(now.getTime() - duration.amount * (UNIT_MS[duration.unit] ?? 0));
}

function utcParts(d: Date): { year: number; month: number; day: number; hour: number; minute: number; second: number; millis: number } {
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millis: d.getUTCMilliseconds(),
  };
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))?)?$/;

/**
 * Parses a point in time: a duration back from `now` (`30d`, `12h`, `6w`,
 * `3mo`), `now`, an ISO date or an ISO date-time. A date, or a date-time
 * without an offset, is wall-clock time in `tz` (`--tz`; UTC when absent):
 * `2026-11-01` under America/Los_Angeles is 07:00Z, the first instant of the
 * local day. An explicit offset or `Z` always wins. A date that does not
 * exist (2026-02-30, 2026-13-01, 25:00) is refused in every form, never
 * rolled over into the next month or day.
 */
export function parseInstant(text: string, now: Date, tz?: string): Date {
  const trimmed = text.trim();
  if (trimmed === 'now') return new Date(now.getTime());
  const duration = parseDuration(trimmed);
  if (duration !== undefined) return subtractDuration(now, duration, tz);
  const iso = ISO_INSTANT.exec(trimmed);
  if (iso !== null) {
    const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(iso[i] ?? 0)) as [number, number, number, number, number, number];
    const millis = Number((iso[7] ?? '').padEnd(3, '0').slice(0, 3));
    const offsetSign = iso[9] === '-' ? -1 : 1;
    const offsetHours = Number(iso[10] ?? 0);
    const offsetMinutes = Number(iso[11] ?? 0);
    if (month < 1 || month > 12) {
      throw new TimeError(`invalid date "${text}": there is no month ${iso[2]}; months run 01–12`);
    }
    const lastDay = daysInMonth(`${year}-${String(month).padStart(2, '0')}`);
    if (day < 1 || day > lastDay) {
      throw new TimeError(`invalid date "${text}": ${iso[1]}-${iso[2]} has no day ${iso[3]} (it has ${lastDay} days)`);
    }
    if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
      throw new TimeError(`invalid time of day in "${text}": use hours 00–23, minutes and seconds 00–59`);
    }
    const hasOffset = iso[8] !== undefined;
    if (!hasOffset && tz !== undefined && tz !== 'UTC') {
      // A bare date is the local day's first instant (01:00 where a zone skips midnight).
      if (iso[4] === undefined) return startOfLocalDay(year, month, day, tz);
      return instantOfLocal({ year, month, day, hour, minute, second, millis }, tz);
    }
    const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
    return new Date(wall - offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000);
  }
  throw new TimeError(
    `invalid time "${text}": use a duration (30d, 12h, 6w, 3mo) or an ISO-8601 date such as 2026-01-31 or 2026-01-31T08:00:00Z`,
  );
}

/**
 * Whether `text` is a UTC instant in the form control planes send
 * (`2026-01-01T00:00:00Z`, or with one to three decimals of a second) with
 * every field in range. Such text always parses with Date.parse; reading an
 * event checks this first because Date.parse costs about a third of reading
 * one (0.13 of 0.36 ms a page of 1,000 events). False says only "not this
 * form": Date.parse decides for the rest.
 */
export function isPlainUtcInstant(text: string): boolean {
  const n = text.length;
  if (n !== 20 && (n < 22 || n > 24)) return false;
  if (text.charCodeAt(n - 1) !== 90 /* Z */) return false;
  if (n > 20 && text.charCodeAt(19) !== 46 /* . */) return false;
  for (let i = 0; i < n - 1; i += 1) {
    const c = text.charCodeAt(i);
    const separator = i === 4 || i === 7 ? 45 /* - */ : i === 10 ? 84 /* T */ : i === 13 || i === 16 ? 58 /* : */ : i === 19 ? 46 : 0;
    if (separator !== 0 ? c !== separator : c < 48 || c > 57) return false;
  }
  const two = (at: number): number => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
  const month = two(5);
  const day = two(8);
  // Date.parse takes any day up to 31 whatever the month (February 30 is March 2).
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && two(11) <= 23 && two(14) <= 59 && two(17) <= 59;
}

/** Validates an IANA zone name using the runtime's own tz database. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
