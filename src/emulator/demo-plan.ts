// The demo organisation's plan: the product document's wallets, what each
// team runs (workloads), how much it spends each day of a year, and one
// incident. Pure arithmetic on `now`: demo-requests.ts turns a day's plan into
// requests, seed.ts into events, hourly rollups and ledger rows.
//
// The shape (docs/emulator.md § Demo data):
// - 12 full calendar months of history plus the current month, from 00:00 UTC
//   on the 1st of the month twelve months back;
// - each team's spend in the last full month is a fixed share of its
//   allocation (customer-support past its $6,000 soft cap), earlier months
//   follow each team's monthly growth with a few percent of variation, and
//   customer-support runs hotter still this month (on course to cross its
//   soft cap whatever the day);
// - weekdays spend about three times a weekend day, with ±4% day-to-day noise (and the requests' own);
// - one runaway agent: the ML team at five times its normal day, 12–14 days
//   before now, on a weekday.
import { units, type Money } from '../domain/money.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
const $ = (whole: number): Money => units(whole);

/** The product document's hierarchy and spend controls. */
export const DEMO_WALLETS: ReadonlyArray<{
  team_id: string;
  name: string;
  parent_id: string | null;
  allocation: Money;
  soft_cap?: Money;
  hard_cap?: Money;
}> = [
  { team_id: 'org', name: 'Organization', parent_id: null, allocation: $(50_000) },
  { team_id: 'engineering', name: 'Engineering', parent_id: 'org', allocation: $(25_000) },
  { team_id: 'search', name: 'Search', parent_id: 'engineering', allocation: $(10_000), soft_cap: $(8_000), hard_cap: $(10_000) },
  { team_id: 'platform', name: 'Platform', parent_id: 'engineering', allocation: $(8_000) },
  { team_id: 'ml', name: 'ML', parent_id: 'engineering', allocation: $(7_000) },
  { team_id: 'product', name: 'Product', parent_id: 'org', allocation: $(15_000) },
  { team_id: 'customer-support', name: 'Customer Support', parent_id: 'product', allocation: $(8_000), soft_cap: $(6_000), hard_cap: $(8_000) },
  { team_id: 'analytics', name: 'Analytics', parent_id: 'product', allocation: $(7_000) },
  { team_id: 'operations', name: 'Operations', parent_id: 'org', allocation: $(10_000) },
  { team_id: 'devops', name: 'DevOps', parent_id: 'operations', allocation: $(5_000) },
  { team_id: 'security', name: 'Security', parent_id: 'operations', allocation: $(5_000) },
];

/** Context window and output limit per model (tokens). */
export const MODEL_LIMITS: Readonly<Record<string, { context: number; output: number }>> = {
  'gpt-4o': { context: 128_000, output: 16_384 },
  'gpt-4o-mini': { context: 128_000, output: 16_384 },
  'claude-sonnet': { context: 200_000, output: 8_192 },
  'claude-haiku': { context: 200_000, output: 8_192 },
};

/** Log-normal token counts: the median and the spread (sigma of the log). */
interface TokenShape {
  median: number;
  sigma: number;
}

/** One kind of request a team sends. */
export interface Workload {
  name: WorkloadName;
  provider: string;
  model: string;
  input: TokenShape;
  output: TokenShape;
  /** Share of the requests that pass the policy and are answered from the cache. */
  cacheRate: number;
}

