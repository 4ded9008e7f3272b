// Spend anomalies: for every day of a group's daily spend, what the days
// before it (and only those) said the day should cost, an interval at a
// level, and whether the day fell outside. Pure: no clock, no I/O. The method
// is described for users in docs/anomalies.md; in short:
//
//   - Work on x = ln(spend + c), c = max(--min-cost, 1 cent): spend varies
//     in proportion to its size, so a log scale makes a 3× day the same
//     distance from normal for a $20 and a $20,000 team, and c keeps amounts
//     far below --min-cost from looking volatile.
//   - The expected day is a level plus a weekday effect, estimated from the
//     WINDOW_DAYS before it: each weekday's effect is its median distance to
//     the median of its week (so a change of level moves no weekday), the
//     level the median of the last LEVEL_DAYS weekday-adjusted days.
//   - The spread is that of the one-step errors of the days before (the way
//     kt forecast calibrates its intervals on its own backtest), per weekday
//     shrunk towards all days (weekends, made of fewer requests, vary more),
//     and the interval uses Student's t for the number of errors it rests on.
//   - A sustained change each day of which stays inside its interval is
//     caught by a second test on the mean error of RUN_DAYS days, at a level
//     RUN_STRICTER times stricter.
//   - Robust to past anomalies: a day enters the history only after it has
//     been judged, an ordinary day with its error clipped to CLEAN_K spreads,
//     an anomaly at its expected value and out of the spread. A runaway day
//     neither drags the level up nor widens later intervals, so a second one
//     is still found; once most recent days are flagged the same way, the
//     level has moved, and days enter whole until it is learnt.
//
// Money enters and leaves exact (bigint nano-units); inside, the statistics
// run on floats (an expectation is an estimate).
import { addMoney, type Money, moneyFromFloat, moneyToFloat, ZERO } from './money.js';
import { normalQuantile } from './forecast.js';
import { addDays, weekdayOf } from './periods.js';

/** Days of history each expected day is estimated from: eight of each weekday. */
export const WINDOW_DAYS = 56;
/** Days the level is taken from (the weekday effects use the whole window). */
export const LEVEL_DAYS = 14;
/** Complete days a group needs before its first expected day: two of each weekday. */
export const MIN_HISTORY_DAYS = 14;
/** One-step errors needed before a day is judged (the first ones only calibrate the spread). */
export const MIN_ERRORS = 14;
/**
 * Days kt fetches before the first day of the range: a full window of cleaned
 * history whose every day was itself forecast, so the first day judged rests
 * on as much as the last. A group younger than this is judged once it has
 * MIN_HISTORY_DAYS + MIN_ERRORS days.
 */
export const BASELINE_DAYS = WINDOW_DAYS + MIN_HISTORY_DAYS;
/**
 * Errors are clipped at this many spreads before a day joins the history,
 * and before they enter the spread (clipped at 3, the spread was measured to
 * flag more ordinary days and find no more anomalies: docs/anomalies.md).
 */
export const CLEAN_K = 2;
/** Days of a run: a sustained change is judged on the mean error of this many days. */
export const RUN_DAYS = 3;
/** A run is judged at a level this many times stricter (99 % → 99.9 %): the single-day test has already spent the error budget. */
export const RUN_STRICTER = 10;
/**
 * A lasting change: when this many of the last SHIFT_WINDOW days (this one
 * included) are flagged the same way, the group's spend has moved and days
 * enter the history whole, so the new level is learnt.
 */
export const SHIFT_DAYS = 5;
export const SHIFT_WINDOW = 7;
/** Weight, in days, of the all-days spread in each weekday's spread. */
export const SHRINK_DAYS = 8;
/** The smallest spread (log scale): below it, differences are rounding. */
const MIN_SIGMA = 1e-3;
/** The floor of the log transform when --min-cost is 0: one cent. */
const MIN_FLOOR = 0.01;

export type Direction = 'spike' | 'drop';

export interface DaySpend {
  /** Local calendar date, YYYY-MM-DD. */
  date: string;
  cost: Money;
  requests: number;
}

