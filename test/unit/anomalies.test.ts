// The anomaly detector on constructed series: a weekly pattern with a fixed,
// seeded day-to-day noise, and the anomalies put in by hand.
import { describe, expect, it } from 'vitest';
import {
  BASELINE_DAYS,
  clippedVariance,
  fillDays,
  MIN_ERRORS,
  MIN_HISTORY_DAYS,
  scanDays,
  scanGroups,
  studentQuantile,
  weekdayEffects,
  type DaySpend,
  type DayVerdict,
} from '../../src/domain/anomalies.js';
import { normalQuantile } from '../../src/domain/forecast.js';
import { addDays } from '../../src/domain/periods.js';
import { type Money, moneyToFloat, nanos, subtractMoney, units, ZERO } from '../../src/domain/money.js';

const START = '2026-01-05'; // a Monday

/** Seeded standard normal draws (Park–Miller + Box–Muller): the same every run. */
function noise(seed: number): () => number {
  let s = seed;
  const next = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
}

/** n days from START: `spend(i, weekday)` dollars times a log-normal noise of spread `sigma`. */
function series(n: number, spend: (i: number, weekday: number) => number, sigma = 0.1, seed = 7): DaySpend[] {
  const z = noise(seed);
  return Array.from({ length: n }, (_, i) => {
    const date = addDays(START, i);
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    return { date, cost: nanos(BigInt(Math.round(spend(i, weekday) * Math.exp(sigma * z()) * 1e9))), requests: 100 };
  });
}

/** Weekdays $1,000, Saturday $200, Sunday $150. */
const office = (_i: number, weekday: number): number => (weekday === 6 ? 200 : weekday === 0 ? 150 : 1000);

function scan(days: readonly DaySpend[], extra: { levelPct?: number; minCost?: Money; partial?: DaySpend } = {}): DayVerdict[] {
  return scanDays({ days, through: days[days.length - 1]?.date ?? START, levelPct: extra.levelPct ?? 99, minCost: extra.minCost ?? units(1), partial: extra.partial });
}

const byDate = (verdicts: readonly DayVerdict[]): Map<string, DayVerdict> => new Map(verdicts.map((v) => [v.date, v]));
const times = (day: DaySpend, factor: number): DaySpend => ({ ...day, cost: nanos(BigInt(Math.round(Number(day.cost) * factor))) });
const flagged = (verdicts: readonly DayVerdict[]): DayVerdict[] => verdicts.filter((v) => v.direction !== null);

