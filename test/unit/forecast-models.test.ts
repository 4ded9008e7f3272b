// The monthly models: fitting (Nelder–Mead over the smoothing parameters,
// initial states by least squares), the h-step variance formulas, AICc and
// the choice between the run rate, SES, Holt and damped trend.
import { describe, expect, it } from 'vitest';
import { aicc, etsForecast, fitEts, varianceFactor, type SmoothingModel } from '../../src/domain/forecast/ets.js';
import { nelderMead } from '../../src/domain/forecast/optimise.js';
import { chooseModel, choiceForecast, choiceVarianceFactor, runRate } from '../../src/domain/forecast/select.js';

/** Every number anywhere in a value is finite. */
function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value !== null && typeof value === 'object') return Object.values(value).every(allFinite);
  return true;
}

// Fixed "noise" so the series are the same on every run.
const NOISE = [3, -5, 2, 6, -4, -1, 5, -6, 1, 4, -3, -2, 6, -5, 2, -1, 4, -4, 0, 3, -6, 5, -2, 1];

describe('varianceFactor (h-step variance / one-step variance, class 1 closed forms)', () => {
  it('is 1 one step ahead for every model', () => {
    expect(varianceFactor('ses', { alpha: 0.7, beta: 0, phi: 1 }, 1)).toBe(1);
    expect(varianceFactor('holt', { alpha: 0.7, beta: 0.2, phi: 1 }, 1)).toBe(1);
    expect(varianceFactor('damped', { alpha: 0.7, beta: 0.2, phi: 0.9 }, 1)).toBeCloseTo(1, 12);
  });

  it('ETS(A,N,N): 1 + (h−1)α²', () => {
    // α = 0.3, h = 3: 1 + 2 × 0.09 = 1.18.
    expect(varianceFactor('ses', { alpha: 0.3, beta: 0, phi: 1 }, 3)).toBeCloseTo(1.18, 12);
    // α = 0.5, h = 4: 1 + 3 × 0.25 = 1.75.
    expect(varianceFactor('ses', { alpha: 0.5, beta: 0, phi: 1 }, 4)).toBeCloseTo(1.75, 12);
  });

  it('ETS(A,A,N): 1 + (h−1)[α² + αβh + β²h(2h−1)/6]', () => {
    // α = 0.5, β = 0.2, h = 3. Each step j adds cⱼ² with cⱼ = α + βj:
    //   c₁ = 0.5 + 0.2 = 0.7, c₂ = 0.5 + 0.4 = 0.9 → 1 + 0.49 + 0.81 = 2.30.
    // The closed form: 1 + 2 × (0.25 + 0.5·0.2·3 + 0.04·3·5/6) = 1 + 2 × (0.25 + 0.3 + 0.1) = 2.30.
    expect(varianceFactor('holt', { alpha: 0.5, beta: 0.2, phi: 1 }, 3)).toBeCloseTo(2.3, 12);
    // h = 4 adds c₃ = 0.5 + 0.6 = 1.1 → 2.30 + 1.21 = 3.51.
    expect(varianceFactor('holt', { alpha: 0.5, beta: 0.2, phi: 1 }, 4)).toBeCloseTo(3.51, 12);
  });

  it('ETS(A,Ad,N): the damped closed form', () => {
    // α = 0.5, β = 0.1, φ = 0.9. cⱼ = α + β(φ + … + φʲ):
    //   c₁ = 0.5 + 0.1 × 0.9 = 0.59
    //   c₂ = 0.5 + 0.1 × (0.9 + 0.81) = 0.671
    //   c₃ = 0.5 + 0.1 × (0.9 + 0.81 + 0.729) = 0.7439
    // h = 2: 1 + 0.59² = 1.3481
    // h = 3: 1.3481 + 0.671² = 1.3481 + 0.450241 = 1.798341
    // h = 4: 1.798341 + 0.7439² = 1.798341 + 0.55338721 = 2.35172821
    const p = { alpha: 0.5, beta: 0.1, phi: 0.9 };
    expect(varianceFactor('damped', p, 2)).toBeCloseTo(1.3481, 10);
    expect(varianceFactor('damped', p, 3)).toBeCloseTo(1.798341, 10);
    expect(varianceFactor('damped', p, 4)).toBeCloseTo(2.35172821, 10);
  });

  it('damping grows the variance more slowly than Holt with the same α and β', () => {
    for (const h of [2, 3, 4, 12]) {
      expect(varianceFactor('damped', { alpha: 0.5, beta: 0.1, phi: 0.9 }, h)).toBeLessThan(varianceFactor('holt', { alpha: 0.5, beta: 0.1, phi: 1 }, h));
    }
  });

  it('the run rate grows like SES with α = ½ (the same mean age of data): 1 + (h−1)/4', () => {
    const choice = chooseModel([100, 100]);
    expect(choice.model).toBe('run-rate');
    expect(choiceVarianceFactor(choice, 1)).toBe(1);
    expect(choiceVarianceFactor(choice, 3)).toBeCloseTo(1.5, 12);
    expect(choiceVarianceFactor(choice, 5)).toBeCloseTo(2, 12);
  });
});

