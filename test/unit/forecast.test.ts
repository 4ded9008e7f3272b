import { describe, expect, it } from 'vitest';
import {
  backtest,
  estimateMoney,
  forecastMonthly,
  formatVariance,
  normalQuantile,
  runRate,
  variance,
  varianceFactor,
  zForLevel,
  type MonthActual,
  type SmoothingModel,
} from '../../src/domain/forecast.js';
import { addDays, addMonths, daysInMonth, weekdayOf } from '../../src/domain/periods.js';
import { type Money, moneyToFloat, nanos, subtractMoney, units, ZERO } from '../../src/domain/money.js';

/** Whole dollars as money. */
const $ = (dollars: number): Money => units(dollars);
/** Money as dollars, for comparing with float arithmetic. */
const d = (m: Money | null | undefined): number => (m === null || m === undefined ? 0 : moneyToFloat(m));

function months(values: Money[], start = '2025-01'): MonthActual[] {
  return values.map((actual, i) => ({ month: addMonths(start, i), actual }));
}

/** Every number anywhere in a value is finite. */
function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value !== null && typeof value === 'object') return Object.values(value).every(allFinite);
  return true;
}

/** An estimate is Money (a bigint), never negative; null where there is none. */
function isMoney(value: Money | null): boolean {
  return value === null || (typeof value === 'bigint' && value >= 0n);
}

describe('variance', () => {
  it('reproduces the product document: Feb 24,100 vs 23,500 → +2.6%', () => {
    const v = variance(24_100, 23_500);
    expect(v).toBeCloseTo(0.025532, 5);
    expect(formatVariance(v)).toBe('+2.6%');
  });
  it('reproduces the product document: Mar 21,800 vs 25,200 → -13.5%', () => {
    const v = variance(21_800, 25_200);
    expect(v).toBeCloseTo(-0.134921, 5);
    expect(formatVariance(v)).toBe('-13.5%');
  });
  it('is null when the forecast is zero or missing, or a value is not finite', () => {
    expect(variance(5, 0)).toBeNull();
    expect(variance(5, null)).toBeNull();
    expect(variance(null, 5)).toBeNull();
    expect(variance(undefined, undefined)).toBeNull();
    expect(variance(Number.NaN, 5)).toBeNull();
    expect(variance(5, Infinity)).toBeNull();
  });
  it('is exact zero and -100% at the edges', () => {
    expect(variance(7, 7)).toBe(0);
    expect(variance(0, 7)).toBe(-1);
  });
});

describe('formatVariance', () => {
  it('signs, rounds to one decimal and never prints -0.0%', () => {
    expect(formatVariance(0)).toBe('0.0%');
    expect(formatVariance(-0.0004)).toBe('0.0%');
    expect(formatVariance(0.1)).toBe('+10.0%');
    expect(formatVariance(-1)).toBe('-100.0%');
    expect(formatVariance(2.5)).toBe('+250.0%');
  });
  it('is empty for null, undefined and non-finite values', () => {
    expect(formatVariance(null)).toBe('');
    expect(formatVariance(undefined)).toBe('');
    expect(formatVariance(Number.NaN)).toBe('');
    expect(formatVariance(Infinity)).toBe('');
  });
});

describe('normalQuantile / zForLevel', () => {
  it('matches known quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.9)).toBeCloseTo(1.281552, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232, 4);
  });
  it('gives z for two-sided levels and stays finite at the extremes', () => {
    expect(zForLevel(80)).toBeCloseTo(1.281552, 5);
    expect(zForLevel(95)).toBeCloseTo(1.959964, 5);
    expect(Number.isFinite(zForLevel(99.9999))).toBe(true);
    expect(zForLevel(0.0001)).toBeGreaterThanOrEqual(0);
    expect(zForLevel(Number.NaN)).toBeCloseTo(1.281552, 5);
  });
});

