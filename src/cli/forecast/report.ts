// Turns what the API returned (spend buckets, a wallet) into forecast rows.
// Pure: the clock and zone come in as arguments, so it is unit-tested with
// fixed data.
import { microsFromJson, type Micros } from '../../domain/money.js';
import {
  addDays,
  addMonths,
  capCrossingDate,
  forecastMonthly,
  projectMonth,
  weekdayOf,
  type Criterion,
  type DailySpend,
  type EtsParams,
  type ModelName,
  type MonthActual,
  type MonthProjection,
} from '../../domain/forecast.js';
import type { ForecastWallet, SpendBucket } from '../../api/forecast.js';
import { dayElapsed, localDate } from '../../domain/periods.js';
import { subtree, teamForest } from '../../domain/teams.js';

export type RowKind = 'actual' | 'projection' | 'forecast';
/** What made a row's forecast: a monthly model, or (this month) spend to date plus the daily run rate. */
export type RowModel = ModelName | 'daily-run-rate';
export type CapStatus = 'crossed' | 'projected' | 'not_this_period' | 'no_cap';

export interface ForecastRow {
  kind: RowKind;
  /** YYYY-MM */
  month: string;
  /** Full months only; null for the current and future months. */
  actual: Micros | null;
  forecast: Micros | null;
  lower: Micros | null;
  upper: Micros | null;
  variance: number | null;
  /** Projection row only: spend so far this month. */
  toDate: Micros | null;
  softCapDate: string | null;
  softCapStatus: CapStatus | null;
  hardCapDate: string | null;
  hardCapStatus: CapStatus | null;
  /** Null for the first month (no forecast). */
  model: RowModel | null;
  currency: string;
}

export interface CapOutlook {
  cap: Micros | null;
  date: string | null;
  status: CapStatus;
}

export interface TeamForecast {
  team: string;
  currency: string;
  /** `run-rate` when the run rate forecasts the months ahead, else `exponential-smoothing`. */
  method: 'exponential-smoothing' | 'run-rate';
  /** The model behind the months ahead, and why it was chosen. */
  model: ModelName;
  criterion: Criterion;
  params: EtsParams | null;
  /** Full months of history the model saw. */
  historyMonths: number;
  rows: ForecastRow[];
  projection: MonthProjection;
  allocated: Micros;
  /** Projected spend at the end of the wallet's period (its own period, which may be longer than a month). */
  projectedPeriodEnd: Micros;
  overrun: Micros;
  soft: CapOutlook;
  hard: CapOutlook;
  level: number;
}

export interface ForecastInput {
  team: string;
  wallet: ForecastWallet;
  monthly: readonly SpendBucket[];
  /** Daily spend over the whole history window (it finds a partial first month) and this month. */
  daily: readonly SpendBucket[];
  now: Date;
  tz: string;
  history: number;
  monthsAhead: number;
  level: number;
}

/** Days of daily history behind the weekday pattern and the day-to-day spread. */
export const PATTERN_DAYS = 56;

function sumBy(buckets: readonly SpendBucket[], key: (b: SpendBucket) => string): Map<string, Micros> {
  const totals = new Map<string, Micros>();
  for (const b of buckets) {
    const k = key(b);
    totals.set(k, (totals.get(k) ?? 0) + microsFromJson(b.cost));
  }
  return totals;
}

/** Local bucket date from `period_start`, which carries the zone's offset. */
const bucketDate = (b: SpendBucket): string => b.period_start.slice(0, 10);