export const WORKLOAD_NAMES = ['retrieval', 'agent', 'chat', 'drafting', 'writing', 'summarize', 'extract'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

/**
 * The request kinds, sized like the work they stand for. Long-context
 * retrieval on gpt-4o (36k tokens of documents, a short answer: about $0.10)
 * and agent steps on claude-sonnet (a 60k-token context: about $0.20) carry
 * most of the bill; chat, drafting, writing, summaries and extraction cost
 * from a fraction of a cent to a few cents. Retrieval and chat answers fit
 * gpt-4o-mini's 1,000-token max_tokens, so the document's routing rule moves
 * them; drafting's long answers do not.
 */
export const WORKLOADS: readonly Workload[] = [
  { name: 'retrieval', provider: 'openai', model: 'gpt-4o', input: { median: 38_000, sigma: 0.5 }, output: { median: 380, sigma: 0.45 }, cacheRate: 0.34 },
  { name: 'agent', provider: 'anthropic', model: 'claude-sonnet', input: { median: 60_000, sigma: 0.5 }, output: { median: 1_300, sigma: 0.5 }, cacheRate: 0.1 },
  { name: 'chat', provider: 'openai', model: 'gpt-4o', input: { median: 2_500, sigma: 0.8 }, output: { median: 320, sigma: 0.5 }, cacheRate: 0.35 },
  { name: 'drafting', provider: 'openai', model: 'gpt-4o', input: { median: 5_000, sigma: 0.6 }, output: { median: 2_300, sigma: 0.3 }, cacheRate: 0.12 },
  { name: 'writing', provider: 'anthropic', model: 'claude-sonnet', input: { median: 3_500, sigma: 0.6 }, output: { median: 1_600, sigma: 0.4 }, cacheRate: 0.15 },
  { name: 'summarize', provider: 'anthropic', model: 'claude-haiku', input: { median: 9_000, sigma: 0.6 }, output: { median: 450, sigma: 0.4 }, cacheRate: 0.4 },
  { name: 'extract', provider: 'openai', model: 'gpt-4o-mini', input: { median: 12_000, sigma: 0.7 }, output: { median: 250, sigma: 0.5 }, cacheRate: 0.38 },
];

/** Share of requests a policy blocks before the provider is called (cost 0, no output). */
export const BLOCKED_SHARE = 0.03;

export interface TeamPlan {
  team: string;
  /** Spend in the last full month as a share of the monthly allocation. */
  lastMonthShare: number;
  /** Growth per month, compounded. */
  growth: number;
  /** This month's level over the trend (1: on trend). */
  currentMonth: number;
  /** Share of the team's requests per workload, in WORKLOADS order. */
  mix: readonly number[];
  /** People sending requests (user ids `<team>-user-N`). */
  users: number;
}

// Mixes in WORKLOADS order: retrieval, agent, chat, drafting, writing, summarize, extract.
export const TEAM_PLANS: readonly TeamPlan[] = [
  { team: 'search', lastMonthShare: 0.52, growth: 0.02, currentMonth: 1, mix: [0.55, 0.12, 0.08, 0.08, 0.06, 0.07, 0.04], users: 18 },
  { team: 'platform', lastMonthShare: 0.44, growth: 0.015, currentMonth: 1, mix: [0.35, 0.28, 0.1, 0.12, 0.06, 0.05, 0.04], users: 12 },
  { team: 'ml', lastMonthShare: 0.44, growth: 0.025, currentMonth: 1, mix: [0.25, 0.38, 0.08, 0.1, 0.06, 0.07, 0.06], users: 10 },
  // A support-automation roll-out: the fastest growth, past its soft cap last month and hotter this month.
  { team: 'customer-support', lastMonthShare: 0.8, growth: 0.06, currentMonth: 1.06, mix: [0.5, 0.1, 0.12, 0.05, 0.12, 0.08, 0.03], users: 24 },
  { team: 'analytics', lastMonthShare: 0.44, growth: 0.01, currentMonth: 1, mix: [0.42, 0.18, 0.08, 0.14, 0.08, 0.04, 0.06], users: 9 },
  { team: 'devops', lastMonthShare: 0.45, growth: 0.015, currentMonth: 1, mix: [0.4, 0.25, 0.12, 0.1, 0.05, 0.04, 0.04], users: 8 },
  { team: 'security', lastMonthShare: 0.44, growth: 0.015, currentMonth: 1, mix: [0.4, 0.22, 0.08, 0.08, 0.08, 0.08, 0.06], users: 6 },
];

/** Day-to-day noise of a team's spend: the sigma of a log-normal factor. */
const DAY_NOISE = 0.04;

/** Month-to-month variation around each team's trend, months 0–10 (month 11 is the last full one: 0). */
const MONTH_VARIATION: readonly number[] = [0.02, -0.015, 0.025, -0.02, 0.005, 0.02, -0.025, 0.01, -0.01, 0.02, -0.015];

/** The runaway agent: its team, its user id, and its day's spend as a multiple of the team's normal day. */
export const INCIDENT = { team: 'ml', user: 'ml-eval-agent', multiple: 5, workload: 'agent' as WorkloadName, firstHour: 10, lastHour: 20 };

/** Full calendar months of history before the current, partial one. */
export const SEED_FULL_MONTHS = 12;
/** Raw events are kept for this many whole UTC days before today (and today); hourly rollups before that. */
export const RAW_EVENT_DAYS = 30;

const utcDay = (ms: number): number => Math.floor(ms / DAY) * DAY;

/** 00:00 UTC on the 1st of the month SEED_FULL_MONTHS before the one holding `now`. */
export function demoHistoryStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - SEED_FULL_MONTHS, 1);
}

