// Additive-error exponential smoothing: ETS(A,N,N) (simple exponential
// smoothing), ETS(A,A,N) (Holt's linear trend) and ETS(A,Ad,N) (damped trend),
// in the innovations form of Hyndman, Koehler, Ord & Snyder, "Forecasting with
// Exponential Smoothing" (2008):
//
//   ŷ(t) = l(t−1) + φ·b(t−1)          e(t) = y(t) − ŷ(t)
//   l(t) = l(t−1) + φ·b(t−1) + α·e(t)  b(t) = φ·b(t−1) + β·e(t)
//
// (SES: no b; Holt: φ = 1.) Parameters are fitted by maximum likelihood,
// which for Gaussian errors is least squares on the one-step errors. The
// errors are linear in the initial state, so for given α, β, φ the best
// initial level and trend are an ordinary least-squares solve (2×2): the
// optimiser searches only the smoothing parameters, and the initial states
// are exact, which is what lets a perfect line be fitted perfectly.
import { nelderMead } from './optimise.js';

export type SmoothingModel = 'ses' | 'holt' | 'damped';

export interface EtsParams {
  alpha: number;
  /** Trend smoothing in the innovations form (Holt's β* = β/α); 0 for SES. */
  beta: number;
  /** Damping; 1 for SES and Holt. */
  phi: number;
}

export interface EtsFit {
  model: SmoothingModel;
  params: EtsParams;
  /** Level and trend after the last observation, in the series' units. */
  level: number;
  trend: number;
  /** Sum of squared one-step errors at the optimum, in the series' units squared. */
  sse: number;
  /** Observations fitted. */
  n: number;
  /** The unit the fit ran in (about the series' mean absolute value); 0 for an all-zero series. */
  scale: number;
  /** Estimated parameters: smoothing parameters and initial states (σ not counted). */
  parameters: number;
  /** Small-sample corrected AIC; null when the series is too short for it (n ≤ parameters + 2). */
  aicc: number | null;
}

// The usual admissible region for the three models (β below α keeps the
// trend smoother than the level; φ below 0.98 keeps damping distinguishable
// from Holt, above 0.8 keeps it from flattening every forecast at once).
const ALPHA_MIN = 1e-4;
const ALPHA_MAX = 0.9999;
const BETA_STAR_MIN = 1e-4;
const BETA_STAR_MAX = 0.9999;
const PHI_MIN = 0.8;
const PHI_MAX = 0.98;

/** Evaluations per fit: enough to converge on 12–36 points, cheap enough to refit every backtest month. */
const BUDGET: Record<SmoothingModel, number> = { ses: 60, holt: 150, damped: 220 };

/**
 * A residual standard deviation below this fraction of the series' scale
 * counts as an exact fit: below it, differences are rounding, and the
 * parameter penalty alone decides between exactly fitting models.
 */
export const EXACT_FIT = 1e-7;

export function parameterCount(model: SmoothingModel): number {
  // α + l0; + β + b0; + φ.
  return model === 'ses' ? 2 : model === 'holt' ? 4 : 5;
}

const logistic = (u: number): number => 1 / (1 + Math.exp(-u));
const logit = (p: number): number => Math.log(p / (1 - p));
const within = (lo: number, hi: number, u: number): number => lo + (hi - lo) * logistic(u);
const unwithin = (lo: number, hi: number, v: number): number => logit((v - lo) / (hi - lo));

function paramsFrom(model: SmoothingModel, u: readonly number[]): EtsParams {
  const alpha = within(ALPHA_MIN, ALPHA_MAX, u[0] ?? 0);
  if (model === 'ses') return { alpha, beta: 0, phi: 1 };
  const beta = alpha * within(BETA_STAR_MIN, BETA_STAR_MAX, u[1] ?? 0);
  return { alpha, beta, phi: model === 'damped' ? within(PHI_MIN, PHI_MAX, u[2] ?? 0) : 1 };
}

function unconstrained(model: SmoothingModel, p: EtsParams): number[] {
  const u = [unwithin(ALPHA_MIN, ALPHA_MAX, p.alpha)];
  if (model !== 'ses') u.push(unwithin(BETA_STAR_MIN, BETA_STAR_MAX, p.beta / p.alpha));
  if (model === 'damped') u.push(unwithin(PHI_MIN, PHI_MAX, p.phi));
  return u;
}