export interface ScanInput {
  /** Complete days, oldest first; dates may skip (a day without a bucket spent nothing). */
  days: readonly DaySpend[];
  /** The last complete date: days after the last bucket up to it spent nothing. */
  through: string;
  /** The day after `through` while it is still running (today), if it is to be judged. */
  partial?: DaySpend | undefined;
  /** Interval level, a percentage strictly between 0 and 100. */
  levelPct: number;
  /** Spend below this never counts: a day is judged only when its actual or expected spend reaches it. */
  minCost: Money;
}

export interface DayVerdict {
  date: string;
  actual: Money;
  requests: number;
  /** The typical (median) day the history expects. */
  expected: Money;
  lower: Money;
  upper: Money;
  /** How far the day is from expected, in the model's own spread (σ on the log scale). */
  score: number;
  /** Outside the interval (and not ignored as too small), or null. */
  direction: Direction | null;
  /**
   * day: the day alone is outside its interval; run: the day and the
   * RUN_DAYS − 1 before it are together outside theirs (a sustained change
   * each day of which may be within its own interval). null when not flagged.
   */
  kind: 'day' | 'run' | null;
  /** The day is still running: compared as if it were whole, and never a drop. */
  partial: boolean;
}

/** What the history says about one day. */
export interface DayExpectation {
  /** Expected log spend. */
  center: number;
  /** Spread of the log spend (σ). */
  sigma: number;
  /** Half-width of the interval in spreads (a t quantile). */
  quantile: number;
  /** The same for a run of RUN_DAYS days, at the stricter level. */
  runQuantile: number;
}

/**
 * Every day that has enough history before it, judged against it; warm-up
 * days (the first MIN_HISTORY_DAYS + MIN_ERRORS of a group) have no verdict.
 * The partial day, if given and judged, comes last.
 */
export function scanDays(input: ScanInput): DayVerdict[] {
  const model = new DayModel(input.levelPct, input.minCost);
  const verdicts: DayVerdict[] = [];
  for (const day of fillDays(input.days, input.through)) {
    const judged = model.observe(day);
    if (judged !== null) verdicts.push(judged);
  }
  if (input.partial !== undefined) {
    const judged = model.judgePartial(input.partial);
    if (judged !== null) verdicts.push(judged);
  }
  return verdicts;
}

/** Consecutive days from the first given one to `through`, zero where no bucket was given. */
export function fillDays(days: readonly DaySpend[], through: string): DaySpend[] {
  const first = days[0];
  if (first === undefined) return [];
  const byDate = new Map<string, DaySpend>();
  for (const d of days) {
    const seen = byDate.get(d.date);
    byDate.set(d.date, seen === undefined ? d : { date: d.date, cost: addMoney(seen.cost, d.cost), requests: seen.requests + d.requests });
  }
  const out: DaySpend[] = [];
  // A range is at most a few hundred days; the bound only guards a malformed date.
  for (let date = first.date, i = 0; date <= through && i < 20_000; date = addDays(date, 1), i++) {
    out.push(byDate.get(date) ?? { date, cost: ZERO, requests: 0 });
  }
  return out;
}

/** A complete day after it was judged: its raw error and the spread it was judged with. */
interface PastError {
  weekday: number;
  /** Error clipped to CLEAN_K spreads: what the spread and runs are estimated from. */
  clipped: number;
  /** The whole error, and the spread of the day (NaN while the spread was unknown). */
  raw: number;
  sigma: number;
  /** The day's verdict: anomalies are kept out of the spread. */
  direction: Direction | null;
}

/**
 * The sequential model of one group: days are observed oldest first, each
 * judged on the cleaned history before it and then added to it.
 */
export class DayModel {
  /** Cleaned log spend, oldest first, and the weekday of each day. */
  private readonly history: number[] = [];
  private readonly weekdays: number[] = [];
  /** One entry per history day; null for the days before the first expectation. */
  private readonly errors: Array<PastError | null> = [];
  private readonly floor: number;
  private readonly quantileP: number;
  private readonly runP: number;
  /** What clipping at CLEAN_K and leaving out the days beyond the interval leave of the variance. */
  private readonly clippedShare: number;

  constructor(
    levelPct: number,
    private readonly minCost: Money,
  ) {
    this.floor = Math.max(MIN_FLOOR, moneyToFloat(minCost));
    const level = Math.min(99.9999, Math.max(0.0001, levelPct)) / 100;
    this.quantileP = 0.5 + level / 2;
    this.runP = 1 - (1 - level) / RUN_STRICTER / 2;
    this.clippedShare = clippedVariance(CLEAN_K, normalQuantile(this.quantileP));
  }

