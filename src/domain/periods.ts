// kt's one calendar: every day, week, month and period computation goes
// through here (local dates in an IANA zone, DST-correct; calendar dates and
// months as text; buckets, wallet and cap periods). Pure: no clock, no I/O.
// Buckets are local calendar days, weeks (starting Monday) and months; a
// bucket starts at the first instant whose local date is the bucket's first
// day — usually local midnight, 01:00 where a zone skips midnight.

/** Aggregation buckets (`--aggregate`, `aggregate=`). */
export const BUCKET_PERIODS = ['daily', 'weekly', 'monthly'] as const;
export type BucketPeriod = (typeof BUCKET_PERIODS)[number];

/** Budget periods of a wallet (`--period`, the allocate body's `period`). */
export const WALLET_PERIODS = ['monthly', 'quarterly', 'yearly'] as const;
export type WalletPeriod = (typeof WALLET_PERIODS)[number];

const WALLET_PERIOD_UNIT: Readonly<Record<WalletPeriod, string>> = { monthly: 'month', quarterly: 'quarter', yearly: 'year' };

/** The noun for one wallet period ("$10,000/month"); a period kt does not know is shown as sent. */
export function periodUnit(period: string): string {
  return isWalletPeriod(period) ? WALLET_PERIOD_UNIT[period] : period;
}

export function isWalletPeriod(text: string): text is WalletPeriod {
  return (WALLET_PERIODS as readonly string[]).includes(text);
}

export function isBucketPeriod(text: string): text is BucketPeriod {
  return (BUCKET_PERIODS as readonly string[]).includes(text);
}

interface LocalParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

function localParts(ms: number, tz: string): LocalParts {
  const out: LocalParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(tz).formatToParts(ms)) {
    if (part.type in out) out[part.type as keyof LocalParts] = Number(part.value);
  }
  // some runtimes render midnight as 24 even with h23
  if (out.hour === 24) out.hour = 0;
  return out;
}

/** The zone's offset from UTC at `ms`, in milliseconds (Berlin in winter: +3600000). */
export function offsetAt(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The first instant of the local calendar day year-month-day in tz. */
export function startOfLocalDay(year: number, month: number, day: number, tz: string): Date {
  const guess = Date.UTC(year, month - 1, day);
  const norm = new Date(guess);
  const target = [norm.getUTCFullYear(), norm.getUTCMonth() + 1, norm.getUTCDate()];
  // The two offsets around the guess cover every case: normal, ambiguous midnight
  // (take the earlier), skipped midnight (the day starts at the transition).
  const o1 = offsetAt(guess, tz);
  const o2 = offsetAt(guess - o1, tz);
  const candidates = [guess - o1, guess - o2].sort((a, b) => a - b);
  for (const t of candidates) {
    const p = localParts(t, tz);
    if (p.year === target[0] && p.month === target[1] && p.day === target[2]) return new Date(t);
  }
  // Midnight skipped and the guesses landed on the day before: walk to the transition.
  let t = candidates[candidates.length - 1] ?? guess;
  for (let i = 0; i < 48 * 4; i += 1) {
    t += 15 * 60_000;
    const p = localParts(t, tz);
    if (p.year === target[0] && p.month === target[1] && p.day === target[2]) return new Date(t);
  }
  return new Date(guess - o1);
}

/**
 * The instant a local wall-clock time names in tz (`--since 2026-11-01T09:00
 * --tz America/Los_Angeles`). A time that occurs twice (the hour repeated
 * when clocks fall back) is the earlier one; a time the zone skips (clocks
 * spring forward) moves on by the gap, 02:30 → 03:30, as Temporal's
 * "compatible" disambiguation does.
 */
export function instantOfLocal(parts: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number; millis?: number }, tz: string): Date {
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, parts.millis ?? 0);
  // The zone's offsets a day either side cover any one transition near the wall time.
  const before = offsetAt(wall - 86_400_000, tz);
  const after = offsetAt(wall + 86_400_000, tz);
  const valid = [...new Set([before, after])].map((offset) => wall - offset).filter((t) => offsetAt(t, tz) === wall - t);
  if (valid.length > 0) return new Date(Math.min(...valid));
  // Skipped: read the wall time with the offset in force before the jump.
  return new Date(wall - before);
}

/**
 * Start of the bucket that holds `instant`: the local day, the local week
 * (Monday) or the local month in `tz`.
 */