/** Where the full demo's raw events begin: 00:00 UTC, RAW_EVENT_DAYS days before today. */
export function rawEventsStart(now: number): number {
  return utcDay(now) - RAW_EVENT_DAYS * DAY;
}

/**
 * The incident's day (00:00 UTC): 12 days before today, or the Friday before
 * when that is a weekend day. So it is always 12–14 days back: inside the
 * last 30 days and the raw events, out of the last week, and over by today.
 */
export function incidentDay(now: number): number {
  const day = utcDay(now) - 12 * DAY;
  const weekday = new Date(day).getUTCDay();
  return day - (weekday === 6 ? 1 : weekday === 0 ? 2 : 0) * DAY;
}

/** Spend of a weekday against the plan's level: Saturdays and Sundays are quiet. */
export function weekFactor(dayStart: number): number {
  const weekday = new Date(dayStart).getUTCDay();
  return weekday === 6 ? 0.34 : weekday === 0 ? 0.3 : 1;
}

/**
 * Share of a day's requests in each UTC hour: 80% in office hours (07:00 to
 * 19:00), the rest spread over the day.
 */
export const HOUR_SHARES: readonly number[] = Array.from({ length: 24 }, (_v, h) => 0.2 / 24 + (h >= 7 && h < 19 ? 0.8 / 12 : 0));

/** The seeded random source every demo draw comes from (mulberry32). */
export function demoRandom(seed = 20_260_101): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
export function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** The mean of a log-normal token count (only to size the demo: a float). */
const meanOf = (shape: TokenShape): number => shape.median * Math.exp((shape.sigma * shape.sigma) / 2);

/** Prices per token in USD (floats, only to size the demo). */
const USD_PER_TOKEN: Readonly<Record<string, { input: number; output: number }>> = {
  'gpt-4o': { input: 2.5e-6, output: 10e-6 },
  'gpt-4o-mini': { input: 0.15e-6, output: 0.6e-6 },
  'claude-sonnet': { input: 3e-6, output: 15e-6 },
  'claude-haiku': { input: 0.25e-6, output: 1.25e-6 },
};

/** Expected recorded cost of one request of a workload (USD), blocked and cached ones (free) included. */
export function expectedCost(w: Workload): number {
  const price = USD_PER_TOKEN[w.model] ?? { input: 0, output: 0 };
  return (meanOf(w.input) * price.input + meanOf(w.output) * price.output) * (1 - BLOCKED_SHARE) * (1 - w.cacheRate);
}

/** One team's planned day: expected requests per workload (WORKLOADS order) and the incident's extra agent requests. */
export interface TeamDay {
  team: number;
  dayStart: number;
  /** Expected requests per workload. */
  requests: number[];
  /** Expected requests of the runaway agent (0 but on the incident's day). */
  incident: number;
  /** Planned spend (USD float; for tests and sizing). */
  spend: number;
}

interface MonthAnchor {
  start: number;
  end: number;
  mid: number;
}

function months(now: number): MonthAnchor[] {
  const d = new Date(now);
  const out: MonthAnchor[] = [];
  for (let m = 0; m <= SEED_FULL_MONTHS; m += 1) {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - SEED_FULL_MONTHS + m, 1);
    const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - SEED_FULL_MONTHS + m + 1, 1);
    out.push({ start, end, mid: (start + end) / 2 });
  }
  return out;
}

/** A team's spend in month m relative to its last full month: its growth, the variation, this month's heat. */
export function monthTarget(plan: TeamPlan, teamIndex: number, m: number): number {
  const last = SEED_FULL_MONTHS - 1;
  const trend = Math.pow(1 + plan.growth, m - last);
  if (m === SEED_FULL_MONTHS) return trend * plan.currentMonth;
  if (m === last) return trend;
  // Each team takes the variation shifted by its index, so teams do not move in lockstep.
  const variation = MONTH_VARIATION[(m + teamIndex * 3) % MONTH_VARIATION.length] ?? 0;
  return trend * (1 + variation);
}

/**
 * A team's daily level (before the weekday factor and noise) for each day
 * of the history: log-linear between month midpoints, with each month's
 * anchor set (by a few rounds of correction) so that the month's days add
 * up to its target whatever its length: a short February is no dip.
 */
