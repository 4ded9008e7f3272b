// One planned team-day (demo-plan.ts) as requests: how many of each
// workload, when in the day, how many tokens, whether a policy blocked it
// or the cache answered it. Every request fits its model's context window
// and output limit. The caller decides what a request becomes: an event row
// (raw events) or a few sums in an hourly rollup.
import { DAY, HOUR, HOUR_SHARES, INCIDENT, MODEL_LIMITS, BLOCKED_SHARE, normal, WORKLOADS, type TeamDay, type Workload } from './demo-plan.js';

/** A whole number with `expected` as its mean: the integer part, plus one with the fraction's probability. */
export function drawCount(expected: number, random: () => number): number {
  const whole = Math.floor(expected);
  return whole + (random() < expected - whole ? 1 : 0);
}

const CUMULATIVE_HOURS: readonly number[] = HOUR_SHARES.reduce<number[]>((acc, share) => [...acc, (acc[acc.length - 1] ?? 0) + share], []);

/** An hour of the day drawn from HOUR_SHARES. */
function drawHour(random: () => number): number {
  const r = random() * (CUMULATIVE_HOURS[23] ?? 1);
  for (let h = 0; h < 23; h += 1) if (r < (CUMULATIVE_HOURS[h] ?? 0)) return h;
  return 23;
}

/**
 * Input and output tokens of one request: log-normal around the workload's
 * medians, drawn again when the pair would not fit the model (its output
 * limit, its context window for input and output together).
 */
export function drawTokens(w: Workload, random: () => number): { input: number; output: number } {
  const limits = MODEL_LIMITS[w.model] ?? { context: 128_000, output: 4_096 };
  for (;;) {
    const output = Math.max(1, Math.round(w.output.median * Math.exp(w.output.sigma * normal(random))));
    const input = Math.max(50, Math.round(w.input.median * Math.exp(w.input.sigma * normal(random))));
    if (output <= limits.output && input + output <= limits.context) return { input, output };
  }
}

/** What becomes of one request. */
export interface DemoRequest {
  ts: number;
  /** Index into WORKLOADS. */
  workload: number;
  input: number;
  /** 0 when blocked: the model never answered. */
  output: number;
  blocked: boolean;
  cached: boolean;
  /** The runaway agent's request. */
  incident: boolean;
}

/**
 * Draws the requests of one team-day and hands each to `visit` (the same
 * object, reused: copy what you keep). `counts[k]` requests of WORKLOADS[k]
 * spread over the day by HOUR_SHARES, and `incident` requests of the runaway
 * agent between its first and last hour, never from the cache.
 */
export function drawTeamDay(day: TeamDay, counts: readonly number[], incident: number, random: () => number, visit: (r: DemoRequest) => void): void {
  const r: DemoRequest = { ts: 0, workload: 0, input: 0, output: 0, blocked: false, cached: false, incident: false };
  const one = (k: number, ts: number, cacheRate: number, isIncident: boolean): void => {
    const w = WORKLOADS[k] as Workload;
    const tokens = drawTokens(w, random);
    r.ts = ts;
    r.workload = k;
    r.input = tokens.input;
    r.blocked = random() < BLOCKED_SHARE;
    r.cached = !r.blocked && random() < cacheRate;
    r.output = r.blocked ? 0 : tokens.output;
    r.incident = isIncident;
    visit(r);
  };
  counts.forEach((n, k) => {
    const cacheRate = (WORKLOADS[k] as Workload).cacheRate;
    for (let i = 0; i < n; i += 1) one(k, day.dayStart + drawHour(random) * HOUR + Math.floor(random() * HOUR), cacheRate, false);
  });
  if (incident > 0) {
    const agent = WORKLOADS.findIndex((w) => w.name === INCIDENT.workload);
    const span = (INCIDENT.lastHour - INCIDENT.firstHour) * HOUR;
    for (let i = 0; i < incident; i += 1) one(agent, day.dayStart + INCIDENT.firstHour * HOUR + Math.floor(random() * span), 0, true);
  }
}

/** The counts of a planned team-day, each drawn around its expectation. */
export function drawCounts(day: TeamDay, random: () => number): { counts: number[]; incident: number } {
  return { counts: day.requests.map((expected) => drawCount(expected, random)), incident: drawCount(day.incident, random) };
}

/** True when `ts` falls inside the UTC day that starts at `dayStart`. */
export const inDay = (ts: number, dayStart: number): boolean => ts >= dayStart && ts < dayStart + DAY;