export function buildTeamForecast(input: ForecastInput): TeamForecast {
  const today = localDate(input.now, input.tz);
  const month = today.slice(0, 7);
  const elapsed = dayElapsed(input.now, input.tz);
  const currency = input.wallet.currency;

  // Full months before this one; months before the first with any spend are not history.
  const perMonth = sumBy(input.monthly, (b) => b.period_start.slice(0, 7));
  const months: MonthActual[] = [];
  for (let k = input.history; k >= 1; k--) {
    const m = addMonths(month, -k);
    const actual = perMonth.get(m) ?? 0;
    if (months.length === 0 && actual === 0) continue;
    months.push({ month: m, actual });
  }

  const perDay = sumBy(input.daily, bucketDate);
  // A team that started mid-month has a partial first month: it is not a month of history.
  const firstSpendDay = [...perDay.entries()].filter(([, cost]) => cost > 0).map(([date]) => date).sort()[0];
  const firstMonth = months[0]?.month;
  if (firstMonth !== undefined && firstSpendDay !== undefined && firstSpendDay.startsWith(firstMonth) && firstSpendDay > `${firstMonth}-01`) {
    months.shift();
  }
  const monthDays: DailySpend[] = [...perDay.entries()]
    .filter(([date]) => date.startsWith(month) && date <= today)
    .map(([date, cost]) => ({ date, cost }));
  // Complete days from the first with spend (inside the pattern window) to yesterday; silent days count as zero.
  const windowStart = addDays(today, -PATTERN_DAYS);
  const seen = [...perDay.keys()].filter((d) => d >= windowStart && d < today).sort();
  const historyDays: DailySpend[] = [];
  for (let date = seen[0]; date !== undefined && date < today; date = addDays(date, 1)) historyDays.push({ date, cost: perDay.get(date) ?? 0 });

  const preliminary = forecastMonthly(months, 1, input.level, { firstFutureMonth: month });
  const projection = projectMonth({
    month,
    today,
    todayElapsed: elapsed,
    monthDays,
    historyDays,
    fallbackMonthTotal: preliminary.future[0]?.forecast ?? 0,
    levelPct: input.level,
  });
  const monthly = forecastMonthly(months, input.monthsAhead + 1, input.level, { firstFutureMonth: month, dailyRunRate: projection.dailyRate });

  const spent = microsFromJson(input.wallet.spent);
  const periodLastDay = localDate(new Date(Date.parse(input.wallet.period_end) - 1), input.tz);
  const crossing = { spent, dailyRate: projection.dailyRate, weights: projection.weights, today, todayElapsed: elapsed, periodLastDay };
  const soft = capOutlook(input.wallet.soft_cap, crossing, input.wallet.soft_cap_crossed_at ?? null, input.tz);
  const hard = capOutlook(input.wallet.hard_cap, crossing, null, input.tz);
  const projectedPeriodEnd = projectSpend(crossing);
  const allocated = microsFromJson(input.wallet.allocated);

  const rows: ForecastRow[] = [];
  const blank = { toDate: null, softCapDate: null, softCapStatus: null, hardCapDate: null, hardCapStatus: null, currency };
  for (const p of monthly.past) {
    rows.push({ kind: 'actual', month: p.month, actual: p.actual, forecast: p.forecast, lower: p.lower, upper: p.upper, variance: p.variance, ...blank, model: p.model });
  }
  rows.push({
    kind: 'projection',
    month,
    actual: null,
    forecast: projection.projected,
    lower: projection.lower,
    upper: projection.upper,
    variance: null,
    toDate: projection.toDate,
    softCapDate: soft.date,
    softCapStatus: soft.status,
    hardCapDate: hard.date,
    hardCapStatus: hard.status,
    model: 'daily-run-rate',
    currency,
  });
  for (const f of monthly.future.slice(1)) {
    rows.push({ kind: 'forecast', month: f.month, actual: null, forecast: f.forecast, lower: f.lower, upper: f.upper, variance: null, ...blank, model: f.model });
  }
  return {
    team: input.team,
    currency,
    method: monthly.model === 'run-rate' ? 'run-rate' : 'exponential-smoothing',
    model: monthly.model,
    criterion: monthly.criterion,
    params: monthly.params,
    historyMonths: months.length,
    rows,
    projection,
    allocated,
    projectedPeriodEnd,
    overrun: projectedPeriodEnd - allocated,
    soft,
    hard,
    level: input.level,
  };
}

interface Crossing {
  spent: Micros;
  dailyRate: Micros;
  weights: readonly number[];
  today: string;
  todayElapsed: number;
  periodLastDay: string;
}

function capOutlook(capJson: number | null, crossing: Crossing, crossedAt: string | null, tz: string): CapOutlook {
  if (capJson === null) return { cap: null, date: null, status: 'no_cap' };
  const cap = microsFromJson(capJson);
  if (crossedAt !== null && !Number.isNaN(Date.parse(crossedAt))) return { cap, date: localDate(new Date(crossedAt), tz), status: 'crossed' };
  if (crossing.spent >= cap) return { cap, date: crossing.today, status: 'crossed' };
  const date = capCrossingDate({ ...crossing, cap });
  return { cap, date, status: date === null ? 'not_this_period' : 'projected' };
}

/** Spend at the end of the wallet's period if today's pace (with the weekday pattern) holds. */
function projectSpend(c: Crossing): Micros {
  const weightOf = (date: string): number => c.weights[weekdayOf(date)] ?? 1;
  let total = c.spent + c.dailyRate * weightOf(c.today) * (1 - c.todayElapsed);
  for (let date = addDays(c.today, 1), i = 0; date <= c.periodLastDay && i < 400; date = addDays(date, 1), i++) total += c.dailyRate * weightOf(date);
  return Number.isFinite(total) ? Math.max(0, Math.round(total)) : 0;
}

/** Sums each team's own buckets over its subtree (spend rolls up to every ancestor, as wallets do). */
export function rollUp(wallets: readonly ForecastWallet[], buckets: readonly SpendBucket[]): Map<string, SpendBucket[]> {
  const forest = teamForest(wallets, (w) => w.team_id, (w) => w.parent_id);
  const own = new Map<string, SpendBucket[]>();
  for (const b of buckets) {
    const team = b.team_id ?? '';
    own.set(team, [...(own.get(team) ?? []), b]);
  }
  const result = new Map<string, SpendBucket[]>();
  for (const w of wallets) {
    result.set(
      w.team_id,
      subtree(forest, w, (x) => x.team_id).flatMap((x) => own.get(x.team_id) ?? []),
    );
  }
  return result;
}