export function bucketStart(instant: Date, period: BucketPeriod, tz = 'UTC'): Date {
  const p = localParts(instant.getTime(), tz);
  if (period === 'daily') return startOfLocalDay(p.year, p.month, p.day, tz);
  if (period === 'monthly') return startOfLocalDay(p.year, p.month, 1, tz);
  const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay(); // 0 = Sunday
  const back = (weekday + 6) % 7;
  return startOfLocalDay(p.year, p.month, p.day - back, tz);
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucketStart(start: Date, period: BucketPeriod, tz = 'UTC'): Date {
  const p = localParts(start.getTime(), tz);
  if (period === 'daily') return startOfLocalDay(p.year, p.month, p.day + 1, tz);
  if (period === 'weekly') return startOfLocalDay(p.year, p.month, p.day + 7, tz);
  return startOfLocalDay(p.year, p.month + 1, 1, tz);
}

/** The wall-clock parts of an instant in tz (month 1..12). */
export function localDateTime(instant: Date, tz: string): { year: number; month: number; day: number; hour: number; minute: number; second: number; millis: number } {
  const ms = instant.getTime();
  return { ...localParts(ms, tz), millis: ((ms % 1000) + 1000) % 1000 };
}

/** The local calendar date (YYYY-MM-DD) of an instant in tz. */
export function localDate(instant: Date, tz: string): string {
  const p = localParts(instant.getTime(), tz);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** How much of the local day holding `now` has passed, 0..1 (a 23- or 25-hour day counts as one). */
export function dayElapsed(now: Date, tz: string): number {
  const start = bucketStart(now, 'daily', tz).getTime();
  const length = nextBucketStart(new Date(start), 'daily', tz).getTime() - start;
  if (!(length > 0)) return 0;
  return Math.min(1, Math.max(0, (now.getTime() - start) / length));
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * ISO-8601 with the zone's offset: `2026-03-29T00:00:00+01:00`; with
 * `millis`, a non-zero millisecond part is kept (`…00:00.250+01:00`).
 */
export function formatWithOffset(instant: Date, tz = 'UTC', options: { millis?: boolean } = {}): string {
  const ms = instant.getTime();
  const p = localParts(ms, tz);
  const offsetMin = Math.round(offsetAt(ms, tz) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const millis = ((ms % 1000) + 1000) % 1000;
  const frac = options.millis === true && millis !== 0 ? `.${pad(millis, 3)}` : '';
  return (
    `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${frac}` +
    `${sign}${pad(Math.trunc(abs / 60))}:${pad(abs % 60)}`
  );
}

// ---- calendar dates (`YYYY-MM-DD`) and months (`YYYY-MM`) as text -------------
// Local days and months counted without a zone: the zone was applied when the
// instant became a local date (localDate).

function dateParts(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m, d ?? 1];
}

/** `2026-03` + 2 → `2026-05`. */
export function addMonths(month: string, n: number): string {
  const [y, m] = dateParts(month);
  const index = y * 12 + (m - 1) + n;
  const year = Math.floor(index / 12);
  return `${pad(year, 4)}-${pad(index - year * 12 + 1)}`;
}

/** Days in a `YYYY-MM` month (February 29 in a leap year). */
export function daysInMonth(month: string): number {
  const [y, m] = dateParts(month);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Last day of a `YYYY-MM` month, as `YYYY-MM-DD`. */
export function monthLastDay(month: string): string {
  return `${month}-${pad(daysInMonth(month))}`;
}

/** `2026-02-28` + 1 → `2026-03-01`. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = dateParts(date);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, for a `YYYY-MM-DD` date. */
export function weekdayOf(date: string): number {
  const [y, m, d] = dateParts(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** `2026-11-06` → `Fri`. */
export function weekdayName(date: string): string {
  return WEEKDAY_NAMES[weekdayOf(date)] ?? '';
}

/** The Monday of the (ISO 8601) week holding a `YYYY-MM-DD` date. */
export function mondayOf(date: string): string {
  return addDays(date, -((weekdayOf(date) + 6) % 7));
}

/** A UTC calendar month: `2026-03` and its instants [start, end). */
export interface CalendarMonth {
  /** `YYYY-MM` */
  month: string;
  /** 00:00 UTC on the month's first day. */
  start: Date;
  /** 00:00 UTC on the next month's first day (exclusive). */
  end: Date;
}

/** The UTC calendar month `YYYY-MM` as instants. */
export function utcMonth(month: string): CalendarMonth {
  return { month, start: new Date(`${month}-01T00:00:00Z`), end: new Date(`${addMonths(month, 1)}-01T00:00:00Z`) };
}

// ---- cap periods (a policy's spend_controls) --------------------------------------

export const CAP_PERIODS = ['daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const;
export type CapPeriod = (typeof CAP_PERIODS)[number];

export function isCapPeriod(text: string): text is CapPeriod {
  return (CAP_PERIODS as readonly string[]).includes(text);
}

/**
 * Which cap period an instant falls in, on the UTC calendar: the key changes
 * exactly when a new period starts (`2026-03-10`, `W2026-03-09` for the week
 * from that Monday, `2026-03`, `2026-Q1`, `2026`).
 */
export function capPeriodKey(ms: number, period: CapPeriod): string {
  const date = new Date(ms).toISOString().slice(0, 10);
  const [y, m] = dateParts(date);
  switch (period) {
    case 'daily':
      return date;
    case 'weekly':
      return `W${mondayOf(date)}`;
    case 'monthly':
      return date.slice(0, 7);
    case 'quarterly':
      return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
    case 'yearly':
      return String(y);
  }
}

/** A wallet's budget period holding `instant`, on the UTC calendar: [start, end). */
export function walletPeriodBounds(instant: Date, period: WalletPeriod): { start: Date; end: Date } {
  const year = instant.getUTCFullYear();
  const month = instant.getUTCMonth();
  const months = period === 'monthly' ? 1 : period === 'quarterly' ? 3 : 12;
  const first = period === 'monthly' ? month : period === 'quarterly' ? month - (month % 3) : 0;
  return { start: new Date(Date.UTC(year, first, 1)), end: new Date(Date.UTC(year, first + months, 1)) };
}