function dailyLevels(targets: readonly number[], anchors: readonly MonthAnchor[], first: number, days: number): number[] {
  const monthOf: number[] = [];
  const factors: number[] = [];
  const weight: number[] = anchors.map(() => 0);
  for (let i = 0; i < days; i += 1) {
    const dayStart = first + i * DAY;
    const m = anchors.findIndex((a) => dayStart >= a.start && dayStart < a.end);
    monthOf.push(m);
    factors.push(weekFactor(dayStart));
  }
  // Whole months (the current one too, beyond today) for the weights.
  anchors.forEach((a, m) => {
    for (let t = a.start; t < a.end; t += DAY) weight[m] = (weight[m] ?? 0) + weekFactor(t);
  });
  const logs = targets.map((target, m) => Math.log(target / (weight[m] ?? 1)));
  const level = (i: number): number => {
    const mid = first + i * DAY + DAY / 2;
    const k = anchors.findIndex((a) => a.mid > mid);
    if (k === 0) return Math.exp(logs[0] ?? 0);
    if (k === -1) return Math.exp(logs[logs.length - 1] ?? 0);
    const a = anchors[k - 1] as MonthAnchor;
    const b = anchors[k] as MonthAnchor;
    const f = (mid - a.mid) / (b.mid - a.mid);
    return Math.exp((logs[k - 1] ?? 0) * (1 - f) + (logs[k] ?? 0) * f);
  };
  for (let round = 0; round < 4; round += 1) {
    const sums = anchors.map(() => 0);
    for (let i = 0; i < days; i += 1) {
      const m = monthOf[i] ?? 0;
      sums[m] = (sums[m] ?? 0) + level(i) * (factors[i] ?? 1);
    }
    // The full months only: the current one is partly in the future, and chasing its first days
    // would steepen the ramp into it.
    anchors.forEach((a, m) => {
      if (m === SEED_FULL_MONTHS || (sums[m] ?? 0) <= 0) return;
      logs[m] = (logs[m] ?? 0) + Math.log((targets[m] ?? 0) / (sums[m] ?? 1));
    });
  }
  return Array.from({ length: days }, (_v, i) => level(i));
}

/**
 * The plan of every team's day from the history's start through today: the
 * level interpolated (log-linear) between month midpoints, times the weekday
 * factor and a day's noise, scaled so the last full month's plan is exactly
 * its share of the allocation; the incident on top.
 */
export function planDays(now: number, allocations: ReadonlyMap<string, number>): TeamDay[] {
  const anchors = months(now);
  const random = demoRandom(7_919);
  const first = anchors[0]?.start ?? 0;
  const days = Math.floor((utcDay(now) - first) / DAY) + 1;
  const last = anchors[SEED_FULL_MONTHS - 1] as MonthAnchor;
  const incident = incidentDay(now);
  const incidentTeam = TEAM_PLANS.findIndex((p) => p.team === INCIDENT.team);
  const agent = WORKLOADS.findIndex((w) => w.name === INCIDENT.workload);
  // The runaway agent's requests are never answered from the cache.
  const agentCost = expectedCost({ ...(WORKLOADS[agent] as Workload), cacheRate: 0 });
  const out: TeamDay[] = [];
  TEAM_PLANS.forEach((plan, t) => {
    const targets = anchors.map((_a, m) => monthTarget(plan, t, m));
    const levels = dailyLevels(targets, anchors, first, days).map((level, i) => level * weekFactor(first + i * DAY));
    let lastMonth = 0;
    levels.forEach((value, i) => {
      const dayStart = first + i * DAY;
      if (dayStart >= last.start && dayStart < last.end) lastMonth += value;
    });
    const target = (allocations.get(plan.team) ?? 0) * plan.lastMonthShare;
    const scale = lastMonth > 0 ? target / lastMonth : 0;
    const costPerRequest = WORKLOADS.reduce((sum, w, k) => sum + (plan.mix[k] ?? 0) * expectedCost(w), 0);
    levels.forEach((value, i) => {
      const dayStart = first + i * DAY;
      const spend = value * scale * Math.exp(DAY_NOISE * normal(random));
      const total = spend / costPerRequest;
      const extra = t === incidentTeam && dayStart === incident ? ((INCIDENT.multiple - 1) * value * scale) / agentCost : 0;
      out.push({ team: t, dayStart, requests: plan.mix.map((share) => share * total), incident: extra, spend: spend + extra * agentCost });
    });
  });
  out.sort((a, b) => a.dayStart - b.dayStart || a.team - b.team);
  return out;
}
