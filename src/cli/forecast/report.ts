// Turns what the API returned (spend buckets, a wallet) into forecast rows.
// Pure: the clock and zone come in as arguments, so it is unit-tested with
// fixed data.
//
// Money stays exact where it is a fact (spend to date, past months, caps,
// allocations: bigint nano-units summed exactly). The forecast models are
// statistics and work in floats (micro-dollars); their estimates come back
// as Money rounded to a micro-dollar, and never feed a sum of facts.
import type { Money } from '../../domain/money.js';
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
import type { SpendBucket } from '../../api/forecast.js';
import type { Wallet } from '../../api/wallets.js';
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
  actual: Money | null;
  forecast: Money | null;
  lower: Money | null;
  upper: Money | null;
  variance: number | null;
  /** Projection row only: spend so far this month. */
  toDate: Money | null;
  softCapDate: string | null;
  softCapStatus: CapStatus | null;
  hardCapDate: string | null;
  hardCapStatus: CapStatus | null;
  /** Null for the first month (no forecast). */
  model: RowModel | null;
  currency: string;
}

export interface CapOutlook {
  cap: Money | null;
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
  /** The model's view of this month (statistics, micro-dollars as floats). */
  projection: MonthProjection;
  /** Spend so far this month, exact. */
  toDate: Money;
  allocated: Money;
  /** Projected spend at the end of the wallet's period (its own period, which may be longer than a month). */
  projectedPeriodEnd: Money;
  overrun: Money;
  soft: CapOutlook;
  hard: CapOutlook;
  level: number;
}

