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

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a point in time: a duration back from `now` (`30d`, `12h`, `6w`,
 * `3mo`), `now`, an ISO date (midnight UTC) or an ISO date-time (UTC when no
 * offset is given).
 */
export function parseInstant(text: string, now: Date): Date {
  const trimmed = text.trim();
  if (trimmed === 'now') return new Date(now.getTime());
  const duration = parseDuration(trimmed);
  if (duration !== undefined) return subtractDuration(now, duration);
  if (ISO_DATE.test(trimmed) || ISO_DATETIME.test(trimmed)) {
    let iso = trimmed;
    if (ISO_DATE.test(iso)) iso += 'T00:00:00Z';
    else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
    const date = new Date(iso);
    if (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === isoDay(iso, date)) return date;
  }
  throw new TimeError(
    `invalid time "${text}": use a duration (30d, 12h, 6w, 3mo) or an ISO-8601 date such as 2026-01-31 or 2026-01-31T08:00:00Z`,
  );
}

// Rejects dates JavaScript would roll over (2026-02-30 → March 2) when no offset shifts the day.
function isoDay(iso: string, date: Date): string {
  return /(Z|T00:00:00Z)$/.test(iso) ? iso.slice(0, 10) : date.toISOString().slice(0, 10);
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
