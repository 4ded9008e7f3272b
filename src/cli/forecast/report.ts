// Turns what the API returned (spend buckets, a wallet) into forecast rows.
// Pure: the clock and zone come in as arguments, so it is unit-tested with
// fixed data.
//
// Money is Money throughout: facts (spend to date, past months, caps,
// allocations) are exact sums; the models' estimates come back from the
// domain as Money too. The current month's row and the period-end figure are
// the one projection (projectSpend), the same `kt wallets check` prints.
import { addMoney, formatMoney, type Money, subtractMoney, ZERO } from '../../domain/money.js';
import {
  capCrossingDate,
  forecastMonthly,
  estimateMoney,
  projectionRange,
  projectSpend,
  type Criterion,
  type EtsParams,
  type ModelName,
  type MonthActual,
  type SpendProjection,
} from '../../domain/forecast.js';
import { addMonths } from '../../domain/periods.js';
import type { SpendBucket } from '../../api/forecast.js';
import type { Wallet } from '../../api/wallets.js';
import { localDate } from '../../domain/periods.js';
import { paceAt, perDay } from './spend.js';

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
  /** The team, or `org` for the whole organisation. */
  team: string;
  /** True when the forecast is of every event of the organisation, not one team's subtree. */
  organization: boolean;
  wallet: Wallet | null;
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
  /** Spend so far this month, exact. */
  toDate: Money;
  /** This month projected to its end (the projection row). */
  month: SpendProjection;
  /** The wallet's period projected to its end; the month when the wallet names no period. */
  period: SpendProjection & { basis: 'period' | 'month' };
  /** Complete days behind the daily spread, and whether it was floored for being short. */
  historyDays: number;
  spreadFloored: boolean;
  /** The wallet's allocation this period; null when the server does not report one. */
  allocated: Money | null;
  /** Projected period-end spend: period.projected. */
  projectedPeriodEnd: Money;
  /** Projected spend beyond the allocation; null without an allocation. */
  overrun: Money | null;
  /** null when there is no wallet, or its server reports no caps at all. */
  soft: CapOutlook | null;
  hard: CapOutlook | null;
  /** The wallet's own spend this period, when it differs from the events' sum beyond rounding. */
  walletSpentDiffers: Money | null;
  level: number;
}

export interface ForecastInput {
  /** The team (with its subtree), or null for the whole organisation. */
  team: string | null;
  /** The team's wallet (the organization's for null), or null when there is none. */
  wallet: Wallet | null;
  monthly: readonly SpendBucket[];
  /** Daily spend over the whole history window (it finds a partial first month) and this period. */
  daily: readonly SpendBucket[];
  now: Date;
  tz: string;
  history: number;
  monthsAhead: number;
  level: number;
}

function sumBy(buckets: readonly SpendBucket[], key: (b: SpendBucket) => string): Map<string, Money> {
  const totals = new Map<string, Money>();
  for (const b of buckets) {
    const k = key(b);
    totals.set(k, addMoney(totals.get(k) ?? ZERO, b.cost));
  }
  return totals;
}

