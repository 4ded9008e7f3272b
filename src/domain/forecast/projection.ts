// The one projection of spend to the end of a period: spend to date (exact,
// from the events' daily sums) plus a weekday-weighted daily run rate over
// the days left. `kt forecast` (its month row, its summary, --all-teams) and
// `kt wallets check` all call projectSpend, so they print the same figure
// for the same team and period.
//
// Pure: the days, today and the zone's reading of them come in as arguments.
// The rate and the spread are statistics (floats, major units); what was
// spent stays exact Money, and estimates come back through moneyFromFloat.
import { addMoney, maxMoney, type Money, moneyToFloat, subtractMoney, ZERO } from '../money.js';
import { estimateMoney } from './estimate.js';
import { isWalletPeriod, localDate, walletPeriodBounds } from '../periods.js';
import { addDays, monthLastDay, weekdayOf } from '../periods.js';
import { zForLevel } from './normal.js';

/** Days of daily history behind the weekday pattern and the day-to-day spread. */
export const PATTERN_DAYS = 56;
/** Below this many complete days of history, the day-to-day spread is floored. */
export const MIN_SPREAD_DAYS = 14;
/** The floor: the daily spread is at least this share of the daily rate (the monthly model's fallback too). */
export const RELATIVE_SPREAD_FLOOR = 0.2;

export interface DailySpend {
  /** Local calendar date YYYY-MM-DD. */
  date: string;
  cost: Money;
}

/**
 * Day-of-week weights from complete days of history: the mean spend on each
 * weekday over the mean spend of all days, normalised so they average 1.
 * Weekdays never seen (or no spend at all) weigh 1.
 */
export function weekdayWeights(days: readonly DailySpend[]): number[] {
  const sums = [0, 0, 0, 0, 0, 0, 0];
  const counts = [0, 0, 0, 0, 0, 0, 0];
  for (const day of days) {
    const w = weekdayOf(day.date);
    sums[w] = (sums[w] ?? 0) + Math.max(0, moneyToFloat(day.cost));
    counts[w] = (counts[w] ?? 0) + 1;
  }
  const means = sums.map((s, i) => ((counts[i] ?? 0) > 0 ? s / (counts[i] ?? 1) : null));
  const seen = means.filter((m): m is number => m !== null);
  const overall = seen.length > 0 ? seen.reduce((a, b) => a + b, 0) / seen.length : 0;
  if (overall <= 0) return [1, 1, 1, 1, 1, 1, 1];
  const raw = means.map((m) => (m === null ? 1 : m / overall));
  const mean = raw.reduce((a, b) => a + b, 0) / 7;
  return raw.map((w) => (mean > 0 ? w / mean : 1));
}

/** How a team has been spending lately: what every projection of it starts from. */
export interface SpendPace {
  today: string;
  /** Fraction of today already elapsed, 0..1. */
  todayElapsed: number;
  weights: number[];
  /** Weekday-adjusted spend of an average day, major units (a statistic). */
  rate: number;
  /** Day-to-day spread of weekday-adjusted spend, major units, after the floor. */
  spread: number;
  /** Complete days the rate was measured on. */
  rateDays: number;
  /** Complete days of history (from the first with spend, inside the pattern window) behind the pattern and the spread. */
  historyDays: number;
  /** historyDays is under MIN_SPREAD_DAYS: the spread is at least RELATIVE_SPREAD_FLOOR of the rate. */
  floored: boolean;
  /** Spend per local date, exact; today's partial day included. */
  days: ReadonlyMap<string, Money>;
}

/**
 * The pace from daily spend: weekday weights and the spread from the complete
 * days of the last PATTERN_DAYS (from the first day with spend), the rate from
 * this month's complete days since spend began (days without events are days
 * of zero spend), or on the month's first day the history's mean.
 */