describe('aicc', () => {
  it('n·ln(SSE/n) + 2k + 2k(k+1)/(n−k−1), with σ² counted in k', () => {
    // SSE 8 on n = 10 with 2 fitted parameters (k = 3): 10·ln(0.8) + 6 + 24/6 = −2.231436 + 10.
    expect(aicc(8, 10, 2)).toBeCloseTo(10 * Math.log(0.8) + 10, 10);
  });
  it('is null when the history is too short for the correction', () => {
    // k = 3 needs n − k − 1 > 0: n ≥ 5.
    expect(aicc(1, 4, 2)).toBeNull();
    expect(aicc(1, 5, 2)).not.toBeNull();
  });
  it('stays finite for an exact fit', () => {
    expect(Number.isFinite(aicc(0, 10, 2) ?? Number.NaN)).toBe(true);
  });
});

describe('nelderMead', () => {
  it('finds the minimum of a quadratic bowl', () => {
    const m = nelderMead((x) => ((x[0] ?? 0) - 3) ** 2 + 2 * ((x[1] ?? 0) + 1) ** 2, [0, 0], { maxEvaluations: 300 });
    expect(m.x[0]).toBeCloseTo(3, 3);
    expect(m.x[1]).toBeCloseTo(-1, 3);
    expect(m.evaluations).toBeLessThanOrEqual(300);
  });
  it('gets close on Rosenbrock within its budget, and gives the same answer every time', () => {
    const rosenbrock = (x: readonly number[]): number => 100 * ((x[1] ?? 0) - (x[0] ?? 0) ** 2) ** 2 + (1 - (x[0] ?? 0)) ** 2;
    const a = nelderMead(rosenbrock, [-1.2, 1], { maxEvaluations: 600, step: 0.5 });
    expect(a.value).toBeLessThan(1e-4);
    expect(nelderMead(rosenbrock, [-1.2, 1], { maxEvaluations: 600, step: 0.5 })).toEqual(a);
  });
  it('treats NaN and Infinity as +Infinity and walks away from them', () => {
    const m = nelderMead((x) => ((x[0] ?? 0) < 0 ? Number.NaN : ((x[0] ?? 0) - 2) ** 2), [1], { maxEvaluations: 100 });
    expect(m.x[0]).toBeCloseTo(2, 3);
    expect(Number.isFinite(m.value)).toBe(true);
  });
});

/** SSE of SES started the textbook way: level = first value. */
function sesSseFromFirst(series: readonly number[], alpha: number): number {
  let level = series[0] ?? 0;
  let sse = 0;
  for (const y of series.slice(1)) {
    sse += (y - level) ** 2;
    level += alpha * (y - level);
  }
  return sse;
}