export function buildTeamForecast(input: ForecastInput): TeamForecast {
  const today = localDate(input.now, input.tz);
  const month = today.slice(0, 7);
  const wallet = input.wallet;
  const currency = wallet?.currency ?? 'USD';

  // Full months before this one; months before the first with any spend are not history.
  const perMonth = sumBy(input.monthly, (b) => b.period_start.slice(0, 7));
  const months: MonthActual[] = [];
  for (let k = input.history; k >= 1; k--) {
    const m = addMonths(month, -k);
    const actual = perMonth.get(m) ?? ZERO;
    if (months.length === 0 && actual === 0n) continue;
    months.push({ month: m, actual });
  }

  const days = perDay(input.daily);
  // A team that started mid-month has a partial first month: it is not a month of history.
  const firstSpendDay = [...days.entries()].filter(([, cost]) => cost > 0n).map(([date]) => date).sort()[0];
  const firstMonth = months[0]?.month;
  if (firstMonth !== undefined && firstSpendDay !== undefined && firstSpendDay.startsWith(firstMonth) && firstSpendDay > `${firstMonth}-01`) {
    months.shift();
  }

  const pace = paceAt(days, input.now, input.tz);
  const monthRange = projectionRange(null, input.now, input.tz);
  const monthProjection = projectSpend(pace, monthRange, input.level);
  const periodRange = projectionRange(wallet, input.now, input.tz);
  const periodProjection = { ...projectSpend(pace, periodRange, input.level), basis: periodRange.basis };
  const monthly = forecastMonthly(months, input.monthsAhead + 1, input.level, { firstFutureMonth: month, dailyRunRate: estimateMoney(pace.rate) });

  // The caps bound the wallet's own spend this period; without it, the events' sum stands in.
  const spent = wallet?.spent ?? periodProjection.toDate;
  // A server that never speaks of caps (the product's console) has no "no cap" to report either.
  const caps = wallet !== null && wallet.caps_reported;
  const soft = caps ? capOutlook(wallet.soft_cap, pace, spent, periodRange.lastDay, wallet.soft_cap_crossed_at, input.tz) : null;
  const hard = caps ? capOutlook(wallet.hard_cap, pace, spent, periodRange.lastDay, null, input.tz) : null;
  const allocated = wallet?.allocated ?? null;
  // Compared only where both count the same days: the wallet's period, on the UTC calendar it keeps.
  const comparable = wallet?.spent !== null && wallet?.spent !== undefined && periodRange.basis === 'period' && input.tz === 'UTC';
  const differs = comparable && formatMoney(wallet.spent as Money, currency) !== formatMoney(periodProjection.toDate, currency);

  const rows: ForecastRow[] = [];
  const blank = { toDate: null, softCapDate: null, softCapStatus: null, hardCapDate: null, hardCapStatus: null, currency };
  for (const p of monthly.past) {
    const actual = perMonth.get(p.month) ?? p.actual;
    rows.push({ kind: 'actual', month: p.month, actual, forecast: p.forecast, lower: p.lower, upper: p.upper, variance: p.variance, ...blank, model: p.model });
  }
  rows.push({
    kind: 'projection',
    month,
    actual: null,
    forecast: monthProjection.projected,
    lower: monthProjection.lower,
    upper: monthProjection.upper,
    variance: null,
    toDate: monthProjection.toDate,
    softCapDate: soft?.date ?? null,
    softCapStatus: soft?.status ?? null,
    hardCapDate: hard?.date ?? null,
    hardCapStatus: hard?.status ?? null,
    model: 'daily-run-rate',
    currency,
  });
  for (const f of monthly.future.slice(1)) {
    rows.push({ kind: 'forecast', month: f.month, actual: null, forecast: f.forecast, lower: f.lower, upper: f.upper, variance: null, ...blank, model: f.model });
  }
  return {
    team: input.team ?? 'org',
    organization: input.team === null,
    wallet,
    currency,
    method: monthly.model === 'run-rate' ? 'run-rate' : 'exponential-smoothing',
    model: monthly.model,
    criterion: monthly.criterion,
    params: monthly.params,
    historyMonths: months.length,
    rows,
    toDate: monthProjection.toDate,
    month: monthProjection,
    period: periodProjection,
    historyDays: pace.historyDays,
    spreadFloored: pace.floored,
    allocated,
    projectedPeriodEnd: periodProjection.projected,
    overrun: allocated === null ? null : subtractMoney(periodProjection.projected, allocated),
    soft,
    hard,
    walletSpentDiffers: differs ? (wallet?.spent ?? null) : null,
    level: input.level,
  };
}

function capOutlook(cap: Money | null, pace: Parameters<typeof capCrossingDate>[0], spent: Money, lastDay: string, crossedAt: string | null, tz: string): CapOutlook {
  if (cap === null) return { cap: null, date: null, status: 'no_cap' };
  if (crossedAt !== null && !Number.isNaN(Date.parse(crossedAt))) return { cap, date: localDate(new Date(crossedAt), tz), status: 'crossed' };
  if (spent >= cap) return { cap, date: pace.today, status: 'crossed' };
  const date = capCrossingDate(pace, spent, cap, lastDay);
  return { cap, date, status: date === null ? 'not_this_period' : 'projected' };
}