  private log(cost: Money): number {
    return Math.log(Math.max(0, moneyToFloat(cost)) + this.floor);
  }

  private unlog(x: number): Money {
    return moneyFromFloat(Math.max(0, Math.exp(x) - this.floor));
  }

  /** The expectation for the next day, a `weekday` (0 = Sunday); null before MIN_HISTORY_DAYS. */
  expect(weekday: number): DayExpectation | null {
    const n = this.history.length;
    if (n < MIN_HISTORY_DAYS) return null;
    const from = Math.max(0, n - WINDOW_DAYS);
    const values = this.history.slice(from);
    const weekdays = this.weekdays.slice(from);
    // No trend term: measured, one estimated from eight weeks adds more noise
    // than the lag of a 14-day median it would remove (docs/anomalies.md).
    const effects = weekdayEffects(values, weekdays);
    const plain = values.map((x, i) => x - (effects[weekdays[i] ?? 0] ?? 0));
    const center = median(plain.slice(-LEVEL_DAYS)) + (effects[weekday] ?? 0);
    const spread = this.spread(weekday);
    if (spread === null) return { center, sigma: Number.NaN, quantile: Number.NaN, runQuantile: Number.NaN };
    return {
      center,
      sigma: spread.sigma,
      quantile: studentQuantile(this.quantileP, spread.dof),
      // A run mixes weekdays: its spread rests on all the days' errors.
      runQuantile: studentQuantile(this.runP, spread.pooledDof),
    };
  }

  /**
   * Per-weekday spread of the recent clipped errors of ordinary days, shrunk
   * towards the spread of all days; null with too few errors. Days flagged as
   * anomalies are left out, so they never widen the intervals after them; the
   * correction for clipping accounts for the tails thus cut off (without it,
   * the spread shrinks and flags more, the more so at lower levels).
   */
  private spread(weekday: number): { sigma: number; dof: number; pooledDof: number } | null {
    let all = 0;
    let total = 0;
    let own = 0;
    let count = 0;
    for (const e of this.errors.slice(-WINDOW_DAYS)) {
      if (e === null || e.direction !== null) continue;
      const square = e.clipped * e.clipped;
      all += square;
      total += 1;
      if (e.weekday === weekday) {
        own += square;
        count += 1;
      }
    }
    if (total < MIN_ERRORS) return null;
    // A weekday's own errors are few: the all-days spread counts for SHRINK_DAYS more of them.
    const variance = (own + (SHRINK_DAYS * all) / total) / (count + SHRINK_DAYS) / this.clippedShare;
    // Degrees of freedom of that blend (Satterthwaite): between the weekday's count and all days'.
    const ownShare = count / (count + SHRINK_DAYS);
    const poolShare = 1 - ownShare;
    const dof = 1 / ((count > 0 ? ownShare ** 2 / count : 0) + poolShare ** 2 / total);
    return { sigma: Math.max(MIN_SIGMA, Math.sqrt(variance)), dof, pooledDof: total };
  }

  /** Judges a complete day on the history so far, then adds it to the history. */
  observe(day: DaySpend): DayVerdict | null {
    const weekday = weekdayOf(day.date);
    const expectation = this.expect(weekday);
    const x = this.log(day.cost);
    if (expectation === null) {
      this.push(x, weekday, null);
      return null;
    }
    const verdict = this.verdict(day, x, expectation, false);
    const error = x - expectation.center;
    const known = Number.isFinite(expectation.sigma);
    const direction = verdict?.direction ?? null;
    let kept: number;
    if (!known) {
      // Until the spread is known, days are taken whole (the warm-up has only medians to lean on).
      kept = error;
    } else if (direction === null) {
      kept = Math.max(-CLEAN_K * expectation.sigma, Math.min(CLEAN_K * expectation.sigma, error));
    } else {
      // An anomaly adds nothing to the level, unless most recent days say the level itself has moved.
      kept = this.shifted(direction) ? error : 0;
    }
    const clipped = known ? Math.max(-CLEAN_K * expectation.sigma, Math.min(CLEAN_K * expectation.sigma, error)) : error;
    this.push(expectation.center + kept, weekday, { weekday, clipped, raw: error, sigma: known ? expectation.sigma : Number.NaN, direction });
    return verdict;
  }

