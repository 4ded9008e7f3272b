// Spend forecasting: pure math, no I/O. Money enters and leaves as integer
// micros; inside, the statistics run on floats (a forecast is an estimate),
// and every output is rounded back to whole, non-negative micros. No division
// here may produce NaN or Infinity: each one is guarded. The models, their
// fitting and the choice between them are in ./forecast/.
import type { Micros } from './money.js';
import type { EtsParams } from './forecast/ets.js';
import { chooseModel, choiceForecast, choiceVarianceFactor, MIN_MODEL_HISTORY, runRate, type Criterion, type ModelChoice, type ModelName } from './forecast/select.js';

export { MIN_MODEL_HISTORY, runRate, chooseModel, type Criterion, type ModelChoice, type ModelName };
export { fitEts, etsForecast, varianceFactor, type EtsFit, type EtsParams, type SmoothingModel } from './forecast/ets.js';

/**
 * Backtest: for each month t, the forecast made from months 0..t−1 only (what
 * one would have predicted at the time, the model chosen afresh). Month 0 has none.
 */
export function backtest(series: readonly number[]): (number | null)[] {
  return series.map((_, t) => (t === 0 ? null : Math.max(0, choiceForecast(chooseModel(series.slice(0, t)), 1))));
}

/** (actual − forecast) / forecast; null when it is undefined (no forecast, or a zero forecast). */
export function variance(actual: number | null | undefined, forecast: number | null | undefined): number | null {
  if (actual === null || actual === undefined || forecast === null || forecast === undefined) return null;
  if (!Number.isFinite(actual) || !Number.isFinite(forecast) || forecast === 0) return null;
  const v = (actual - forecast) / forecast;
  return Number.isFinite(v) ? v : null;
}

/** A variance fraction as the product document prints it: `+2.6%`, `-13.5%`, `0.0%`; empty when null. */
export function formatVariance(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '';
  const pct = Math.round(fraction * 1000) / 10;
  if (pct === 0) return '0.0%';
  return `${pct > 0 ? '+' : '-'}${Math.abs(pct).toFixed(1)}%`;
}

/**
 * The standard normal quantile (Acklam's rational approximation, relative
 * error below 1.2e-9), for two-sided intervals.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p <= 0 ? -Infinity : Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/** z for a two-sided interval at level (a percentage strictly between 0 and 100). */
export function zForLevel(levelPct: number): number {
  const level = Math.min(99.999, Math.max(0.001, Number.isFinite(levelPct) ? levelPct : 80)) / 100;
  return normalQuantile(0.5 + level / 2);
}

/** Whole, non-negative, safe-integer micros from any float estimate. */
export function toMicros(value: number): Micros {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Number.MAX_SAFE_INTEGER, Math.round(value));
}

export interface MonthActual {
  /** YYYY-MM */
  month: string;
  actual: Micros;
}

export interface PastMonthForecast {
  month: string;
  actual: Micros;
  /** One-step-ahead backtest forecast; null for the first month. */
  forecast: Micros | null;
  lower: Micros | null;
  upper: Micros | null;
  variance: number | null;
  /** The model that made the forecast, chosen on the months before; null for the first month. */
  model: ModelName | null;
}

export interface FutureMonthForecast {
  month: string;
  /** Steps ahead of the last full month (the current month is 1). */
  horizon: number;
  forecast: Micros;
  lower: Micros;
  upper: Micros;
  model: ModelName;
}

export interface MonthlyForecast {
  /** The model behind the future months, chosen on the whole history. */
  model: ModelName;
  criterion: Criterion;
  params: EtsParams | null;
  /** Root mean squared one-step backtest error behind the future intervals, micros (0 with no residuals). */
  rmse: Micros;
  past: PastMonthForecast[];
  /** The months after the last full month, horizon 1 first. */
  future: FutureMonthForecast[];
}

/** Fallback spread when there are too few residuals to measure one: 20 % of the forecast. */
const FALLBACK_RELATIVE_SIGMA = 0.2;

export interface MonthlyOptions {
  /** Label of the first future month when the history is empty (else the month after the last). */
  firstFutureMonth?: string;
  /**
   * With under MIN_MODEL_HISTORY months the run rate is this daily rate times
   * the days of each month, when given and positive (the current month's pace
   * says more than one or two full months); else the mean of the months.
   */
  dailyRunRate?: Micros | null;
}

/** Root mean square of the one-step errors of months before `before`, and how many there were. */
function spreadBefore(residuals: readonly (number | null)[], before: number, from: number): { rms: number; count: number } {
  let sum = 0;
  let count = 0;
  for (let t = from; t < before && t < residuals.length; t++) {
    const e = residuals[t];
    if (e === null || e === undefined) continue;
    sum += e * e;
    count += 1;
  }
  const rms = count > 0 ? Math.sqrt(sum / count) : 0;
  return { rms: Number.isFinite(rms) ? rms : 0, count };
}