describe('scanDays', () => {
  it('judges a day only after MIN_HISTORY_DAYS + MIN_ERRORS days of history', () => {
    const verdicts = scan(series(40, office));
    expect(verdicts[0]?.date).toBe(addDays(START, MIN_HISTORY_DAYS + MIN_ERRORS));
    expect(verdicts).toHaveLength(40 - MIN_HISTORY_DAYS - MIN_ERRORS);
    expect(scan(series(MIN_HISTORY_DAYS + MIN_ERRORS, office))).toEqual([]);
  });

  it('an ordinary office series: weekends expected at their own level, nothing flagged', () => {
    const verdicts = scan(series(100, office));
    expect(flagged(verdicts)).toEqual([]);
    const saturday = verdicts.find((v) => new Date(`${v.date}T00:00:00Z`).getUTCDay() === 6);
    const monday = verdicts.find((v) => new Date(`${v.date}T00:00:00Z`).getUTCDay() === 1);
    // The expected day is the typical one: within noise of the truth.
    expect(moneyToFloat(saturday?.expected ?? ZERO)).toBeGreaterThan(170);
    expect(moneyToFloat(saturday?.expected ?? ZERO)).toBeLessThan(230);
    expect(moneyToFloat(monday?.expected ?? ZERO)).toBeGreaterThan(900);
    expect(moneyToFloat(monday?.expected ?? ZERO)).toBeLessThan(1100);
    // Every interval holds its expected day.
    for (const v of verdicts) expect(v.lower <= v.expected && v.expected <= v.upper).toBe(true);
  });

  it('a quiet Saturday is not an anomaly, but a Saturday spending a weekday is', () => {
    const days = series(100, office);
    const saturday = days.findIndex((d, i) => i >= 80 && new Date(`${d.date}T00:00:00Z`).getUTCDay() === 6);
    const quiet = byDate(scan(days)).get(days[saturday]?.date ?? '');
    expect(quiet?.direction).toBeNull();
    days[saturday] = times(days[saturday] as DaySpend, 5);
    const busy = byDate(scan(days)).get(days[saturday]?.date ?? '');
    expect(busy).toMatchObject({ direction: 'spike', kind: 'day' });
  });

  it('a 3× day is a spike; its score is its distance from expected in spreads', () => {
    const days = series(100, office);
    days[90] = times(days[90] as DaySpend, 3);
    const v = byDate(scan(days)).get(days[90]?.date ?? '');
    expect(v).toMatchObject({ direction: 'spike', kind: 'day', partial: false, requests: 100 });
    expect((v?.actual ?? 0n) > (v?.upper ?? 0n)).toBe(true);
    // ln 3 ≈ 1.1 at a spread near 0.1: a score near 11.
    expect(v?.score).toBeGreaterThan(6);
    expect(flagged(scan(days)).map((f) => f.date)).toEqual([days[90]?.date]);
  });

  it('a day without spend in an active group is a drop', () => {
    const days = series(100, office).filter((_, i) => i !== 86); // no bucket that day
    const v = byDate(scan(days)).get(addDays(START, 86));
    expect(v).toMatchObject({ direction: 'drop', actual: 0n, requests: 0 });
    expect(v?.lower).toBeGreaterThan(0n);
  });

  it('uses only the days before: changing later days never changes an earlier verdict', () => {
    const days = series(100, office);
    const before = scan(days).filter((v) => v.date < addDays(START, 85));
    const changed = days.map((d, i) => (i >= 85 ? times(d, i % 2 === 0 ? 10 : 0.1) : d));
    expect(scan(changed).filter((v) => v.date < addDays(START, 85))).toEqual(before);
  });

  it('one runaway day neither widens the intervals after it nor hides a second one', () => {
    const days = series(100, office);
    const plain = byDate(scan(days));
    days[80] = times(days[80] as DaySpend, 20);
    days[84] = times(days[84] as DaySpend, 3);
    const after = byDate(scan(days));
    expect(after.get(days[80]?.date ?? '')?.direction).toBe('spike');
    expect(after.get(days[84]?.date ?? '')?.direction).toBe('spike');
    // The same weekday a week later: the same interval as without the runaway day.
    const later = days[87]?.date ?? '';
    const width = (v: DayVerdict | undefined): number => moneyToFloat(subtractMoney(v?.upper ?? ZERO, v?.lower ?? ZERO));
    expect(width(after.get(later)) / width(plain.get(later))).toBeCloseTo(1, 1);
    expect(flagged(scan(days)).map((v) => v.date)).toEqual([days[80]?.date, days[84]?.date]);
  });

  it('a run of days each just inside its interval is flagged as a run on its third day', () => {
    const days = series(100, office);
    // Push three days in turn to 85 % of the way to the upper bound they are judged against, on
    // the detector's scale: ln(spend + $1), $1 being --min-cost.
    const log = (m: Money): number => Math.log(moneyToFloat(m) + 1);
    for (const i of [86, 87, 88]) {
      const v = byDate(scan(days.slice(0, i + 1))).get(days[i]?.date ?? '') as DayVerdict;
      const x = log(v.expected) + 0.85 * (log(v.upper) - log(v.expected));
      days[i] = { ...(days[i] as DaySpend), cost: nanos(BigInt(Math.round((Math.exp(x) - 1) * 1e9))) };
    }
    const verdicts = byDate(scan(days));
    const third = verdicts.get(days[88]?.date ?? '');
    expect(third).toMatchObject({ direction: 'spike', kind: 'run' });
    expect((third?.actual ?? 0n) < (third?.upper ?? 0n)).toBe(true);
    expect(verdicts.get(days[86]?.date ?? '')?.direction).toBeNull();
  });

  it('a sustained 2× week is found on most of its days, and the days after it are not drops', () => {
    const days = series(100, (i, weekday) => office(i, weekday) * (i >= 80 && i < 87 ? 2 : 1), 0.15);
    const verdicts = scan(days);
    const week = verdicts.filter((v) => v.date >= addDays(START, 80) && v.date < addDays(START, 87));
    expect(week.filter((v) => v.direction === 'spike').length).toBeGreaterThanOrEqual(5);
    expect(verdicts.filter((v) => v.date >= addDays(START, 87) && v.direction !== null)).toEqual([]);
  });

  it('a lasting change is learnt: a doubling is flagged at first, then becomes the norm', () => {
    const days = series(130, (i, weekday) => office(i, weekday) * (i >= 75 ? 2 : 1));
    const verdicts = scan(days);
    expect(verdicts.find((v) => v.date === addDays(START, 75))?.direction).toBe('spike');
    // Two weeks on, the expected day is the new level (within the estimate's own noise) …
    const learnt = verdicts.filter((v) => v.date >= addDays(START, 90));
    for (const v of learnt) {
      const weekday = new Date(`${v.date}T00:00:00Z`).getUTCDay();
      expect(moneyToFloat(v.expected) / (2 * office(0, weekday))).toBeGreaterThan(0.8);
      expect(moneyToFloat(v.expected) / (2 * office(0, weekday))).toBeLessThan(1.2);
    }
    // … and the days of the new level are ordinary: no more flagged than a 99 % interval lets through by chance.
    expect(flagged(learnt).length).toBeLessThanOrEqual(2);
  });

  it('--min-cost: a group too small to matter is never flagged, unless it stops being small', () => {
    const small = series(100, (i, weekday) => office(i, weekday) / 2_000); // $0.50 on weekdays
    small[90] = times(small[90] as DaySpend, 1.8);
    expect(flagged(scan(small))).toEqual([]);
    small[90] = times(small[90], 100);
    expect(flagged(scan(small)).map((v) => v.date)).toEqual([small[90]?.date]);
    // With --min-cost 0, the small group is judged like any other.
    const tiny = series(100, (i, weekday) => office(i, weekday) / 2_000);
    tiny[90] = times(tiny[90] as DaySpend, 3);
    expect(flagged(scan(tiny, { minCost: ZERO })).map((v) => v.date)).toEqual([tiny[90]?.date]);
  });

  it("today's partial day: never a drop, a spike only once it exceeds a whole day's interval", () => {
    const days = series(99, office);
    const today = addDays(START, 99);
    const whole = byDate(scan(days, { partial: { date: today, cost: nanos(0n), requests: 0 } })).get(today);
    expect(whole).toMatchObject({ partial: true, direction: null, actual: 0n });
    const upper = whole?.upper ?? 0n;
    const under = scan(days, { partial: { date: today, cost: nanos((upper * 9n) / 10n), requests: 5 } }).at(-1);
    expect(under).toMatchObject({ date: today, partial: true, direction: null });
    const over = scan(days, { partial: { date: today, cost: nanos(upper * 2n), requests: 5 } }).at(-1);
    expect(over).toMatchObject({ date: today, partial: true, direction: 'spike', kind: 'day' });
    // The partial day joins no history: the complete days' verdicts are the same with or without it.
    expect(scan(days, { partial: { date: today, cost: nanos(upper * 2n), requests: 5 } }).slice(0, -1)).toEqual(scan(days));
  });

  it('a higher level flags fewer days', () => {
    const days = series(100, office, 0.25, 11);
    const count = (level: number): number => flagged(scan(days, { levelPct: level })).length;
    expect(count(80)).toBeGreaterThan(count(99));
    expect(count(99)).toBeGreaterThanOrEqual(count(99.9));
  });

  it('BASELINE_DAYS is a full window of judged history', () => {
    expect(BASELINE_DAYS).toBe(70);
  });
});