  /** Whether, with today flagged `direction`, SHIFT_DAYS of the last SHIFT_WINDOW days are flagged that way. */
  private shifted(direction: Direction): boolean {
    let same = 1;
    for (const e of this.errors.slice(-(SHIFT_WINDOW - 1))) if (e?.direction === direction) same += 1;
    return same >= SHIFT_DAYS;
  }

  /** Judges today's incomplete day as if it were whole: a spike only once it already exceeds a whole day's interval, never a drop. */
  judgePartial(day: DaySpend): DayVerdict | null {
    const expectation = this.expect(weekdayOf(day.date));
    if (expectation === null) return null;
    return this.verdict(day, this.log(day.cost), expectation, true);
  }

  private push(x: number, weekday: number, error: PastError | null): void {
    this.history.push(x);
    this.weekdays.push(weekday);
    this.errors.push(error);
  }

  private verdict(day: DaySpend, x: number, expectation: DayExpectation, partial: boolean): DayVerdict | null {
    const { center, sigma, quantile } = expectation;
    if (!Number.isFinite(sigma)) return null;
    const error = x - center;
    const expected = this.unlog(center);
    const big = day.cost >= this.minCost || expected >= this.minCost;
    let direction: Direction | null = error > quantile * sigma ? 'spike' : !partial && error < -quantile * sigma ? 'drop' : null;
    let kind: DayVerdict['kind'] = direction === null ? null : 'day';
    let score = Math.abs(error) / sigma;
    const run = partial ? null : this.run(error, sigma, expectation.runQuantile);
    if (direction === null && run !== null) {
      direction = run.direction;
      kind = 'run';
      score = run.score;
    }
    if (!big) {
      direction = null;
      kind = null;
    }
    return {
      date: day.date,
      actual: day.cost,
      requests: day.requests,
      expected,
      lower: this.unlog(center - quantile * sigma),
      upper: this.unlog(center + quantile * sigma),
      score,
      direction,
      kind,
      partial,
    };
  }

  /**
   * The run test: the mean error of this day and the RUN_DAYS − 1 before it
   * (their errors clipped), all on the same side, against the spread of such
   * a mean at the stricter level.
   */
  private run(error: number, sigma: number, quantile: number): { direction: Direction; score: number } | null {
    const before = this.errors.slice(-(RUN_DAYS - 1));
    if (before.length < RUN_DAYS - 1) return null;
    let sum = error;
    let variance = sigma * sigma;
    for (const e of before) {
      if (e === null || !Number.isFinite(e.sigma) || Math.sign(e.raw) !== Math.sign(error)) return null;
      // Clipped, like everything in the history: one runaway day does not make the two after it a run.
      sum += e.clipped;
      variance += e.sigma * e.sigma;
    }
    const spread = Math.sqrt(variance) / RUN_DAYS;
    const score = Math.abs(sum / RUN_DAYS) / spread;
    if (score <= quantile) return null;
    return { direction: error > 0 ? 'spike' : 'drop', score };
  }
}

/**
 * E[min(Z², k²) | |Z| < q] for a standard normal Z: what is left of the
 * variance when errors are clipped at k spreads and those beyond q (the
 * days flagged) are left out. q = ∞ leaves nothing out.
 */
export function clippedVariance(k: number, q = Number.POSITIVE_INFINITY): number {
  const density = (x: number): number => Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);
  const outside = Number.isFinite(q) ? 2 * upperTail(q) : 0;
  // E[min(Z², k²)] = P(|Z| < k) − 2kφ(k) + k²·P(|Z| > k); the days beyond q ≥ k each took k² of it.
  const clipped = 1 - 2 * upperTail(k) - 2 * k * density(k) + 2 * k * k * upperTail(k);
  const inside = q >= k ? clipped - k * k * outside : 1 - outside - 2 * q * density(q);
  return inside / (1 - outside);
}

/** P(Z > k) for a standard normal Z (Abramowitz & Stegun 7.1.26 through erfc; error below 1.5e-7). */
function upperTail(k: number): number {
  const x = k / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return x >= 0 ? erfc / 2 : 1 - erfc / 2;
}