interface Profile {
  sse: number;
  level0: number;
  trend0: number;
}

/**
 * For fixed parameters, the least-squares initial state and the SSE it gives.
 * Runs the recursion once from a zero state (errors ẽ) while carrying the
 * row a(t) = w′·Dᵗ⁻¹ that maps the initial state onto e(t) = ẽ(t) − a(t)·x0.
 */
function profile(y: readonly number[], trended: boolean, p: EtsParams): Profile {
  const { alpha, beta, phi } = p;
  let level = 0;
  let trend = 0;
  let a1 = 1;
  let a2 = trended ? phi : 0;
  let s11 = 0;
  let s12 = 0;
  let s22 = 0;
  let se1 = 0;
  let se2 = 0;
  let see = 0;
  for (const yt of y) {
    const predicted = level + phi * trend;
    const e = yt - predicted;
    s11 += a1 * a1;
    s12 += a1 * a2;
    s22 += a2 * a2;
    se1 += a1 * e;
    se2 += a2 * e;
    see += e * e;
    level = predicted + alpha * e;
    trend = trended ? phi * trend + beta * e : 0;
    if (trended) {
      const next1 = a1 * (1 - alpha) - a2 * beta;
      a2 = a1 * phi * (1 - alpha) + a2 * phi * (1 - beta);
      a1 = next1;
    } else {
      a1 *= 1 - alpha;
    }
  }
  let level0 = 0;
  let trend0 = 0;
  const det = s11 * s22 - s12 * s12;
  if (trended && det > 1e-12 * s11 * s22) {
    level0 = (s22 * se1 - s12 * se2) / det;
    trend0 = (s11 * se2 - s12 * se1) / det;
  } else if (s11 > 0) {
    // One observation (or a singular system): the level alone.
    level0 = se1 / s11;
  }
  const sse = Math.max(0, see - level0 * se1 - trend0 * se2);
  return { sse, level0, trend0 };
}

/** Runs the model forward from an initial state: the final state and the SSE from the residuals themselves. */
function filter(y: readonly number[], trended: boolean, p: EtsParams, level0: number, trend0: number): { level: number; trend: number; sse: number } {
  let level = level0;
  let trend = trended ? trend0 : 0;
  let sse = 0;
  for (const yt of y) {
    const predicted = level + p.phi * trend;
    const e = yt - predicted;
    sse += e * e;
    level = predicted + p.alpha * e;
    trend = trended ? p.phi * trend + p.beta * e : 0;
  }
  return { level, trend, sse };
}

/** Deterministic starting points; the best of them seeds Nelder–Mead. */
function starts(model: SmoothingModel): EtsParams[] {
  const alphas = [0.1, 0.5, 0.9];
  if (model === 'ses') return [0.02, ...alphas].map((alpha) => ({ alpha, beta: 0, phi: 1 }));
  const out: EtsParams[] = [];
  for (const alpha of alphas) {
    for (const betaStar of [0.05, 0.4]) {
      if (model === 'holt') out.push({ alpha, beta: alpha * betaStar, phi: 1 });
      else for (const phi of [0.9, 0.97]) out.push({ alpha, beta: alpha * betaStar, phi });
    }
  }
  return out;
}

/**
 * The unit the fit runs in: the power of two nearest the mean absolute value.
 * Keeps sums of huge amounts well-conditioned, and, being a power of two,
 * rescales without rounding (a constant series comes back exactly).
 */
function scaleOf(series: readonly number[]): number {
  let sum = 0;
  for (const v of series) sum += Math.abs(v);
  const mean = series.length > 0 ? sum / series.length : 0;
  if (!(mean > 0) || !Number.isFinite(mean)) return 0;
  return 2 ** Math.round(Math.log2(mean));
}

export function aicc(sse: number, n: number, parameters: number): number | null {
  // σ² is estimated too.
  const k = parameters + 1;
  if (n - k - 1 <= 0) return null;
  const meanSquare = Math.max(sse / n, EXACT_FIT * EXACT_FIT);
  return n * Math.log(meanSquare) + 2 * k + (2 * k * (k + 1)) / (n - k - 1);
}