/**
 * Forecasts a monthly spend series: backtests every past month (each with the
 * model chosen on the months before it), then projects `ahead` months after
 * the last one with the model chosen on the whole history.
 *
 * Intervals at `levelPct` (normal approximation): the one-month spread is the
 * root mean square of the one-step backtest errors of the months before the
 * month forecast, months the model forecast only (from MIN_MODEL_HISTORY on);
 * h months ahead it grows by the chosen model's h-step variance factor. With
 * fewer than two such errors the spread is at least 20 % of the forecast.
 */
export function forecastMonthly(history: readonly MonthActual[], ahead: number, levelPct: number, options: MonthlyOptions = {}): MonthlyForecast {
  const series = history.map((m) => (Number.isFinite(m.actual) ? Math.max(0, m.actual) : 0));
  const n = series.length;
  const z = zForLevel(levelPct);
  // choices[t]: the model chosen on months 0..t−1, which forecasts month t (t = n: the future).
  const choices: (ModelChoice | null)[] = [null];
  for (let t = 1; t <= n; t++) choices.push(chooseModel(series.slice(0, t)));
  const oneStep = series.map((_, t) => {
    const choice = choices[t];
    return choice === null || choice === undefined ? null : Math.max(0, choiceForecast(choice, 1));
  });
  const residuals = oneStep.map((f, t) => (f === null ? null : (series[t] ?? 0) - f));

  /** One-month spread for a forecast of month `t`, from the errors of the months before it only. */
  const sigmaAt = (t: number, point: number): number => {
    const model = spreadBefore(residuals, t, MIN_MODEL_HISTORY);
    if (model.count >= 2) return model.rms;
    const any = spreadBefore(residuals, t, 1);
    return Math.max(any.rms, FALLBACK_RELATIVE_SIGMA * Math.abs(point));
  };

  const past: PastMonthForecast[] = history.map((m, t) => {
    const f = oneStep[t] ?? null;
    const choice = choices[t] ?? null;
    const actual = toMicros(series[t] ?? 0);
    if (f === null || choice === null) return { month: m.month, actual, forecast: null, lower: null, upper: null, variance: null, model: null };
    // A month forecast by the run rate on too little history gets at least the relative spread.
    const half = z * (t < MIN_MODEL_HISTORY ? Math.max(sigmaAt(t, f), FALLBACK_RELATIVE_SIGMA * f) : sigmaAt(t, f));
    const forecast = toMicros(f);
    return {
      month: m.month,
      actual,
      forecast,
      lower: toMicros(f - half),
      upper: toMicros(f + half),
      variance: variance(series[t] ?? 0, forecast),
      model: choice.model,
    };
  });

  const choice = choices[n] ?? chooseModel([]);
  const lastMonth = history[history.length - 1]?.month;
  const firstFuture = lastMonth === undefined ? (options.firstFutureMonth ?? '') : addMonths(lastMonth, 1);
  const daily = options.dailyRunRate ?? 0;
  const future: FutureMonthForecast[] = [];
  for (let h = 1; h <= ahead; h++) {
    const month = firstFuture === '' ? '' : addMonths(firstFuture, h - 1);
    let point: number;
    if (choice.criterion === 'short-history' && Number.isFinite(daily) && daily > 0 && month !== '') point = daily * daysInMonth(month);
    else point = choiceForecast(choice, h);
    point = Math.max(0, Number.isFinite(point) ? point : 0);
    const half = z * sigmaAt(n, point) * Math.sqrt(choiceVarianceFactor(choice, h));
    future.push({
      month,
      horizon: h,
      forecast: toMicros(point),
      lower: toMicros(point - half),
      upper: toMicros(point + half),
      model: choice.model,
    });
  }
  const rmse = spreadBefore(residuals, n, MIN_MODEL_HISTORY);
  return {
    model: choice.model,
    criterion: choice.criterion,
    params: choice.fit?.params ?? null,
    rmse: toMicros(rmse.count > 0 ? rmse.rms : spreadBefore(residuals, n, 1).rms),
    past,
    future,
  };
}