export function spendPace(input: { days: ReadonlyMap<string, Money>; today: string; todayElapsed: number }): SpendPace {
  const { days, today } = input;
  const windowStart = addDays(today, -PATTERN_DAYS);
  const firstSpend = [...days.entries()]
    .filter(([date, cost]) => date >= windowStart && date < today && cost > 0n)
    .map(([date]) => date)
    .sort()[0];
  const history: DailySpend[] = [];
  for (let date = firstSpend; date !== undefined && date < today; date = addDays(date, 1)) history.push({ date, cost: days.get(date) ?? ZERO });
  // A weekday pattern needs every weekday seen twice: on less history it is noise, and days weigh alike.
  const weights = history.length >= MIN_SPREAD_DAYS ? weekdayWeights(history) : [1, 1, 1, 1, 1, 1, 1];
  const weightOf = (date: string): number => weights[weekdayOf(date)] ?? 1;

  const monthStart = `${today.slice(0, 7)}-01`;
  const from = firstSpend !== undefined && firstSpend > monthStart ? firstSpend : monthStart;
  let completeWeight = 0;
  let completeDays = 0;
  let completeSpend = 0;
  for (let date = from; date < today; date = addDays(date, 1)) {
    completeWeight += weightOf(date);
    completeDays += 1;
    completeSpend += Math.max(0, moneyToFloat(days.get(date) ?? ZERO));
  }
  let rate = 0;
  if (completeWeight > 0) rate = completeSpend / completeWeight;
  else if (history.length > 0) rate = history.reduce((s, d) => s + Math.max(0, moneyToFloat(d.cost)), 0) / history.length;

  const adjusted = history.map((d) => Math.max(0, moneyToFloat(d.cost)) / Math.max(1e-9, weightOf(d.date)));
  let spread = 0;
  if (adjusted.length >= 2) {
    const mean = adjusted.reduce((a, b) => a + b, 0) / adjusted.length;
    spread = Math.sqrt(adjusted.reduce((s, x) => s + (x - mean) ** 2, 0) / (adjusted.length - 1));
  }
  const todayElapsed = Math.min(1, Math.max(0, Number.isFinite(input.todayElapsed) ? input.todayElapsed : 0));
  const floored = history.length < MIN_SPREAD_DAYS;
  if (floored) {
    // With no measured rate, the pace of what was spent since `from` (today's part included) stands in for it.
    const spentSince = [...days.entries()].filter(([date]) => date >= from && date <= today).reduce((s, [, cost]) => s + Math.max(0, moneyToFloat(cost)), 0);
    const elapsedDays = completeDays + todayElapsed;
    const level = rate > 0 ? rate : elapsedDays > 0 ? spentSince / elapsedDays : 0;
    spread = Math.max(spread, RELATIVE_SPREAD_FLOOR * level);
  }
  return {
    today,
    todayElapsed,
    weights,
    rate: Number.isFinite(rate) ? rate : 0,
    spread: Number.isFinite(spread) ? spread : 0,
    rateDays: completeWeight > 0 ? completeDays : history.length,
    historyDays: history.length,
    floored,
    days,
  };
}

export interface SpendProjection {
  /** First and last local date of the range projected (inclusive). */
  firstDay: string;
  lastDay: string;
  /** Spend in the range so far, exact. */
  toDate: Money;
  projected: Money;
  lower: Money;
  upper: Money;
}

/**
 * Spend to date in [firstDay, lastDay] plus the pace over what is left of it:
 * the rest of today, then every later day, each at the rate times its weekday
 * weight. The interval at `levelPct` adds two errors: the days left vary
 * around the rate (the spread), and the rate itself is a mean of only
 * rateDays days. Spend never goes down, so the lower bound is at least the
 * spend to date.
 */