describe('fitEts', () => {
  const noisy = NOISE.slice(0, 15).map((e, t) => 1_000 + 20 * t + 15 * e);

  it('optimising α and the initial level does at least as well as any α started from the first value', () => {
    const fit = fitEts(noisy, 'ses');
    for (let alpha = 0.05; alpha <= 1; alpha += 0.05) expect(fit.sse).toBeLessThanOrEqual(sesSseFromFirst(noisy, alpha) + 1e-6);
  });

  it('keeps the parameters in their admissible region', () => {
    for (const model of ['ses', 'holt', 'damped'] as SmoothingModel[]) {
      const { alpha, beta, phi } = fitEts(noisy, model).params;
      expect(alpha).toBeGreaterThan(0);
      expect(alpha).toBeLessThan(1);
      expect(beta).toBeGreaterThanOrEqual(0);
      expect(beta).toBeLessThanOrEqual(alpha);
      if (model === 'damped') {
        expect(phi).toBeGreaterThanOrEqual(0.8);
        expect(phi).toBeLessThanOrEqual(0.98);
      } else expect(phi).toBe(1);
    }
  });

  it('fits a straight line exactly with Holt (the initial trend is solved for, not the first difference)', () => {
    const line = Array.from({ length: 6 }, (_, t) => 10_000 + 1_500 * t);
    const fit = fitEts(line, 'holt');
    expect(fit.sse).toBeLessThan(1e-6);
    expect(etsForecast(fit, 1)).toBeCloseTo(19_000, 6);
    expect(etsForecast(fit, 4)).toBeCloseTo(23_500, 6);
  });

  it('damps the trend on a series that flattens', () => {
    const flattening = [100, 200, 300, 380, 430, 460, 475, 482, 486, 488, 489, 489.5];
    const fit = fitEts(flattening, 'damped');
    // Never beyond the undamped extrapolation of the last step.
    expect(etsForecast(fit, 3)).toBeLessThan(489.5 + 3 * 50);
    expect(etsForecast(fit, 3) - etsForecast(fit, 2)).toBeLessThan(etsForecast(fit, 2) - etsForecast(fit, 1) + 1e-9);
  });

  it('is deterministic', () => {
    expect(fitEts(noisy, 'damped')).toEqual(fitEts(noisy, 'damped'));
  });

  it('stays finite on empty, one-point, all-zero and huge series', () => {
    for (const series of [[], [42], [0, 0, 0, 0], [Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER, 1]]) {
      for (const model of ['ses', 'holt', 'damped'] as SmoothingModel[]) {
        const fit = fitEts(series, model);
        expect(allFinite(fit.params) && Number.isFinite(fit.level) && Number.isFinite(fit.trend) && Number.isFinite(fit.sse)).toBe(true);
        expect(Number.isFinite(etsForecast(fit, 12))).toBe(true);
      }
    }
    expect(etsForecast(fitEts([42], 'ses'), 1)).toBeCloseTo(42, 9);
    expect(etsForecast(fitEts([], 'holt'), 1)).toBe(0);
  });
});

describe('chooseModel', () => {
  it('picks SES on a flat noisy series', () => {
    const flat = NOISE.slice(0, 18).map((e) => 1_000 + 10 * e);
    const choice = chooseModel(flat);
    expect(choice).toMatchObject({ model: 'ses', criterion: 'aicc' });
    expect(choiceForecast(choice, 1)).toBeCloseTo(1_000, -1);
  });

  it('picks a trend model on a strongly trending noisy series', () => {
    const trending = NOISE.slice(0, 12).map((e, t) => 1_000 + 80 * t + 6 * e);
    const choice = chooseModel(trending);
    expect(['holt', 'damped']).toContain(choice.model);
    expect(choice.criterion).toBe('aicc');
    // Next month continues the trend: about 1,000 + 80 × 12.
    expect(Math.abs(choiceForecast(choice, 1) - 1_960)).toBeLessThan(40);
  });

  it('keeps the run rate when nothing beats it: a spike, or too short for AICc to rank a smoothing model', () => {
    expect(chooseModel([100, 100, 100, 5_000, 100, 100, 100, 100])).toMatchObject({ model: 'run-rate', criterion: 'aicc' });
    expect(chooseModel([100, 130, 90, 120])).toMatchObject({ model: 'run-rate', criterion: 'few-months' });
    expect(chooseModel([100, 130])).toMatchObject({ model: 'run-rate', criterion: 'short-history' });
  });

  it('takes an exact fit from three months on: a line is Holt, a constant is SES', () => {
    const line = chooseModel([10, 20, 30]);
    expect(line).toMatchObject({ model: 'holt', criterion: 'exact-fit' });
    expect(choiceForecast(line, 1)).toBeCloseTo(40, 9);
    expect(chooseModel([5, 5, 5, 5])).toMatchObject({ model: 'ses', criterion: 'exact-fit' });
    expect(choiceForecast(chooseModel([0, 0, 0, 0]), 3)).toBe(0);
  });

  it('runRate averages the last three months', () => {
    expect(runRate([])).toBe(0);
    expect(runRate([9])).toBe(9);
    expect(runRate([1, 2, 3, 4])).toBe(3);
  });
});
