// Durations and instants for --since/--until and the API's since/until
// parameters. Pure: the caller passes "now".

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

/** `now` minus a duration; months and years step the UTC calendar. */
export function subtractDuration(now: Date, duration: Duration): Date {
  if (duration.unit === 'mo' || duration.unit === 'y') {
    const months = duration.unit === 'y' ? duration.amount * 12 : duration.amount;
    const d = new Date(now.getTime());
    const day = d.getUTCDate();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - months);
    const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    d.setUTCDate(Math.min(day, lastDay));
    return d;
  }
  return new Date(now.getTime() - duration.amount * (UNIT_MS[duration.unit] ?? 0));
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))?)?$/;

/**
 * Parses a point in time: a duration back from `now` (`30d`, `12h`, `6w`,
 * `3mo`), `now`, an ISO date (midnight UTC) or an ISO date-time (UTC when no
 * offset is given). A date that does not exist (2026-02-30, 25:00) is
 * refused in every form, never rolled over into the next month or day.
 */
export function parseInstant(text: string, now: Date): Date {
  const trimmed = text.trim();
  if (trimmed === 'now') return new Date(now.getTime());
  const duration = parseDuration(trimmed);
  if (duration !== undefined) return subtractDuration(now, duration);
  const iso = ISO_INSTANT.exec(trimmed);
  if (iso !== null) {
    const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(iso[i] ?? 0)) as [number, number, number, number, number, number];
    const millis = Number((iso[7] ?? '').padEnd(3, '0').slice(0, 3));
    const offsetSign = iso[9] === '-' ? -1 : 1;
    const offsetHours = Number(iso[10] ?? 0);
    const offsetMinutes = Number(iso[11] ?? 0);
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (month < 1 || month > 12 || day < 1 || day > lastDay) {
      throw new TimeError(`invalid date "${text}": ${iso[1]}-${iso[2]} has no day ${iso[3]}`);
    }
    if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
      throw new TimeError(`invalid time of day in "${text}": use hours 00–23, minutes and seconds 00–59`);
    }
    const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
    return new Date(wall - offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000);
  }
  throw new TimeError(
    `invalid time "${text}": use a duration (30d, 12h, 6w, 3mo) or an ISO-8601 date such as 2026-01-31 or 2026-01-31T08:00:00Z`,
  );
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
