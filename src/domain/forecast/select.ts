// Which model forecasts a monthly series: the run rate, SES, Holt or damped
// trend, chosen per series by AICc. The run rate takes part in the
// comparison as a model with nothing fitted, so a smoothing model replaces it
// only when its better fit is worth its extra parameters.
import { aicc, etsForecast, fitEts, varianceFactor, EXACT_FIT, type EtsFit, type SmoothingModel } from './ets.js';

export type ModelName = 'run-rate' | SmoothingModel;

/**
 * Why the model was chosen: `short-history` (under MIN_MODEL_HISTORY months:
 * the run rate), `exact-fit` (a smoothing model reproduces every month),
 * `few-months` (long enough for a model, too short for AICc to rank any
 * smoothing model: the run rate) or `aicc`.
 */
export type Criterion = 'short-history' | 'exact-fit' | 'few-months' | 'aicc';

export interface ModelChoice {
  model: ModelName;
  criterion: Criterion;
  /** The fitted smoothing model; null for the run rate. */
  fit: EtsFit | null;
  /** Months of history it was chosen on. */
  n: number;
  /** The run rate's forecast for the next month (kept whichever model won). */
  runRate: number;
}

/** Months of full history below which no model is fitted. */
export const MIN_MODEL_HISTORY = 3;

/** Months the run rate averages. */
const RUN_RATE_MONTHS = 3;

/**
 * The run rate behaves like SES with α = ½: a three-month mean weighs months
 * of ages 1, 2 and 3 (mean age 2), as SES does with α = ½ (mean age 1/α).
 * Its horizon growth is taken from that model.
 */
const RUN_RATE_ALPHA = 0.5;

/** Run-rate forecast: the mean of the last (up to three) observations. */
export function runRate(series: readonly number[]): number {
  const recent = series.slice(-RUN_RATE_MONTHS);
  if (recent.length === 0) return 0;
  return recent.reduce((a, b) => a + b, 0) / recent.length;
}

const SMOOTHING_MODELS: readonly SmoothingModel[] = ['ses', 'holt', 'damped'];

/**
 * The run rate's AICc. Its one-step errors are out of sample already (nothing
 * is fitted); the first month has no forecast and stands for the initial
 * level, as the fitted initial level does in SES, so it counts as one
 * parameter with a zero error. Computed on the series over its scale, as the
 * smoothing models' AICc are.
 */
function runRateAicc(series: readonly number[], scale: number): number | null {
  let sse = 0;
  for (let t = 1; t < series.length; t++) {
    const e = ((series[t] ?? 0) - runRate(series.slice(Math.max(0, t - RUN_RATE_MONTHS), t))) / scale;
    sse += e * e;
  }
  return aicc(sse, series.length, 1);
}

/**
 * Chooses the model for a series (the months of history, oldest first):
 *
 * - under MIN_MODEL_HISTORY months, the run rate;
 * - a smoothing model that reproduces the history exactly (a constant, a
 *   straight line) is taken at once, simplest first: its likelihood is
 *   unbounded, whatever the penalty, and AICc cannot rank models on three or
 *   four months;
 * - otherwise the lowest AICc among the run rate, SES, Holt and damped trend,
 *   each where the history is long enough for its AICc (n > parameters + 2);
 *   ties go to the run rate, and so do histories too short to rank any
 *   smoothing model (under 5 months).
 */
export function chooseModel(series: readonly number[]): ModelChoice {
  const n = series.length;
  const rate = runRate(series);
  if (n < MIN_MODEL_HISTORY) return { model: 'run-rate', criterion: 'short-history', fit: null, n, runRate: rate };
  const fits = SMOOTHING_MODELS.map((m) => fitEts(series, m));
  const exact = fits.find((f) => f.sse <= n * (EXACT_FIT * f.scale) ** 2);
  if (exact !== undefined) return { model: exact.model, criterion: 'exact-fit', fit: exact, n, runRate: rate };
  const ranked = fits.filter((f) => f.aicc !== null);
  if (ranked.length === 0) return { model: 'run-rate', criterion: 'few-months', fit: null, n, runRate: rate };
  const scale = fits[0]?.scale ?? 0;
  let best: { fit: EtsFit | null; score: number } = { fit: null, score: scale > 0 ? (runRateAicc(series, scale) ?? Infinity) : Infinity };
  for (const fit of ranked) {
    if ((fit.aicc ?? Infinity) < best.score) best = { fit, score: fit.aicc ?? Infinity };
  }
  return { model: best.fit?.model ?? 'run-rate', criterion: 'aicc', fit: best.fit, n, runRate: rate };
}

/** The point forecast h months after the history (h ≥ 1). */
export function choiceForecast(choice: ModelChoice, h: number): number {
  return choice.fit === null ? choice.runRate : etsForecast(choice.fit, h);
}

/** The h-month forecast variance over the one-month variance, for the chosen model. */
export function choiceVarianceFactor(choice: ModelChoice, h: number): number {
  if (choice.fit === null) return varianceFactor('ses', { alpha: RUN_RATE_ALPHA, beta: 0, phi: 1 }, h);
  return varianceFactor(choice.fit.model, choice.fit.params, h);
}