/**
 * The p quantile of Student's t with `dof` degrees of freedom, by the
 * Cornish–Fisher expansion around the normal quantile (Abramowitz & Stegun
 * 26.7.5); within 0.2 % of the exact value from 5 degrees of freedom on.
 */
export function studentQuantile(p: number, dof: number): number {
  const z = normalQuantile(p);
  if (!Number.isFinite(dof) || dof > 1e6) return z;
  const v = Math.max(3, dof);
  const z2 = z * z;
  const g1 = (z2 + 1) * z / 4;
  const g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
  const g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
  const g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
  return z + g1 / v + g2 / v ** 2 + g3 / v ** 3 + g4 / v ** 4;
}

/**
 * Weekday effects (0 = Sunday): how far each weekday sits from the median of
 * its week, the median over the window's whole weeks (counted back from the
 * last day), less the mean of the seven. Measured against each week's own
 * level, a change of level shifts no weekday; 0 for a weekday not seen.
 */
export function weekdayEffects(values: readonly number[], weekdays: readonly number[]): number[] {
  const byDay: number[][] = [[], [], [], [], [], [], []];
  for (let end = values.length; end - 7 >= 0; end -= 7) {
    const week = values.slice(end - 7, end);
    const middle = median(week);
    week.forEach((x, j) => byDay[weekdays[end - 7 + j] ?? 0]?.push(x - middle));
  }
  const medians = byDay.map((xs) => (xs.length > 0 ? median(xs) : null));
  const seen = medians.filter((m): m is number => m !== null);
  const mean = seen.length > 0 ? seen.reduce((a, b) => a + b, 0) / seen.length : 0;
  return medians.map((m) => (m === null ? 0 : m - mean));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** One day of one group, as the daily aggregates give it. */
export interface GroupDay extends DaySpend {
  /** The group's key values, e.g. { team: 'search' }. */
  group: Readonly<Record<string, string | null>>;
}

export interface GroupScanOptions {
  /** The group keys, in order: a group's identity is its values of these. */
  groupBy: readonly string[];
  /** First date of the range reported (the days before are history only). */
  from: string;
  /** Last complete date. */
  through: string;
  /** Today's date while it is still running (judged as a partial day), if the range reaches it. */
  partialDate?: string | undefined;
  levelPct: number;
  minCost: Money;
}

export interface GroupScan {
  id: string;
  group: Readonly<Record<string, string | null>>;
  /** Verdicts on the days of the range, oldest first (the partial day last). */
  verdicts: DayVerdict[];
}

/** A group's identity: its key values in --group-by order. */
export function groupId(group: Readonly<Record<string, string | null>>, groupBy: readonly string[]): string {
  return JSON.stringify(groupBy.map((k) => group[k] ?? null));
}

/** Every group's days judged; groups ordered by their key values. */
export function scanGroups(days: readonly GroupDay[], options: GroupScanOptions): GroupScan[] {
  const groups = new Map<string, { group: GroupDay['group']; days: DaySpend[]; partial: DaySpend | undefined }>();
  for (const day of days) {
    const id = groupId(day.group, options.groupBy);
    let entry = groups.get(id);
    if (entry === undefined) {
      entry = { group: day.group, days: [], partial: undefined };
      groups.set(id, entry);
    }
    const spend = { date: day.date, cost: day.cost, requests: day.requests };
    if (day.date === options.partialDate) {
      entry.partial = entry.partial === undefined ? spend : { ...spend, cost: addMoney(entry.partial.cost, spend.cost), requests: entry.partial.requests + spend.requests };
    } else if (day.date <= options.through) {
      entry.days.push(spend);
    }
  }
  const out: GroupScan[] = [];
  for (const [id, entry] of [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    entry.days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    // A group first seen today has no history: its partial day alone says nothing.
    const partial = entry.days.length > 0 ? (entry.partial ?? (options.partialDate === undefined ? undefined : { date: options.partialDate, cost: ZERO, requests: 0 })) : undefined;
    const verdicts = scanDays({ days: entry.days, through: options.through, partial, levelPct: options.levelPct, minCost: options.minCost });
    out.push({ id, group: entry.group, verdicts: verdicts.filter((v) => v.date >= options.from) });
  }
  return out;
}
