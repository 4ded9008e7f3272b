import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  backtest,
  capCrossingDate,
  daysInMonth,
  forecastMonthly,
  formatVariance,
  normalQuantile,
  projectMonth,
  runRate,
  toMicros,
  variance,
  weekdayOf,
  varianceFactor,
  weekdayWeights,
  zForLevel,
  type DailySpend,
  type MonthActual,
  type SmoothingModel,
} from '../../src/domain/forecast.js';

const M = 1_000_000;

function months(values: number[], start = '2025-01'): MonthActual[] {
  return values.map((actual, i) => ({ month: addMonths(start, i), actual }));
}

/** Every number anywhere in a value is finite. */
function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value !== null && typeof value === 'object') return Object.values(value).every(allFinite);
  return true;
}

function isMicros(value: number | null): boolean {
  return value === null || (Number.isSafeInteger(value) && value >= 0);
}

describe('variance', () => {
  it('reproduces the product document: Feb 24,100 vs 23,500 → +2.6%', () => {
    const v = variance(24_100 * M, 23_500 * M);
    expect(v).toBeCloseTo(0.025532, 5);
    expect(formatVariance(v)).toBe('+2.6%');
  });
  it('reproduces the product document: Mar 21,800 vs 25,200 → -13.5%', () => {
    const v = variance(21_800 * M, 25_200 * M);
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
    const r = forecastMonthly(months(Array.from({ length: 12 }, () => 20_000 * M)), 3, 80);
    expect(r.model).toBe('ses');
    expect(r.criterion).toBe('exact-fit');
    expect(r.future.map((f) => f.month)).toEqual(['2026-01', '2026-02', '2026-03']);
    for (const f of r.future) {
      expect(f).toMatchObject({ forecast: 20_000 * M, lower: 20_000 * M, upper: 20_000 * M, model: 'ses' });
    }
    expect(r.past[0]).toMatchObject({ forecast: null, variance: null, lower: null, upper: null, model: null });
    for (const p of r.past.slice(1)) expect(p.variance).toBeCloseTo(0, 9);
    // Until two model errors (months 3 and 4) are known, a month gets the relative spread: never a zero width.
    for (const p of r.past.slice(1, 5)) expect((p.upper ?? 0) - (p.lower ?? 0)).toBeGreaterThan(0);
    expect((r.past[5]?.upper ?? 0) - (r.past[5]?.lower ?? 0)).toBe(0);
    expect(r.past.map((p) => p.model)).toEqual([null, 'run-rate', 'run-rate', ...Array.from({ length: 9 }, () => 'ses')]);
  });

  it('a linear series forecasts the next point within 1% and keeps the trend', () => {
    const values = Array.from({ length: 12 }, (_, i) => (10_000 + 1_000 * i) * M);
    const r = forecastMonthly(months(values), 3, 80);
    const next = 22_000 * M;
    expect(Math.abs((r.future[0]?.forecast ?? 0) - next) / next).toBeLessThan(0.01);
    expect(r.future[1]?.forecast ?? 0).toBeGreaterThan(r.future[0]?.forecast ?? 0);
  });

  it('widens the interval with the horizon and the level', () => {
    const noisy = [100, 130, 90, 140, 120, 150, 110, 160, 135, 170, 140, 180].map((v) => v * M);
    const r80 = forecastMonthly(months(noisy), 3, 80);
    const r95 = forecastMonthly(months(noisy), 3, 95);
    const width = (f: { lower: number; upper: number } | undefined): number => (f ? f.upper - f.lower : 0);
    expect(width(r80.future[2])).toBeGreaterThan(width(r80.future[0]));
    expect(width(r95.future[0])).toBeGreaterThan(width(r80.future[0]));
    expect(r80.rmse).toBeGreaterThan(0);
  });

  it("future intervals grow by the chosen model's h-step variance factor, not by √h", () => {
    const noisy = [100, 130, 90, 140, 120, 150, 110, 160, 135, 170, 140, 180, 150, 190].map((v) => v * M);
    const r = forecastMonthly(months(noisy), 4, 80);
    const half = (h: number): number => ((r.future[h - 1]?.upper ?? 0) - (r.future[h - 1]?.lower ?? 0)) / 2;
    const factor = (h: number): number =>
      r.params === null ? varianceFactor('ses', { alpha: 0.5, beta: 0, phi: 1 }, h) : varianceFactor(r.model as SmoothingModel, r.params, h);
    for (const h of [2, 3, 4]) {
      // Lower and upper are rounded to whole micros separately.
      expect(Math.abs(half(h) - half(1) * Math.sqrt(factor(h)))).toBeLessThanOrEqual(1);
      expect(Math.abs(half(h) - half(1) * Math.sqrt(h))).toBeGreaterThan(1);
    }
    // The one-month half-width is z × the root mean square of the model errors of the whole backtest (months 3 on).
    const errors = r.past.slice(3).map((p) => p.actual - (p.forecast ?? 0));
    const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    expect(Math.abs(half(1) - zForLevel(80) * rms)).toBeLessThanOrEqual(errors.length);
  });

  it("a past month's interval comes from the errors of earlier months only", () => {
    const noisy = [100, 130, 90, 140, 120, 150, 110, 160, 135, 170, 140, 180].map((v) => v * M);
    const r = forecastMonthly(months(noisy), 1, 80);
    // Changing month 8 (and everything after it) changes nothing about the months up to it but its actual.
    const changed = forecastMonthly(months([...noisy.slice(0, 8), 400 * M, 5 * M, 999 * M, 1 * M]), 1, 80);
    for (let t = 0; t <= 8; t++) {
      const { forecast, lower, upper, model } = r.past[t] ?? {};
      expect(changed.past[t]).toMatchObject({ forecast, lower, upper, model });
    }
    // Each month from 5 on: z × the RMS of the model errors of months 3..t−1 (rounding aside).
    for (let t = 5; t < noisy.length; t++) {
      const errors = r.past.slice(3, t).map((p) => p.actual - (p.forecast ?? 0));
      const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
      const p = r.past[t];
      expect(Math.abs(((p?.upper ?? 0) - (p?.lower ?? 0)) / 2 - zForLevel(80) * rms)).toBeLessThanOrEqual(t);
    }
    // So past months do not all share one dollar width.
    const widths = new Set(r.past.slice(5).map((p) => (p.upper ?? 0) - (p.lower ?? 0)));
    expect(widths.size).toBeGreaterThan(1);
  });

  it('falls back to the run rate under three months of history', () => {
    const r = forecastMonthly(months([1_000 * M, 2_000 * M]), 2, 80);
    expect(r.model).toBe('run-rate');
    expect(r.criterion).toBe('short-history');
    expect(r.params).toBeNull();
    expect(r.future[0]?.forecast).toBe(1_500 * M);
    expect(r.future[0]?.month).toBe('2025-03');
    expect(r.past[1]?.forecast).toBe(1_000 * M);
    expect(r.past[1]?.variance).toBe(1);
    expect(r.future[0]?.lower).toBeLessThan(r.future[0]?.forecast ?? 0);
  });

  it('short history prefers a daily run rate times the days of each month', () => {
    const r = forecastMonthly(months([1_000 * M]), 3, 80, { dailyRunRate: 10 * M });
    expect(r.future.map((f) => [f.month, f.forecast])).toEqual([
      ['2025-02', 280 * M],
      ['2025-03', 310 * M],
      ['2025-04', 300 * M],
    ]);
  });

  it('labels future months from firstFutureMonth when there is no history', () => {
    const r = forecastMonthly([], 2, 80, { firstFutureMonth: '2026-11', dailyRunRate: 1 * M });
    expect(r.future.map((f) => [f.month, f.forecast])).toEqual([
      ['2026-11', 30 * M],
      ['2026-12', 31 * M],
    ]);
  });

  it('ignores the daily run rate once the model has enough history', () => {
    const r = forecastMonthly(months([5 * M, 5 * M, 5 * M, 5 * M]), 1, 80, { dailyRunRate: 100 * M });
    expect(r.future[0]?.forecast).toBe(5 * M);
  });

  it('a single month forecasts itself with a relative interval', () => {
    const r = forecastMonthly(months([5_000 * M]), 1, 80);
    expect(r.model).toBe('run-rate');
    expect(r.past).toEqual([{ month: '2025-01', actual: 5_000 * M, forecast: null, lower: null, upper: null, variance: null, model: null }]);
    expect(r.future[0]?.forecast).toBe(5_000 * M);
    expect(r.future[0]?.upper ?? 0).toBeGreaterThan(5_000 * M);
  });

  it('no history at all gives zero forecasts, not an error', () => {
    const r = forecastMonthly([], 2, 80);
    expect(r.past).toEqual([]);
    expect(r.future.map((f) => f.forecast)).toEqual([0, 0]);
    expect(allFinite(r)).toBe(true);
  });

  it('all-zero history gives zero forecasts and null variances', () => {
    const r = forecastMonthly(months([0, 0, 0, 0, 0]), 3, 80);
    expect(r.future.every((f) => f.forecast === 0 && f.lower === 0 && f.upper === 0)).toBe(true);
    expect(r.past.every((p) => p.variance === null)).toBe(true);
    expect(allFinite(r)).toBe(true);
  });

  it('a series dropping to zero is clamped at zero, never negative', () => {
    const r = forecastMonthly(months([9_000, 6_000, 3_000, 1_000, 0].map((v) => v * M)), 6, 95);
    for (const f of r.future) {
      expect(f.forecast).toBeGreaterThanOrEqual(0);
      expect(f.lower).toBeGreaterThanOrEqual(0);
    }
    expect(allFinite(r)).toBe(true);
  });

  it('a single spike stays finite, and the months after it are forecast from their own model', () => {
    const spike = [100, 100, 100, 100, 5_000, 100, 100, 100, 100, 100].map((v) => v * M);
    const r = forecastMonthly(months(spike), 3, 95);
    expect(allFinite(r)).toBe(true);
    for (const f of r.future) expect(f.lower).toBeLessThanOrEqual(f.forecast);
    for (const p of r.past) for (const v of [p.actual, p.forecast, p.lower, p.upper]) expect(isMicros(v)).toBe(true);
  });

  it('a constant series (3 months, tiny or huge) stays finite and forecasts the constant', () => {
    for (const value of [1, 7 * M, 123_456_789 * M]) {
      const r = forecastMonthly(months([value, value, value]), 4, 99.9);
      expect(allFinite(r)).toBe(true);
      expect(r.future.map((f) => f.forecast)).toEqual([value, value, value, value]);
    }
    // Near the largest safe integer a float resolves whole units only: within one micro.
    const huge = Math.floor(Number.MAX_SAFE_INTEGER / 2);
    const r = forecastMonthly(months([huge, huge, huge]), 4, 99.9);
    expect(allFinite(r)).toBe(true);
    for (const f of r.future) expect(Math.abs(f.forecast - huge)).toBeLessThanOrEqual(1);
  });

  it('huge values stay safe integers with no NaN or Infinity', () => {
    const huge = Array.from({ length: 24 }, (_, i) => Math.floor(Number.MAX_SAFE_INTEGER / 4) + i * 1e12);
    const r = forecastMonthly(months(huge), 12, 99.9);
    expect(allFinite(r)).toBe(true);
    for (const f of r.future) for (const v of [f.forecast, f.lower, f.upper]) expect(isMicros(v)).toBe(true);
    for (const p of r.past) for (const v of [p.actual, p.forecast, p.lower, p.upper]) expect(isMicros(v)).toBe(true);
  });

  it('outputs whole micros, ordered lower ≤ forecast ≤ upper', () => {
    const r = forecastMonthly(months([1.5, 2.25, 3.75, 2.5, 4.125, 3.333].map((v) => v * M)), 4, 80);
    for (const f of r.future) {
      expect(isMicros(f.forecast) && isMicros(f.lower) && isMicros(f.upper)).toBe(true);
      expect(f.lower).toBeLessThanOrEqual(f.forecast);
      expect(f.forecast).toBeLessThanOrEqual(f.upper);
    }
  });

  it('sanitises negative and non-finite inputs to zero', () => {
    const r = forecastMonthly(months([-5, Number.NaN, 10 * M, 12 * M]), 1, 80);
    expect(r.past[0]?.actual).toBe(0);
    expect(r.past[1]?.actual).toBe(0);
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
  it('toMicros rounds and clamps', () => {
    expect(toMicros(1.6)).toBe(2);
    expect(toMicros(-3)).toBe(0);
    expect(toMicros(Number.NaN)).toBe(0);
    expect(toMicros(Infinity)).toBe(0);
    expect(toMicros(1e300)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

/** Days from `from` for n days, weekdays costing `weekday`, weekends `weekend`. */
function days(from: string, n: number, weekday: number, weekend: number): DailySpend[] {
  return Array.from({ length: n }, (_, i) => {
    const date = addDays(from, i);
    const w = weekdayOf(date);
    return { date, cost: w === 0 || w === 6 ? weekend : weekday };
  });
}

describe('weekdayWeights', () => {
  it('is flat with no history or no spend', () => {
    expect(weekdayWeights([])).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(weekdayWeights(days('2026-10-01', 14, 0, 0))).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });
  it('weights weekends down when weekends are quiet, averaging 1', () => {
    const w = weekdayWeights(days('2026-10-05', 28, 100, 20));
    expect(w[0]).toBeCloseTo(w[6] ?? 0, 9);
    expect((w[0] ?? 0) / (w[1] ?? 1)).toBeCloseTo(0.2, 9);
    expect(w.reduce((a, b) => a + b, 0) / 7).toBeCloseTo(1, 9);
  });
});

describe('projectMonth', () => {
  it('a steady spender projects spend to date plus the same rate', () => {
    // November 2026, 10 $ a day, noon on the 16th: 15 full days + half of today.
    const monthDays = days('2026-11-01', 16, 10 * M, 10 * M);
    monthDays[15] = { date: '2026-11-16', cost: 5 * M };
    const p = projectMonth({
      month: '2026-11',
      today: '2026-11-16',
      todayElapsed: 0.5,
      monthDays,
      historyDays: days('2026-10-01', 31, 10 * M, 10 * M),
      levelPct: 80,
    });
    expect(p.toDate).toBe(155 * M);
    expect(p.dailyRate).toBe(10 * M);
    expect(p.projected).toBe(300 * M);
    // No day-to-day variation: a zero-width interval.
    expect(p.lower).toBe(300 * M);
    expect(p.upper).toBe(300 * M);
  });

  it('uses the weekday pattern for the days left', () => {
    const history = days('2026-10-05', 28, 100 * M, 0);
    // Nov 2026: the 1st is a Sunday. Through Friday the 6th: 5 weekdays at 100.
    const p = projectMonth({
      month: '2026-11',
      today: '2026-11-07',
      todayElapsed: 0,
      monthDays: days('2026-11-01', 6, 100 * M, 0),
      historyDays: history,
      levelPct: 80,
    });
    // 30-day November has 21 weekdays: 16 left at 100 each.
    expect(p.projected).toBe(2_100 * M);
  });

  it('counts days with no events as zero spend', () => {
    const p = projectMonth({
      month: '2026-11',
      today: '2026-11-11',
      todayElapsed: 0,
      monthDays: [{ date: '2026-11-01', cost: 100 * M }],
      historyDays: [],
      levelPct: 80,
    });
    expect(p.dailyRate).toBe(10 * M);
    expect(p.projected).toBe(300 * M);
    expect(p.upper).toBeGreaterThan(p.projected);
    expect(p.lower).toBeGreaterThanOrEqual(p.toDate);
  });

  it('on the first day uses history, then the monthly fallback, then zero', () => {
    const base = { month: '2026-11', today: '2026-11-01', todayElapsed: 0, monthDays: [], levelPct: 80 };
    expect(projectMonth({ ...base, historyDays: days('2026-10-01', 31, 4 * M, 4 * M) }).projected).toBe(120 * M);
    expect(projectMonth({ ...base, historyDays: [], fallbackMonthTotal: 300 * M }).projected).toBe(300 * M);
    const empty = projectMonth({ ...base, historyDays: [] });
    expect([empty.projected, empty.lower, empty.upper]).toEqual([0, 0, 0]);
    expect(allFinite(empty)).toBe(true);
  });

  it('the interval adds the error of a rate measured on few days to the day-to-day spread', () => {
    // Alternate weeks at 10 and 30 a day: every weekday averages 20 (flat weights), daily sd ≈ 10.18.
    const history: DailySpend[] = Array.from({ length: 28 }, (_, i) => ({ date: addDays('2026-10-05', i), cost: (Math.floor(i / 7) % 2 === 0 ? 10 : 30) * M }));
    const mean = 20 * M;
    const sd = Math.sqrt(history.reduce((s, d) => s + (d.cost - mean) ** 2, 0) / 27);
    const p = projectMonth({
      month: '2026-11',
      today: '2026-11-03',
      todayElapsed: 0,
      monthDays: [{ date: '2026-11-01', cost: 20 * M }, { date: '2026-11-02', cost: 20 * M }],
      historyDays: history,
      levelPct: 80,
    });
    // 28 days left, each with variance sd², plus the rate's variance sd²/2 on all 28 of them.
    const half = zForLevel(80) * sd * Math.sqrt(28 + (28 * 28) / 2);
    expect(p.projected).toBe(600 * M);
    expect(Math.abs(p.upper - (600 * M + half))).toBeLessThanOrEqual(1);
    expect(Math.abs(p.lower - (600 * M - half))).toBeLessThanOrEqual(1);
  });

  it('the interval widens with noisy days and lower never drops under spend to date', () => {
    const noisy: DailySpend[] = Array.from({ length: 30 }, (_, i) => ({ date: addDays('2026-10-01', i), cost: (i % 3 === 0 ? 30 : 5) * M }));
    const p = projectMonth({ month: '2026-11', today: '2026-11-03', todayElapsed: 0.2, monthDays: noisy.slice(0, 3).map((d, i) => ({ ...d, date: addDays('2026-11-01', i) })), historyDays: noisy, levelPct: 90 });
    expect(p.upper).toBeGreaterThan(p.projected);
    expect(p.lower).toBeLessThan(p.projected);
    expect(p.lower).toBeGreaterThanOrEqual(p.toDate);
  });
});

describe('capCrossingDate', () => {
  const flat = [1, 1, 1, 1, 1, 1, 1];
  const base = { weights: flat, today: '2026-11-10', todayElapsed: 0, periodLastDay: '2026-11-30' };
  it('finds the day the projected spend reaches the cap', () => {
    // 100 spent, 10 a day: today brings 110, … the 15th brings 160.
    expect(capCrossingDate({ ...base, spent: 100, cap: 160, dailyRate: 10 })).toBe('2026-11-15');
    expect(capCrossingDate({ ...base, spent: 100, cap: 110, dailyRate: 10 })).toBe('2026-11-10');
  });
  it('is today when the cap is already reached', () => {
    expect(capCrossingDate({ ...base, spent: 500, cap: 400, dailyRate: 0 })).toBe('2026-11-10');
  });
  it('is null when not this period, with no cap or no spend rate', () => {
    expect(capCrossingDate({ ...base, spent: 100, cap: 1_000, dailyRate: 10 })).toBeNull();
    expect(capCrossingDate({ ...base, spent: 100, cap: null, dailyRate: 10 })).toBeNull();
    expect(capCrossingDate({ ...base, spent: 100, cap: 200, dailyRate: 0 })).toBeNull();
  });
  it('follows the weekday pattern (nothing spent on weekends)', () => {
    const weights = [0, 1.4, 1.4, 1.4, 1.4, 1.4, 0];
    // Friday 2026-11-13 completes the cap only on Monday the 16th, skipping the weekend.
    expect(capCrossingDate({ ...base, weights, today: '2026-11-13', spent: 0, cap: 2.5, dailyRate: 1 })).toBe('2026-11-16');
  });
});