describe('runRate and backtest', () => {
  it('averages the last three points', () => {
    expect(runRate([])).toBe(0);
    expect(runRate([9])).toBe(9);
    expect(runRate([1, 2, 3, 4])).toBe(3);
  });
  it('forecasts each month only from the months before it', () => {
    const series = [10, 20, 30, 40, 50, 60];
    const bt = backtest(series);
    expect(bt[0]).toBeNull();
    expect(bt[1]).toBe(10);
    expect(bt[2]).toBe(15);
    // From month 3 the model sees a perfect line.
    for (let t = 3; t < series.length; t++) expect(bt[t]).toBeCloseTo(series[t] ?? 0, 6);
    // Changing a later month cannot change an earlier forecast.
    expect(backtest([10, 20, 30, 40, 50, 999]).slice(0, 5)).toEqual(bt.slice(0, 5));
  });
  it('never forecasts below zero', () => {
    const bt = backtest([1000, 600, 300, 50, 0]);
    for (const f of bt) if (f !== null) expect(f).toBeGreaterThanOrEqual(0);
  });
});

describe('forecastMonthly', () => {
  it('a constant series forecasts the constant with a zero-width interval once errors are measured', () => {
    const r = forecastMonthly(months(Array.from({ length: 12 }, () => $(20_000))), 3, 80);
    expect(r.model).toBe('ses');
    expect(r.criterion).toBe('exact-fit');
    expect(r.future.map((f) => f.month)).toEqual(['2026-01', '2026-02', '2026-03']);
    for (const f of r.future) {
      expect(f).toMatchObject({ forecast: $(20_000), lower: $(20_000), upper: $(20_000), model: 'ses' });
    }
    expect(r.past[0]).toMatchObject({ forecast: null, variance: null, lower: null, upper: null, model: null });
    for (const p of r.past.slice(1)) expect(p.variance).toBeCloseTo(0, 9);
    // Until two model errors (months 3 and 4) are known, a month gets the relative spread: never a zero width.
    for (const p of r.past.slice(1, 5)) expect((p.upper ?? 0n) - (p.lower ?? 0n)).toBeGreaterThan(0n);
    expect((r.past[5]?.upper ?? 0n) - (r.past[5]?.lower ?? 0n)).toBe(0n);
    expect(r.past.map((p) => p.model)).toEqual([null, 'run-rate', 'run-rate', ...Array.from({ length: 9 }, () => 'ses')]);
  });

  it('a linear series forecasts the next point within 1% and keeps the trend', () => {
    const values = Array.from({ length: 12 }, (_, i) => $(10_000 + 1_000 * i));
    const r = forecastMonthly(months(values), 3, 80);
    expect(Math.abs(d(r.future[0]?.forecast) - 22_000) / 22_000).toBeLessThan(0.01);
    expect(r.future[1]?.forecast ?? 0n).toBeGreaterThan(r.future[0]?.forecast ?? 0n);
  });

  it('widens the interval with the horizon and the level', () => {
    const noisy = [100, 130, 90, 140, 120, 150, 110, 160, 135, 170, 140, 180].map($);
    const r80 = forecastMonthly(months(noisy), 3, 80);
    const r95 = forecastMonthly(months(noisy), 3, 95);
    const width = (f: { lower: Money; upper: Money } | undefined): Money => (f ? subtractMoney(f.upper, f.lower) : ZERO);
    expect(width(r80.future[2])).toBeGreaterThan(width(r80.future[0]));
    expect(width(r95.future[0])).toBeGreaterThan(width(r80.future[0]));
    expect(r80.rmse).toBeGreaterThan(0n);
  });

  it("future intervals grow by the chosen model's h-step variance factor, not by √h", () => {
    const noisy = [100, 130, 90, 140, 120, 150, 110, 160, 135, 170, 140, 180, 150, 190].map($);
    const r = forecastMonthly(months(noisy), 4, 80);
    const half = (h: number): number => (d(r.future[h - 1]?.upper) - d(r.future[h - 1]?.lower)) / 2;
    const factor = (h: number): number =>
      r.params === null ? varianceFactor('ses', { alpha: 0.5, beta: 0, phi: 1 }, h) : varianceFactor(r.model as SmoothingModel, r.params, h);
    for (const h of [2, 3, 4]) {
      // Lower and upper are rounded to whole nano-dollars separately.
      expect(Math.abs(half(h) - half(1) * Math.sqrt(factor(h)))).toBeLessThanOrEqual(1e-8);
      expect(Math.abs(half(h) - half(1) * Math.sqrt(h))).toBeGreaterThan(1e-3);
    }
    // The one-month half-width is z × the root mean square of the model errors of the whole backtest (months 3 on).
    const errors = r.past.slice(3).map((p) => d(p.actual) - d(p.forecast));
    const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    expect(Math.abs(half(1) - zForLevel(80) * rms)).toBeLessThanOrEqual(errors.length * 1e-9);
  });

  it("a past month's interval comes from the errors of earlier months only", () => {
    const noisy = [100, 130, 90, 140, 120, 150, 110, 160, 135, 170, 140, 180].map($);
    const r = forecastMonthly(months(noisy), 1, 80);
    // Changing month 8 (and everything after it) changes nothing about the months up to it but its actual.
    const changed = forecastMonthly(months([...noisy.slice(0, 8), $(400), $(5), $(999), $(1)]), 1, 80);
    for (let t = 0; t <= 8; t++) {
      const { forecast, lower, upper, model } = r.past[t] ?? {};
      expect(changed.past[t]).toMatchObject({ forecast, lower, upper, model });
    }
    // Each month from 5 on: z × the RMS of the model errors of months 3..t−1 (rounding aside).
    for (let t = 5; t < noisy.length; t++) {
      const errors = r.past.slice(3, t).map((p) => d(p.actual) - d(p.forecast));
      const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
      const p = r.past[t];
      expect(Math.abs((d(p?.upper) - d(p?.lower)) / 2 - zForLevel(80) * rms)).toBeLessThanOrEqual(t * 1e-9);
    }
    // So past months do not all share one dollar width.
    const widths = new Set(r.past.slice(5).map((p) => (p.upper ?? 0n) - (p.lower ?? 0n)));
    expect(widths.size).toBeGreaterThan(1);
  });

  it('falls back to the run rate under three months of history', () => {
    const r = forecastMonthly(months([$(1_000), $(2_000)]), 2, 80);
    expect(r.model).toBe('run-rate');
    expect(r.criterion).toBe('short-history');
    expect(r.params).toBeNull();
    expect(r.future[0]?.forecast).toBe($(1_500));
    expect(r.future[0]?.month).toBe('2025-03');
    expect(r.past[1]?.forecast).toBe($(1_000));
    expect(r.past[1]?.variance).toBe(1);
    expect(r.future[0]?.lower).toBeLessThan(r.future[0]?.forecast ?? 0n);
  });

  it('short history prefers a daily run rate times the days of each month', () => {
    const r = forecastMonthly(months([$(1_000)]), 3, 80, { dailyRunRate: $(10) });
    expect(r.future.map((f) => [f.month, f.forecast])).toEqual([
      ['2025-02', $(280)],
      ['2025-03', $(310)],
      ['2025-04', $(300)],
    ]);
  });

  it('labels future months from firstFutureMonth when there is no history', () => {
    const r = forecastMonthly([], 2, 80, { firstFutureMonth: '2026-11', dailyRunRate: $(1) });
    expect(r.future.map((f) => [f.month, f.forecast])).toEqual([
      ['2026-11', $(30)],
      ['2026-12', $(31)],
    ]);
  });

  it('ignores the daily run rate once the model has enough history', () => {
    const r = forecastMonthly(months([$(5), $(5), $(5), $(5)]), 1, 80, { dailyRunRate: $(100) });
    expect(r.future[0]?.forecast).toBe($(5));
  });

  it('a single month forecasts itself with a relative interval', () => {
    const r = forecastMonthly(months([$(5_000)]), 1, 80);
    expect(r.model).toBe('run-rate');
    expect(r.past).toEqual([{ month: '2025-01', actual: $(5_000), forecast: null, lower: null, upper: null, variance: null, model: null }]);
    expect(r.future[0]?.forecast).toBe($(5_000));
    expect(r.future[0]?.upper ?? 0n).toBeGreaterThan($(5_000));
  });

  it('no history at all gives zero forecasts, not an error', () => {
    const r = forecastMonthly([], 2, 80);
    expect(r.past).toEqual([]);
    expect(r.future.map((f) => f.forecast)).toEqual([0n, 0n]);
    expect(allFinite(r)).toBe(true);
  });

  it('all-zero history gives zero forecasts and null variances', () => {
    const r = forecastMonthly(months([nanos(0n), nanos(0n), nanos(0n), nanos(0n), nanos(0n)]), 3, 80);
    expect(r.future.every((f) => f.forecast === 0n && f.lower === 0n && f.upper === 0n)).toBe(true);
    expect(r.past.every((p) => p.variance === null)).toBe(true);
    expect(allFinite(r)).toBe(true);
  });

  it('a series dropping to zero is clamped at zero, never negative', () => {
    const r = forecastMonthly(months([9_000, 6_000, 3_000, 1_000, 0].map($)), 6, 95);
    for (const f of r.future) {
      expect(f.forecast).toBeGreaterThanOrEqual(0n);
      expect(f.lower).toBeGreaterThanOrEqual(0n);
    }
    expect(allFinite(r)).toBe(true);
  });

  it('a single spike stays finite, and the months after it are forecast from their own model', () => {
    const spike = [100, 100, 100, 100, 5_000, 100, 100, 100, 100, 100].map($);
    const r = forecastMonthly(months(spike), 3, 95);
    expect(allFinite(r)).toBe(true);
    for (const f of r.future) expect(f.lower).toBeLessThanOrEqual(f.forecast);
    for (const p of r.past) for (const v of [p.actual, p.forecast, p.lower, p.upper]) expect(isMoney(v)).toBe(true);
  });

  it('a constant series (3 months, a nano-dollar or a trillion dollars) forecasts the constant', () => {
    for (const value of [nanos(1n), $(7), $(123_456_789), $(4_000_000_000_000)]) {
      const r = forecastMonthly(months([value, value, value]), 4, 99.9);
      expect(allFinite(r)).toBe(true);
      expect(r.future.map((f) => f.forecast)).toEqual([value, value, value, value]);
    }
  });

  it('huge values stay exact Money with no NaN or Infinity', () => {
    const huge = Array.from({ length: 24 }, (_, i) => $(2_000_000_000_000 + i * 1_000_000));
    const r = forecastMonthly(months(huge), 12, 99.9);
    expect(allFinite(r)).toBe(true);
    for (const f of r.future) for (const v of [f.forecast, f.lower, f.upper]) expect(isMoney(v)).toBe(true);
    for (const p of r.past) for (const v of [p.actual, p.forecast, p.lower, p.upper]) expect(isMoney(v)).toBe(true);
    expect(r.past.map((p) => p.actual)).toEqual(huge);
  });

  it('outputs Money ordered lower ≤ forecast ≤ upper, down to fractions of a cent', () => {
    const r = forecastMonthly(months([nanos(1_500_000n), nanos(2_250_000n), nanos(3_750_000n), nanos(2_500_000n), nanos(4_125_000n), nanos(3_333_000n)]), 4, 80);
    for (const f of r.future) {
      expect(isMoney(f.forecast) && isMoney(f.lower) && isMoney(f.upper)).toBe(true);
      expect(f.lower).toBeLessThanOrEqual(f.forecast);
      expect(f.forecast).toBeLessThanOrEqual(f.upper);
    }
  });

  it('reads a negative month as zero', () => {
    const r = forecastMonthly(months([nanos(-5n), nanos(0n), $(10), $(12)]), 1, 80);
    expect(r.past[0]?.actual).toBe(0n);
    expect(r.past[1]?.actual).toBe(0n);
    expect(allFinite(r)).toBe(true);
  });
});

describe('calendar helpers', () => {
  it('adds months across years', () => {
    expect(addMonths('2026-11', 1)).toBe('2026-12');
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-03', 14)).toBe('2027-05');
  });
  it('knows month lengths, weekdays and day arithmetic', () => {
    expect(daysInMonth('2024-02')).toBe(29);
    expect(daysInMonth('2026-02')).toBe(28);
    expect(daysInMonth('2026-11')).toBe(30);
    expect(weekdayOf('2026-11-28')).toBe(6);
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
  it('estimateMoney rounds to the nano-unit and clamps', () => {
    expect(estimateMoney(1.6)).toBe(1_600_000_000n);
    expect(estimateMoney(0.0000000016)).toBe(2n);
    expect(estimateMoney(-3)).toBe(0n);
    expect(estimateMoney(Number.NaN)).toBe(0n);
    expect(estimateMoney(Infinity)).toBe(0n);
    expect(estimateMoney(1e300)).toBe(units(1e15));
  });
});