export interface ForecastInput {
  team: string;
  wallet: Wallet;
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

/** Money as the models' statistic: micro-dollars, a float. */
const toStat = (money: Money): number => Number(money) / 1000;
/** A model's estimate (micro-dollars) as Money, to the micro-dollar; 0 for anything not finite. */
const fromStat = (micros: number): Money => (Number.isFinite(micros) ? BigInt(Math.round(micros)) * 1000n : 0n);
const fromStatOrNull = (micros: number | null): Money | null => (micros === null ? null : fromStat(micros));

function sumBy(buckets: readonly SpendBucket[], key: (b: SpendBucket) => string): Map<string, Money> {
  const totals = new Map<string, Money>();
  for (const b of buckets) {
    const k = key(b);
    totals.set(k, (totals.get(k) ?? 0n) + b.cost);
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
    const actual = perMonth.get(m) ?? 0n;
    if (months.length === 0 && actual === 0n) continue;
    months.push({ month: m, actual: toStat(actual) });
  }

  const perDay = sumBy(input.daily, bucketDate);
  // A team that started mid-month has a partial first month: it is not a month of history.
  const firstSpendDay = [...perDay.entries()].filter(([, cost]) => cost > 0n).map(([date]) => date).sort()[0];
  const firstMonth = months[0]?.month;
  if (firstMonth !== undefined && firstSpendDay !== undefined && firstSpendDay.startsWith(firstMonth) && firstSpendDay > `${firstMonth}-01`) {
    months.shift();
  }
  const thisMonth = [...perDay.entries()].filter(([date]) => date.startsWith(month) && date <= today);
  const monthDays: DailySpend[] = thisMonth.map(([date, cost]) => ({ date, cost: toStat(cost) }));
  const toDate = thisMonth.reduce((sum, [, cost]) => sum + cost, 0n);
  // Complete days from the first with spend (inside the pattern window) to yesterday; silent days count as zero.
  const windowStart = addDays(today, -PATTERN_DAYS);
  const seen = [...perDay.keys()].filter((d) => d >= windowStart && d < today).sort();
  const historyDays: DailySpend[] = [];
  for (let date = seen[0]; date !== undefined && date < today; date = addDays(date, 1)) historyDays.push({ date, cost: toStat(perDay.get(date) ?? 0n) });

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

  const spent = input.wallet.spent;
  // A wallet without a period end (a server that does not say) is taken as monthly.
  const periodEnd = input.wallet.period_end === null ? Number.NaN : Date.parse(input.wallet.period_end);
  const periodLastDay = Number.isNaN(periodEnd) ? addDays(`${addMonths(month, 1)}-01`, -1) : localDate(new Date(periodEnd - 1), input.tz);
  const crossing = { spent, dailyRate: projection.dailyRate, weights: projection.weights, today, todayElapsed: elapsed, periodLastDay };
  const soft = capOutlook(input.wallet.soft_cap, crossing, input.wallet.soft_cap_crossed_at, input.tz);
  const hard = capOutlook(input.wallet.hard_cap, crossing, null, input.tz);
  const projectedPeriodEnd = projectSpend(crossing);
  const allocated = input.wallet.allocated;

  const rows: ForecastRow[] = [];
  const blank = { toDate: null, softCapDate: null, softCapStatus: null, hardCapDate: null, hardCapStatus: null, currency };
  for (const p of monthly.past) {
    const actual = perMonth.get(p.month) ?? fromStat(p.actual);
    rows.push({ kind: 'actual', month: p.month, actual, forecast: fromStatOrNull(p.forecast), lower: fromStatOrNull(p.lower), upper: fromStatOrNull(p.upper), variance: p.variance, ...blank, model: p.model });
  }
  rows.push({
    kind: 'projection',
    month,
    actual: null,
    forecast: fromStat(projection.projected),
    lower: fromStat(projection.lower),
    upper: fromStat(projection.upper),
    variance: null,
    toDate,
    softCapDate: soft.date,
    softCapStatus: soft.status,
    hardCapDate: hard.date,
    hardCapStatus: hard.status,
    model: 'daily-run-rate',
    currency,
  });
  for (const f of monthly.future.slice(1)) {
    rows.push({ kind: 'forecast', month: f.month, actual: null, forecast: fromStatOrNull(f.forecast), lower: fromStatOrNull(f.lower), upper: fromStatOrNull(f.upper), variance: null, ...blank, model: f.model });
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
    toDate,
    allocated,
    projectedPeriodEnd,
    overrun: projectedPeriodEnd - allocated,
    soft,
    hard,
    level: input.level,
  };
}

interface Crossing {
  spent: Money;
  /** Micro-dollars per day (a statistic). */
  dailyRate: number;
  weights: readonly number[];
  today: string;
  todayElapsed: number;
  periodLastDay: string;
}

function capOutlook(cap: Money | null, crossing: Crossing, crossedAt: string | null, tz: string): CapOutlook {
  if (cap === null) return { cap: null, date: null, status: 'no_cap' };
  if (crossedAt !== null && !Number.isNaN(Date.parse(crossedAt))) return { cap, date: localDate(new Date(crossedAt), tz), status: 'crossed' };
  if (crossing.spent >= cap) return { cap, date: crossing.today, status: 'crossed' };
  const date = capCrossingDate({ ...crossing, spent: toStat(crossing.spent), cap: toStat(cap) });
  return { cap, date, status: date === null ? 'not_this_period' : 'projected' };
}

/** Spend at the end of the wallet's period if today's pace (with the weekday pattern) holds. */
function projectSpend(c: Crossing): Money {
  const weightOf = (date: string): number => c.weights[weekdayOf(date)] ?? 1;
  // The estimate of the rest of the period is a statistic; what was spent stays exact.
  let rest = c.dailyRate * weightOf(c.today) * (1 - c.todayElapsed);
  for (let date = addDays(c.today, 1), i = 0; date <= c.periodLastDay && i < 400; date = addDays(date, 1), i++) rest += c.dailyRate * weightOf(date);
  return c.spent + fromStat(Math.max(0, rest));
}

/** Sums each team's own buckets over its subtree (spend rolls up to every ancestor, as wallets do). */
export function rollUp(wallets: readonly Wallet[], buckets: readonly SpendBucket[]): Map<string, SpendBucket[]> {
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