describe('fillDays', () => {
  it('fills missing days and the days after the last bucket with zero spend, merging repeated dates', () => {
    const days = fillDays(
      [
        { date: '2026-03-01', cost: nanos(5n), requests: 1 },
        { date: '2026-03-03', cost: nanos(7n), requests: 2 },
        { date: '2026-03-03', cost: nanos(1n), requests: 1 },
      ],
      '2026-03-05',
    );
    expect(days).toEqual([
      { date: '2026-03-01', cost: 5n, requests: 1 },
      { date: '2026-03-02', cost: 0n, requests: 0 },
      { date: '2026-03-03', cost: 8n, requests: 3 },
      { date: '2026-03-04', cost: 0n, requests: 0 },
      { date: '2026-03-05', cost: 0n, requests: 0 },
    ]);
    expect(fillDays([], '2026-03-05')).toEqual([]);
  });
});

describe('scanGroups', () => {
  it('judges each group apart, reports from `from` on, and the partial day last', () => {
    const days = series(101, office);
    const rows = [
      ...days.slice(0, 100).map((d) => ({ ...d, group: { team: 'search' } })),
      ...days.slice(0, 100).map((d, i) => ({ ...(i === 95 ? times(d, 4) : d), group: { team: 'ads' } })),
      { ...(days[100] as DaySpend), group: { team: 'search' } },
    ];
    const scans = scanGroups(rows, { groupBy: ['team'], from: addDays(START, 90), through: addDays(START, 99), partialDate: addDays(START, 100), levelPct: 99, minCost: units(1) });
    expect(scans.map((s) => s.group)).toEqual([{ team: 'ads' }, { team: 'search' }]);
    const [ads, search] = scans;
    expect(ads?.verdicts.map((v) => v.date)).toEqual([...Array.from({ length: 10 }, (_, i) => addDays(START, 90 + i)), addDays(START, 100)]);
    expect(flagged(ads?.verdicts ?? []).map((v) => v.date)).toEqual([addDays(START, 95)]);
    // ads has no bucket today: its running day has spent nothing so far, and that is no drop.
    expect(ads?.verdicts.at(-1)).toMatchObject({ partial: true, actual: 0n, direction: null });
    expect(search?.verdicts.at(-1)).toMatchObject({ partial: true, date: addDays(START, 100) });
    expect(flagged(search?.verdicts ?? [])).toEqual([]);
  });
});