/** `2026-03` + 2 → `2026-05`. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  const year = Math.floor(index / 12);
  const mon = index - year * 12 + 1;
  return `${String(year).padStart(4, '0')}-${String(mon).padStart(2, '0')}`;
}

export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** 0 = Sunday … 6 = Saturday, for a YYYY-MM-DD calendar date. */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** `2026-02-28` + 1 → `2026-03-01`. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export interface DailySpend {
  /** Local calendar date YYYY-MM-DD. */
  date: string;
  cost: Micros;
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
    sums[w] = (sums[w] ?? 0) + Math.max(0, day.cost);
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

export interface MonthProjectionInput {
  /** YYYY-MM of the current month. */
  month: string;
  /** Today's local date (inside month). */
  today: string;
  /** Fraction of today already elapsed, 0..1. */
  todayElapsed: number;
  /** Daily spend this month so far, today's partial day included. */
  monthDays: readonly DailySpend[];
  /** Complete days of recent history for the weekday pattern and day-to-day spread (may include this month's). */
  historyDays: readonly DailySpend[];
  /** Used when there is no complete day to measure a rate on: the monthly model's forecast for this month. */
  fallbackMonthTotal?: Micros | null;
  levelPct: number;
}

export interface MonthProjection {
  month: string;
  toDate: Micros;
  /** Weekday-adjusted spend of an average day. */
  dailyRate: Micros;
  projected: Micros;
  lower: Micros;
  upper: Micros;
  weights: number[];
}

/** Spend to date plus the weekday-weighted daily run rate over what is left of the month. */
export function projectMonth(input: MonthProjectionInput): MonthProjection {
  const weights = weekdayWeights(input.historyDays);
  const weightOf = (date: string): number => weights[weekdayOf(date)] ?? 1;
  const toDate = input.monthDays.reduce((s, d) => s + Math.max(0, d.cost), 0);
  const complete = input.monthDays.filter((d) => d.date < input.today);
  // Days without events are days of zero spend: count every complete day of the month so far.
  const firstDay = `${input.month}-01`;
  let completeWeight = 0;
  let completeDays = 0;
  let completeSpend = 0;
  for (let date = firstDay; date < input.today && date.startsWith(input.month); date = addDays(date, 1)) {
    completeWeight += weightOf(date);
    completeDays += 1;
  }
  for (const d of complete) completeSpend += Math.max(0, d.cost);
  let rate: number;
  if (completeWeight > 0) {
    rate = completeSpend / completeWeight;
  } else if (input.historyDays.length > 0) {
    rate = input.historyDays.reduce((s, d) => s + Math.max(0, d.cost), 0) / input.historyDays.length;
  } else {
    rate = (input.fallbackMonthTotal ?? 0) / daysInMonth(input.month);
  }
  const elapsed = Math.min(1, Math.max(0, Number.isFinite(input.todayElapsed) ? input.todayElapsed : 0));
  // Remaining weighted days: the rest of today, then every later day of the month.
  let remaining = (1 - elapsed) * weightOf(input.today);
  let remainingSquares = ((1 - elapsed) * weightOf(input.today)) ** 2;
  const last = `${input.month}-${String(daysInMonth(input.month)).padStart(2, '0')}`;
  for (let date = addDays(input.today, 1); date <= last; date = addDays(date, 1)) {
    remaining += weightOf(date);
    remainingSquares += weightOf(date) ** 2;
  }
  const projected = toDate + rate * remaining;
  // Day-to-day spread of weekday-adjusted spend, from the history days.
  const adjusted = input.historyDays.map((d) => Math.max(0, d.cost) / Math.max(1e-9, weightOf(d.date)));
  let sd = 0;
  if (adjusted.length >= 2) {
    const mean = adjusted.reduce((a, b) => a + b, 0) / adjusted.length;
    sd = Math.sqrt(adjusted.reduce((s, x) => s + (x - mean) ** 2, 0) / (adjusted.length - 1));
  } else {
    sd = FALLBACK_RELATIVE_SIGMA * rate;
  }
  // Two sources of error: the days left vary around the rate, and the rate itself is an
  // average of only n days (its standard error sd/√n applies to every remaining day).
  const rateDays = completeWeight > 0 ? completeDays : input.historyDays.length;
  const rateVariance = rateDays > 0 ? (remaining * remaining) / rateDays : 0;
  const z = zForLevel(input.levelPct);
  const half = z * sd * Math.sqrt(remainingSquares + rateVariance);
  return {
    month: input.month,
    toDate: toMicros(toDate),
    dailyRate: toMicros(rate),
    projected: toMicros(projected),
    // Spend never goes down: the lower bound is at least what is already spent.
    lower: toMicros(Math.max(toDate, projected - half)),
    upper: toMicros(projected + half),
    weights,
  };
}

export interface CapCrossingInput {
  /** Spend counted against the cap so far this period. */
  spent: Micros;
  cap: Micros | null;
  /** Weekday-adjusted daily rate and the weights it goes with. */
  dailyRate: Micros;
  weights: readonly number[];
  today: string;
  todayElapsed: number;
  /** Last local date of the period (inclusive). */
  periodLastDay: string;
}

/**
 * The local date on which spend at the projected rate reaches the cap: today
 * when it already has, null when it will not this period (or there is no cap).
 */
export function capCrossingDate(input: CapCrossingInput): string | null {
  if (input.cap === null || !Number.isFinite(input.cap)) return null;
  if (input.spent >= input.cap) return input.today;
  if (!(input.dailyRate > 0)) return null;
  const weightOf = (date: string): number => input.weights[weekdayOf(date)] ?? 1;
  const elapsed = Math.min(1, Math.max(0, Number.isFinite(input.todayElapsed) ? input.todayElapsed : 0));
  let total = input.spent + input.dailyRate * weightOf(input.today) * (1 - elapsed);
  if (total >= input.cap) return input.today;
  // A period is at most a year: the walk is bounded.
  for (let date = addDays(input.today, 1), i = 0; date <= input.periodLastDay && i < 400; date = addDays(date, 1), i++) {
    total += input.dailyRate * weightOf(date);
    if (total >= input.cap) return date;
  }
  return null;
}