/**
 * Fits one model to a series by least squares (= Gaussian maximum
 * likelihood). The series is rescaled to about unit mean absolute value inside; the
 * returned states and SSE are in the series' own units. Always finite: an
 * empty or all-zero series fits a zero level.
 */
export function fitEts(series: readonly number[], model: SmoothingModel): EtsFit {
  const n = series.length;
  const parameters = parameterCount(model);
  const scale = scaleOf(series);
  const trended = model !== 'ses';
  if (!(scale > 0) || !Number.isFinite(scale)) {
    const params = paramsFrom(model, unconstrained(model, starts(model)[0] as EtsParams));
    return { model, params, level: 0, trend: 0, sse: 0, n, scale: 0, parameters, aicc: aicc(0, n, parameters) };
  }
  const y = series.map((v) => v / scale);
  const objective = (u: readonly number[]): number => profile(y, trended, paramsFrom(model, u)).sse;
  let start = unconstrained(model, starts(model)[0] as EtsParams);
  let startValue = Infinity;
  for (const candidate of starts(model)) {
    const u = unconstrained(model, candidate);
    const v = objective(u);
    if (v < startValue) {
      start = u;
      startValue = v;
    }
  }
  const best = nelderMead(objective, start, { step: 1, maxEvaluations: BUDGET[model], tolerance: 1e-12 });
  const params = paramsFrom(model, best.value < startValue ? best.x : start);
  const init = profile(y, trended, params);
  const run = filter(y, trended, params, init.level0, init.trend0);
  const sse = run.sse * scale * scale;
  return {
    model,
    params,
    level: run.level * scale,
    trend: run.trend * scale,
    sse: Number.isFinite(sse) ? sse : 0,
    n,
    scale,
    parameters,
    aicc: aicc(run.sse, n, parameters),
  };
}

/** φ + φ² + … + φʰ (h for φ = 1). */
function dampedSum(phi: number, h: number): number {
  let sum = 0;
  let power = 1;
  for (let i = 1; i <= h; i++) {
    power *= phi;
    sum += power;
  }
  return sum;
}

/** The point forecast h steps after the last observation (h ≥ 1). */
export function etsForecast(fit: EtsFit, h: number): number {
  const steps = Math.max(1, Math.floor(h));
  return fit.level + dampedSum(fit.params.phi, steps) * fit.trend;
}

/**
 * The h-step forecast variance over the one-step variance σ², in the closed
 * forms for the class 1 (linear, additive-error) models:
 *
 *   ETS(A,N,N):  1 + (h−1)·α²
 *   ETS(A,A,N):  1 + (h−1)·[α² + αβh + β²h(2h−1)/6]
 *   ETS(A,Ad,N): 1 + α²(h−1) + βφh·[2α(1−φ) + βφ]/(1−φ)²
 *                − βφ(1−φʰ)·[2α(1−φ²) + βφ(1+2φ−φʰ)] / [(1−φ)²(1−φ²)]
 *
 * (each is 1 + Σⱼ₌₁ʰ⁻¹ cⱼ² with cⱼ = α + β(φ + … + φʲ)).
 */
export function varianceFactor(model: SmoothingModel, params: EtsParams, h: number): number {
  const steps = Math.max(1, Math.floor(h));
  const { alpha: a, beta: b, phi: p } = params;
  let factor: number;
  if (model === 'ses') {
    factor = 1 + (steps - 1) * a * a;
  } else if (model === 'holt' || p >= 1 - 1e-6) {
    factor = 1 + (steps - 1) * (a * a + a * b * steps + (b * b * steps * (2 * steps - 1)) / 6);
  } else {
    const q = 1 - p;
    const ph = p ** steps;
    factor =
      1 +
      a * a * (steps - 1) +
      (b * p * steps * (2 * a * q + b * p)) / (q * q) -
      (b * p * (1 - ph) * (2 * a * (1 - p * p) + b * p * (1 + 2 * p - ph))) / (q * q * (1 - p * p));
  }
  // Rounding can only push it below 1 for tiny β; never narrower than one step.
  return Number.isFinite(factor) ? Math.max(1, factor) : 1;
}
