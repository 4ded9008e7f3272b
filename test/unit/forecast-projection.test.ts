// The one projection of a period's spend (src/domain/forecast/projection.ts):
// spend to date exactly, plus the weekday-weighted run rate over the days
// left, with an interval that is never zero width for want of history.
import { describe, expect, it } from 'vitest';
import {
  capCrossingDate,
  MIN_SPREAD_DAYS,
  projectionRange,
  projectSpend,
  RELATIVE_SPREAD_FLOOR,
  spendPace,
  weekdayWeights,
  zForLevel,
  type DailySpend,
} from '../../src/domain/forecast.js';
import { addDays, weekdayOf } from '../../src/domain/periods.js';
import { addMoney, type Money, moneyFromDecimal, moneyToFloat, nanos, ZERO } from '../../src/domain/money.js';

const $ = (dollars: number): Money => moneyFromDecimal(String(dollars));
const d = (m: Money): number => moneyToFloat(m);

/** Days from `from` for n days, weekdays costing `weekday`, weekends `weekend` (dollars). */
function days(from: string, n: number, weekday: number, weekend: number): DailySpend[] {
  return Array.from({ length: n }, (_, i) => {
    const date = addDays(from, i);
    const w = weekdayOf(date);
    return { date, cost: $(w === 0 || w === 6 ? weekend : weekday) };
  });
}

const asMap = (...lists: DailySpend[][]): Map<string, Money> => {
  const map = new Map<string, Money>();
  for (const list of lists) for (const day of list) map.set(day.date, addMoney(map.get(day.date) ?? ZERO, day.cost));
  return map;
};

const NOVEMBER = { firstDay: '2026-11-01', lastDay: '2026-11-30' };

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

describe('spendPace and projectSpend', () => {
  it('a steady spender projects spend to date plus the same rate, exactly', () => {
    // November 2026, $10 a day, noon on the 16th: 15 full days + half of today.
    const month = days('2026-11-01', 16, 10, 10);
    month[15] = { date: '2026-11-16', cost: $(5) };
    const pace = spendPace({ days: asMap(days('2026-10-01', 31, 10, 10), month), today: '2026-11-16', todayElapsed: 0.5 });
    expect(pace.rate).toBeCloseTo(10, 12);
    expect(pace.floored).toBe(false);
    const p = projectSpend(pace, NOVEMBER, 80);
    expect(p.toDate).toBe($(155));
    expect(p.projected).toBe($(300));
    // No day-to-day variation over 46 days of history: a zero-width interval, honestly.
    expect([p.lower, p.upper]).toEqual([$(300), $(300)]);
  });

  it('uses the weekday pattern for the days left', () => {
    // Nov 2026: the 1st is a Sunday. Through Friday the 6th: 5 weekdays at $100.
    const pace = spendPace({ days: asMap(days('2026-10-05', 28, 100, 0), days('2026-11-01', 6, 100, 0)), today: '2026-11-07', todayElapsed: 0 });
    // 30-day November has 21 weekdays: 16 left at $100 each.
    expect(projectSpend(pace, NOVEMBER, 80).projected).toBe($(2_100));
  });

  it('counts days with no events as zero spend', () => {
    const pace = spendPace({ days: asMap([{ date: '2026-11-01', cost: $(100) }]), today: '2026-11-11', todayElapsed: 0 });
    expect(pace.rate).toBeCloseTo(10, 12);
    const p = projectSpend(pace, NOVEMBER, 80);
    expect(p.projected).toBe($(300));
    expect(p.upper).toBeGreaterThan(p.projected);
    expect(p.lower).toBeGreaterThanOrEqual(p.toDate);
  });

  it('a team that began spending mid-month is measured from its first day, not the 1st', () => {
    // Spend began on the 21st at $10 a day; today is the 26th.
    const pace = spendPace({ days: asMap(days('2026-11-21', 5, 10, 10)), today: '2026-11-26', todayElapsed: 0 });
    expect(pace.rate).toBeCloseTo(10, 12);
    expect(projectSpend(pace, NOVEMBER, 80).projected).toBe($(50 + 5 * 10));
  });

  it('on the first day uses the history, or nothing', () => {
    const pace = spendPace({ days: asMap(days('2026-10-01', 31, 4, 4)), today: '2026-11-01', todayElapsed: 0 });
    expect(projectSpend(pace, NOVEMBER, 80).projected).toBe($(120));
    const empty = projectSpend(spendPace({ days: new Map(), today: '2026-11-01', todayElapsed: 0 }), NOVEMBER, 80);
    expect([empty.toDate, empty.projected, empty.lower, empty.upper]).toEqual([0n, 0n, 0n, 0n]);
  });

  it('the interval adds the error of a rate measured on few days to the day-to-day spread', () => {
    // Alternate weeks at $10 and $30 a day: every weekday averages 20 (flat weights), daily sd ≈ 10.18.
    const history: DailySpend[] = Array.from({ length: 28 }, (_, i) => ({ date: addDays('2026-10-04', i), cost: $(Math.floor(i / 7) % 2 === 0 ? 10 : 30) }));
    const month = [{ date: '2026-11-01', cost: $(20) }, { date: '2026-11-02', cost: $(20) }];
    // The spread is measured on every complete day since spend began: the 28 of October and the 2 of November.
    const sd = Math.sqrt([...history, ...month].reduce((s, x) => s + (d(x.cost) - 20) ** 2, 0) / 29);
    const pace = spendPace({ days: asMap(history, month), today: '2026-11-03', todayElapsed: 0 });
    const p = projectSpend(pace, NOVEMBER, 80);
    // 28 days left, each with variance sd², plus the rate's variance sd²/2 on all 28 of them.
    const half = zForLevel(80) * sd * Math.sqrt(28 + (28 * 28) / 2);
    expect(p.projected).toBe($(600));
    expect(Math.abs(d(p.upper) - (600 + half))).toBeLessThan(1e-8);
    expect(Math.abs(d(p.lower) - (600 - half))).toBeLessThan(1e-8);
  });

  it('never gives a zero-width interval because the history is short: the spread is floored, and says so', () => {
    // Four days of history, all alike (no measured spread at all), $6.25 a day.
    const pace = spendPace({ days: asMap(days('2026-11-24', 4, 6.25, 6.25)), today: '2026-11-28', todayElapsed: 0.5 });
    expect(pace.historyDays).toBe(4);
    expect(pace.historyDays).toBeLessThan(MIN_SPREAD_DAYS);
    expect(pace.floored).toBe(true);
    expect(pace.spread).toBeCloseTo(RELATIVE_SPREAD_FLOOR * 6.25, 12);
    const p = projectSpend(pace, NOVEMBER, 80);
    expect(p.projected).toBe($(25 + 6.25 * 2.5));
    expect(p.upper).toBeGreaterThan(p.projected);
    expect(p.lower).toBeLessThan(p.projected);
    expect(p.lower).toBeGreaterThanOrEqual(p.toDate);
    // A new team with only today's spend: no rate yet, still an interval above what is spent.
    const fresh = projectSpend(spendPace({ days: asMap([{ date: '2026-11-28', cost: $(3) }]), today: '2026-11-28', todayElapsed: 0.5 }), NOVEMBER, 80);
    expect(fresh.projected).toBe($(3));
    expect(fresh.upper).toBeGreaterThan($(3));
  });

  it('the interval widens with noisy days and lower never drops under spend to date', () => {
    const noisy: DailySpend[] = Array.from({ length: 30 }, (_, i) => ({ date: addDays('2026-10-01', i), cost: $(i % 3 === 0 ? 30 : 5) }));
    const month = noisy.slice(0, 3).map((x, i) => ({ ...x, date: addDays('2026-11-01', i) }));
    const p = projectSpend(spendPace({ days: asMap(noisy, month), today: '2026-11-03', todayElapsed: 0.2 }), NOVEMBER, 90);
    expect(p.upper).toBeGreaterThan(p.projected);
    expect(p.lower).toBeLessThan(p.projected);
    expect(p.lower).toBeGreaterThanOrEqual(p.toDate);
  });

  it('projects a quarter from the same pace: spend since the quarter began plus the days left in it', () => {
    const pace = spendPace({ days: asMap(days('2026-10-01', 45, 2, 2)), today: '2026-11-15', todayElapsed: 0 });
    const quarter = projectSpend(pace, { firstDay: '2026-10-01', lastDay: '2026-12-31' }, 80);
    const month = projectSpend(pace, NOVEMBER, 80);
    expect(quarter.toDate).toBe($(90));
    expect(quarter.projected).toBe($(90 + 2 * 47));
    expect(month.projected).toBe($(28 + 2 * 16));
  });
});