describe('the statistics', () => {
  it("studentQuantile matches Student's t tables and tends to the normal quantile", () => {
    expect(studentQuantile(0.975, 10)).toBeCloseTo(2.228, 2);
    expect(studentQuantile(0.995, 20)).toBeCloseTo(2.845, 2);
    expect(studentQuantile(0.995, 8)).toBeCloseTo(3.355, 1);
    expect(studentQuantile(0.995, Infinity)).toBeCloseTo(normalQuantile(0.995), 9);
  });

  it('clippedVariance: what clipping (and cutting off the tails) leaves of a normal variance', () => {
    expect(clippedVariance(10)).toBeCloseTo(1, 6);
    expect(clippedVariance(2)).toBeCloseTo(0.9205, 3);
    // Numerically: E[min(Z², 4) | |Z| < 2.576] by the midpoint rule.
    const q = 2.576;
    let num = 0;
    let den = 0;
    for (let x = -q; x < q; x += 1e-4) {
      const m = x + 5e-5;
      const p = (Math.exp((-m * m) / 2) / Math.sqrt(2 * Math.PI)) * 1e-4;
      num += Math.min(m * m, 4) * p;
      den += p;
    }
    expect(clippedVariance(2, q)).toBeCloseTo(num / den, 3);
    expect(clippedVariance(2, 1.5)).toBeLessThan(clippedVariance(2, q));
  });

  it("weekdayEffects: against each week's own level, so a change of level shifts no weekday", () => {
    // Weekends one lower; the level jumps by 3 half-way through the third week.
    const values = Array.from({ length: 28 }, (_, i) => (i % 7 === 5 || i % 7 === 6 ? 1 : 2) + (i >= 17 ? 3 : 0));
    const weekdays = values.map((_, i) => (i + 1) % 7); // day 0 is a Monday
    const effects = weekdayEffects(values, weekdays);
    expect((effects[1] ?? 0) - (effects[6] ?? 0)).toBeCloseTo(1, 6);
    expect((effects[1] ?? 0) - (effects[5] ?? 0)).toBeCloseTo(0, 6);
    expect(effects.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 9);
  });
});
