// Spend forecasting: pure math, no I/O. Money enters and leaves as Money
// (bigint nano-units); inside, the statistics run on floats in the major
// unit (a forecast is an estimate), converted only by moneyToFloat and
// moneyFromFloat, and every estimate comes back as non-negative Money. No
// division here may produce NaN or Infinity: each one is guarded. The
// models, their fitting and the choice between them are in ./forecast/; the
// projection of a period's spend is in ./forecast/projection.ts.
import { maxMoney, type Money, moneyToFloat, ZERO } from './money.js';
import { estimateMoney } from './forecast/estimate.js';
import type { EtsParams } from './forecast/ets.js';
import { addMonths, daysInMonth } from './periods.js';
import { zForLevel } from './forecast/normal.js';
import { RELATIVE_SPREAD_FLOOR } from './forecast/projection.js';
import { chooseModel, choiceForecast, choiceVarianceFactor, MIN_MODEL_HISTORY, runRate, type Criterion, type ModelChoice, type ModelName } from './forecast/select.js';

export { MIN_MODEL_HISTORY, runRate, chooseModel, type Criterion, type ModelChoice, type ModelName };
export { fitEts, etsForecast, varianceFactor, type EtsFit, type EtsParams, type SmoothingModel } from './forecast/ets.js';
export { normalQuantile, zForLevel } from './forecast/normal.js';
export { estimateMoney } from './forecast/estimate.js';
export {
  capCrossingDate,
  MIN_SPREAD_DAYS,
  PATTERN_DAYS,
  projectionRange,
  projectSpend,
  RELATIVE_SPREAD_FLOOR,
  spendPace,
  weekdayWeights,
  type DailySpend,
  type PeriodFacts,
  type ProjectionRange,
  type SpendPace,
  type SpendProjection,
} from './forecast/projection.js';

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

export interface MonthActual {
  /** YYYY-MM */
  month: string;
  actual: Money;
}

export interface PastMonthForecast {
  month: string;
  actual: Money;
  /** One-step-ahead backtest forecast; null for the first month. */
  forecast: Money | null;
  lower: Money | null;
  upper: Money | null;
  variance: number | null;
  /** The model that made the forecast, chosen on the months before; null for the first month. */
  model: ModelName | null;
}

export interface FutureMonthForecast {
  month: string;
  /** Steps ahead of the last full month (the current month is 1). */
  horizon: number;
  forecast: Money;
  lower: Money;
  upper: Money;
  model: ModelName;
}

export interface MonthlyForecast {
  /** The model behind the future months, chosen on the whole history. */
  model: ModelName;
  criterion: Criterion;
  params: EtsParams | null;
  /** Root mean squared one-step backtest error behind the future intervals (0 with no residuals). */
  rmse: Money;
  past: PastMonthForecast[];
  /** The months after the last full month, horizon 1 first. */
  future: FutureMonthForecast[];
}

/** Fallback spread when there are too few residuals to measure one: 20 % of the forecast. */
const FALLBACK_RELATIVE_SIGMA = RELATIVE_SPREAD_FLOOR;

export interface MonthlyOptions {
  /** Label of the first future month when the history is empty (else the month after the last). */
  firstFutureMonth?: string;
  /**
   * With under MIN_MODEL_HISTORY months the run rate is this daily rate times
   * the days of each month, when given and positive (the current month's pace
   * says more than one or two full months); else the mean of the months.
   */
  dailyRunRate?: Money | null;
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
  const series = history.map((m) => Math.max(0, moneyToFloat(m.actual)));
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
    const actual = maxMoney(m.actual, ZERO);
    if (f === null || choice === null) return { month: m.month, actual, forecast: null, lower: null, upper: null, variance: null, model: null };
    // A month forecast by the run rate on too little history gets at least the relative spread.
    const half = z * (t < MIN_MODEL_HISTORY ? Math.max(sigmaAt(t, f), FALLBACK_RELATIVE_SIGMA * f) : sigmaAt(t, f));
    const forecast = estimateMoney(f);
    return {
      month: m.month,
      actual,
      forecast,
      lower: estimateMoney(f - half),
      upper: estimateMoney(f + half),
      variance: variance(series[t] ?? 0, moneyToFloat(forecast)),
      model: choice.model,
    };
  });

  const choice = choices[n] ?? chooseModel([]);
  const lastMonth = history[history.length - 1]?.month;
  const firstFuture = lastMonth === undefined ? (options.firstFutureMonth ?? '') : addMonths(lastMonth, 1);
  const daily = moneyToFloat(options.dailyRunRate ?? ZERO);
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
      forecast: estimateMoney(point),
      lower: estimateMoney(point - half),
      upper: estimateMoney(point + half),
      model: choice.model,
    });
  }
  const rmse = spreadBefore(residuals, n, MIN_MODEL_HISTORY);
  return {
    model: choice.model,
    criterion: choice.criterion,
    params: choice.fit?.params ?? null,
    rmse: estimateMoney(rmse.count > 0 ? rmse.rms : spreadBefore(residuals, n, 1).rms),
    past,
    future,
  };
}