export function projectSpend(pace: SpendPace, range: { firstDay: string; lastDay: string }, levelPct: number): SpendProjection {
  let toDate = ZERO;
  for (const [date, cost] of pace.days) if (date >= range.firstDay && date <= range.lastDay && date <= pace.today) toDate = addMoney(toDate, cost);
  const weightOf = (date: string): number => pace.weights[weekdayOf(date)] ?? 1;
  let remaining = 0;
  let squares = 0;
  if (pace.today >= range.firstDay && pace.today <= range.lastDay) {
    const part = (1 - pace.todayElapsed) * weightOf(pace.today);
    remaining += part;
    squares += part * part;
  }
  // A period is at most a year: the walk is bounded.
  const start = pace.today >= range.firstDay ? addDays(pace.today, 1) : range.firstDay;
  for (let date = start, i = 0; date <= range.lastDay && i < 400; date = addDays(date, 1), i += 1) {
    remaining += weightOf(date);
    squares += weightOf(date) ** 2;
  }
  const projected = addMoney(toDate, estimateMoney(pace.rate * remaining));
  const rateVariance = pace.rateDays > 0 ? (remaining * remaining) / pace.rateDays : 0;
  const half = estimateMoney(zForLevel(levelPct) * pace.spread * Math.sqrt(squares + rateVariance));
  const lower = maxMoney(subtractMoney(projected, half), toDate);
  return { firstDay: range.firstDay, lastDay: range.lastDay, toDate, projected, lower, upper: addMoney(projected, half) };
}

export interface ProjectionRange {
  firstDay: string;
  lastDay: string;
  /** `period`: the wallet's budget period; `month`: the calendar month (the wallet names no period). */
  basis: 'period' | 'month';
}

/** What a wallet says about its period: the bounds it sent, or the period's name. */
export interface PeriodFacts {
  period: string | null;
  period_start: string | null;
  period_end: string | null;
}

/**
 * The local dates a projection runs over: the wallet's period when the
 * server gives its bounds (and they hold now) or names a known period, else
 * the calendar month holding now.
 */
export function projectionRange(wallet: PeriodFacts | null, now: Date, tz: string): ProjectionRange {
  const nowMs = now.getTime();
  const start = wallet?.period_start === null || wallet?.period_start === undefined ? Number.NaN : Date.parse(wallet.period_start);
  const end = wallet?.period_end === null || wallet?.period_end === undefined ? Number.NaN : Date.parse(wallet.period_end);
  if (Number.isFinite(start) && Number.isFinite(end) && start <= nowMs && nowMs < end) {
    return { firstDay: localDate(new Date(start), tz), lastDay: localDate(new Date(end - 1), tz), basis: 'period' };
  }
  const period = wallet?.period ?? null;
  if (period !== null && isWalletPeriod(period)) {
    const bounds = walletPeriodBounds(now, period);
    return { firstDay: localDate(bounds.start, tz), lastDay: localDate(new Date(bounds.end.getTime() - 1), tz), basis: 'period' };
  }
  const month = localDate(now, tz).slice(0, 7);
  return { firstDay: `${month}-01`, lastDay: monthLastDay(month), basis: 'month' };
}

/**
 * The local date on which spend at the pace reaches the cap: today when it
 * already has, null when it will not by `lastDay` (or nothing is being spent).
 */
export function capCrossingDate(pace: Pick<SpendPace, 'rate' | 'weights' | 'today' | 'todayElapsed'>, spent: Money, cap: Money, lastDay: string): string | null {
  if (spent >= cap) return pace.today;
  if (!(pace.rate > 0)) return null;
  const weightOf = (date: string): number => pace.weights[weekdayOf(date)] ?? 1;
  // The estimate of each day's spend is a statistic; the running total is kept as money.
  let total = spent + estimateMoney(pace.rate * weightOf(pace.today) * (1 - pace.todayElapsed));
  if (total >= cap) return pace.today;
  for (let date = addDays(pace.today, 1), i = 0; date <= lastDay && i < 400; date = addDays(date, 1), i += 1) {
    total += estimateMoney(pace.rate * weightOf(date));
    if (total >= cap) return date;
  }
  return null;
}