describe('projectionRange', () => {
  const now = new Date('2026-11-15T12:00:00Z');
  it("takes the wallet's period bounds, or its named period, else the month", () => {
    expect(projectionRange({ period: 'monthly', period_start: '2026-11-01T00:00:00Z', period_end: '2026-12-01T00:00:00Z' }, now, 'UTC')).toEqual({
      firstDay: '2026-11-01',
      lastDay: '2026-11-30',
      basis: 'period',
    });
    expect(projectionRange({ period: 'quarterly', period_start: null, period_end: null }, now, 'UTC')).toEqual({ firstDay: '2026-10-01', lastDay: '2026-12-31', basis: 'period' });
    expect(projectionRange({ period: null, period_start: null, period_end: null }, now, 'UTC')).toEqual({ firstDay: '2026-11-01', lastDay: '2026-11-30', basis: 'month' });
    expect(projectionRange(null, now, 'UTC').basis).toBe('month');
    // Bounds that no longer hold now (a stale answer) give way to the month.
    expect(projectionRange({ period: null, period_start: '2026-09-01T00:00:00Z', period_end: '2026-10-01T00:00:00Z' }, now, 'UTC').basis).toBe('month');
  });
});

describe('capCrossingDate', () => {
  const flat = [1, 1, 1, 1, 1, 1, 1];
  const pace = (rate: number, weights = flat, today = '2026-11-10'): { rate: number; weights: number[]; today: string; todayElapsed: number } => ({ rate, weights, today, todayElapsed: 0 });
  it('finds the day the projected spend reaches the cap', () => {
    // $100 spent, $10 a day: today brings 110, … the 15th brings 160.
    expect(capCrossingDate(pace(10), $(100), $(160), '2026-11-30')).toBe('2026-11-15');
    expect(capCrossingDate(pace(10), $(100), $(110), '2026-11-30')).toBe('2026-11-10');
  });
  it('is today when the cap is already reached', () => {
    expect(capCrossingDate(pace(0), $(500), $(400), '2026-11-30')).toBe('2026-11-10');
  });
  it('is null when not this period or with no spend rate', () => {
    expect(capCrossingDate(pace(10), $(100), $(1_000), '2026-11-30')).toBeNull();
    expect(capCrossingDate(pace(0), $(100), $(200), '2026-11-30')).toBeNull();
  });
  it('follows the weekday pattern (nothing spent on weekends)', () => {
    const weights = [0, 1.4, 1.4, 1.4, 1.4, 1.4, 0];
    // Friday 2026-11-13 completes the cap only on Monday the 16th, skipping the weekend.
    expect(capCrossingDate(pace(1, weights, '2026-11-13'), nanos(0n), nanos(2_500_000_000n), '2026-11-30')).toBe('2026-11-16');
  });
});
