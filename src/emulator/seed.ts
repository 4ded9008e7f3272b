// Demo data and NDJSON import. The demo is deterministic: the same instant
// gives the same wallets, events and rollups (docs/emulator.md § Demo data).
//
// `kt emulator start --seed demo` loads the full demo: a year of an
// organisation spending $20,000–$26,000 a month, the last 30 days as raw
// events (about 350,000 plausible requests) and the year before them as
// hourly usage rollups, as a gateway's retention would keep them.
// `--seed-events N` loads exactly N requests with the same shape, all as raw
// events: the small seeds tests use.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { UsageError, FailureError } from '../errors.js';
import { addMoney, type Money, moneyToFloat, ZERO } from '../domain/money.js';
import { eventDetails } from './request-fields.js';
import { priceOf, tokenCost } from '../domain/prices.js';
import { parseJsonExact } from '../domain/json.js';
import { isTeamId, TEAM_ID_RULE, teamName } from '../domain/teams.js';
import { DEFAULT_DECISION, type DecisionFields, type EventInput } from './schema.js';
import type { Store } from './store.js';
import type { SpendSummary } from './history.js';
import type { RollupRow } from './rollups.js';
import {
  DAY,
  DEMO_WALLETS,
  demoHistoryStart,
  demoRandom,
  HOUR,
  HOUR_SHARES,
  INCIDENT,
  planDays,
  rawEventsStart,
  TEAM_PLANS,
  WORKLOADS,
  type TeamDay,
  type TeamPlan,
} from './demo-plan.js';
import { drawCounts, drawTeamDay, type DemoRequest } from './demo-requests.js';

export { BLOCKED_SHARE, DEMO_WALLETS, demoHistoryStart, MODEL_LIMITS, rawEventsStart, SEED_FULL_MONTHS } from './demo-plan.js';

/** The share of requests answered from the cache, over all workloads (each has its own rate). */
export const CACHED_SHARE = 0.25;

function allocationsUsd(): Map<string, number> {
  return new Map(DEMO_WALLETS.map((w) => [w.team_id, moneyToFloat(w.allocation)]));
}

/** The policy decision of a request that was not blocked. */
function passedDecision(random: () => number): DecisionFields {
  const r = random();
  if (r < 0.04) return { ...DEFAULT_DECISION, verdict: 'redact', reason_code: 'pii_detected' };
  if (r < 0.05) return { ...DEFAULT_DECISION, verdict: 'escalate', reason_code: 'low_confidence_output' };
  return DEFAULT_DECISION;
}

function blockedDecision(random: () => number): DecisionFields {
  const r = random();
  const reason = r < 0.5 ? 'prompt_injection_detected' : r < 0.85 ? 'pii_detected' : 'budget_exceeded';
  return { ...DEFAULT_DECISION, verdict: 'block', reason_code: reason };
}

const PRICES = WORKLOADS.map((w) => {
  const price = priceOf(w.model);
  if (price === undefined) throw new Error(`the demo's model ${w.model} has no price`);
  return price;
});

/** One drawn request as an event (request_id filled in later, in time order). */
function eventOf(r: DemoRequest, plan: TeamPlan, random: () => number): EventInput {
  const w = WORKLOADS[r.workload] as (typeof WORKLOADS)[number];
  return {
    ts: r.ts,
    team_id: plan.team,
    user_id: r.incident ? INCIDENT.user : `${plan.team}-user-${1 + Math.floor(random() * plan.users)}`,
    provider: w.provider,
    model: w.model,
    input_tokens: r.input,
    output_tokens: r.output,
    cached: r.cached,
    // a blocked request never reaches the model, a cache hit is free
    cost: r.blocked || r.cached ? ZERO : tokenCost(PRICES[r.workload] as (typeof PRICES)[number], r.input, r.output),
    currency: 'USD',
    request_id: null,
    decision: r.blocked ? blockedDecision(random) : passedDecision(random),
  };
}

function numberRequests(events: EventInput[], first: number): number {
  events.sort((a, b) => a.ts - b.ts || a.team_id.localeCompare(b.team_id));
  let n = first;
  for (const e of events) e.request_id = `req_seed_${String((n += 1)).padStart(7, '0')}`;
  return n;
}

/** The models of the demo's workloads, each once, for the rollup accumulators. */
const MODELS = [...new Set(WORKLOADS.map((w) => w.model))];
const MODEL_OF_WORKLOAD = WORKLOADS.map((w) => MODELS.indexOf(w.model));
const PROVIDER_OF_MODEL = MODELS.map((m) => WORKLOADS.find((w) => w.model === m)?.provider ?? '');

/** Sums of one team-day's requests per UTC hour and model: the rollup rows and the day's cost. */
class DayRollup {
  private readonly cells = MODELS.length * 24;
  readonly requests = new Float64Array(this.cells);
  readonly cached = new Float64Array(this.cells);
  readonly blocked = new Float64Array(this.cells);
  readonly input = new Float64Array(this.cells);
  readonly output = new Float64Array(this.cells);
  readonly chargedInput = new Float64Array(this.cells);
  readonly chargedOutput = new Float64Array(this.cells);

  add(r: DemoRequest, dayStart: number): void {
    const i = Math.floor((r.ts - dayStart) / HOUR) * MODELS.length + (MODEL_OF_WORKLOAD[r.workload] ?? 0);
    this.requests[i] = (this.requests[i] ?? 0) + 1;
    this.input[i] = (this.input[i] ?? 0) + r.input;
    this.output[i] = (this.output[i] ?? 0) + r.output;
    if (r.blocked) this.blocked[i] = (this.blocked[i] ?? 0) + 1;
    else if (r.cached) this.cached[i] = (this.cached[i] ?? 0) + 1;
    else {
      this.chargedInput[i] = (this.chargedInput[i] ?? 0) + r.input;
      this.chargedOutput[i] = (this.chargedOutput[i] ?? 0) + r.output;
    }
  }

  /**
   * The rows, and the day's cost. Each demo price is a whole number of
   * nano-units per token, so the cost of the summed tokens is exactly the sum
   * of the requests' costs.
   */
  rows(team: string, dayStart: number): { rows: RollupRow[]; cost: Money } {
    const rows: RollupRow[] = [];
    let cost = ZERO;
    for (let i = 0; i < this.cells; i += 1) {
      const requests = this.requests[i] ?? 0;
      if (requests === 0) continue;
      const m = i % MODELS.length;
      const model = MODELS[m] as string;
      const price = priceOf(model);
      const c = price === undefined ? ZERO : tokenCost(price, this.chargedInput[i] ?? 0, this.chargedOutput[i] ?? 0);
      cost = addMoney(cost, c);
      rows.push({
        hour_start: dayStart + Math.floor(i / MODELS.length) * HOUR,
        team_id: team,
        provider: PROVIDER_OF_MODEL[m] as string,
        model,
        requests,
        cached: this.cached[i] ?? 0,
        blocked: this.blocked[i] ?? 0,
        input_tokens: this.input[i] ?? 0,
        output_tokens: this.output[i] ?? 0,
        cost: c,
      });
    }
    return { rows, cost };
  }
}

/**
 * One UTC day of the full demo: raw events, or (before the raw events begin)
 * rollup rows; either way each team's day as one ledger summary (at the
 * day's last millisecond, or just before now today).
 */
export interface DemoDay {
  dayStart: number;
  raw: boolean;
  events: EventInput[];
  rollups: RollupRow[];
  summaries: SpendSummary[];
}

function byDay(plan: readonly TeamDay[]): Map<number, TeamDay[]> {
  const days = new Map<number, TeamDay[]>();
  for (const d of plan) {
    const list = days.get(d.dayStart);
    if (list === undefined) days.set(d.dayStart, [d]);
    else list.push(d);
  }
  return days;
}

/**
 * The full demo, one UTC day at a time, oldest first, up to `now` (today's
 * requests after `now` are left out). Days before rawEventsStart(now) come
 * as hourly rollups with a ledger summary per team; the rest as events in
 * time order, numbered req_seed_0000001 on.
 */
export function* demoDays(now: number): Generator<DemoDay, void, undefined> {
  const random = demoRandom();
  const rawStart = rawEventsStart(now);
  let numbered = 0;
  for (const [dayStart, teams] of byDay(planDays(now, allocationsUsd()))) {
    const raw = dayStart >= rawStart;
    const day: DemoDay = { dayStart, raw, events: [], rollups: [], summaries: [] };
    for (const teamDay of teams) {
      const plan = TEAM_PLANS[teamDay.team] as TeamPlan;
      const { counts, incident } = drawCounts(teamDay, random);
      if (raw) {
        let cost = ZERO;
        drawTeamDay(teamDay, counts, incident, random, (r) => {
          if (r.ts >= now) return;
          const e = eventOf(r, plan, random);
          cost = addMoney(cost, e.cost);
          day.events.push(e);
        });
        if (cost > 0n) day.summaries.push({ kind: 'summary', ts: Math.min(dayStart + DAY, now) - 1, team_id: plan.team, cost });
      } else {
        const sums = new DayRollup();
        drawTeamDay(teamDay, counts, incident, random, (r) => sums.add(r, dayStart));
        const { rows, cost } = sums.rows(plan.team, dayStart);
        day.rollups.push(...rows);
        if (cost > 0n) day.summaries.push({ kind: 'summary', ts: dayStart + DAY - 1, team_id: plan.team, cost });
      }
    }
    if (raw) numbered = numberRequests(day.events, numbered);
    yield day;
  }
}

/** Share of a day's requests sent before `ms` into it (HOUR_SHARES, uniform within an hour). */
function shareOfDayBefore(msIntoDay: number): number {
  const hours = Math.min(24, Math.max(0, msIntoDay / HOUR));
  let share = 0;
  for (let h = 0; h < Math.floor(hours); h += 1) share += HOUR_SHARES[h] ?? 0;
  if (hours < 24) share += (HOUR_SHARES[Math.floor(hours)] ?? 0) * (hours - Math.floor(hours));
  return share;
}

/**
 * Exactly `count` requests in the full demo's pattern over its whole
 * history, every one a raw event: each team-day gets its share of `count`
 * by its planned requests (largest remainders), each request a workload
 * drawn by the day's plan. The small seeds tests use.
 */
export function generateDemoEvents(count: number, now: number): EventInput[] {
  const random = demoRandom();
  const plan = planDays(now, allocationsUsd());
  const today = Math.floor(now / DAY) * DAY;
  const weights = plan.map((d) => {
    const whole = d.requests.reduce((a, b) => a + b, 0) + d.incident;
    return d.dayStart === today ? whole * shareOfDayBefore(now - today) : whole;
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum > 0 ? (count * w) / sum : 0));
  const counts = exact.map(Math.floor);
  let missing = count - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; missing > 0 && order.length > 0; k = (k + 1) % order.length, missing -= 1) {
    const i = order[k]?.i ?? 0;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  const events: EventInput[] = [];
  plan.forEach((teamDay, index) => {
    const n = counts[index] ?? 0;
    if (n === 0) return;
    const teamPlan = TEAM_PLANS[teamDay.team] as TeamPlan;
    const byWorkload = new Array<number>(WORKLOADS.length).fill(0);
    let incident = 0;
    const total = teamDay.requests.reduce((a, b) => a + b, 0) + teamDay.incident;
    for (let i = 0; i < n; i += 1) {
      let r = random() * total;
      let k = 0;
      while (k < teamDay.requests.length && r >= (teamDay.requests[k] ?? 0)) r -= teamDay.requests[k++] ?? 0;
      if (k < teamDay.requests.length) byWorkload[k] = (byWorkload[k] ?? 0) + 1;
      else incident += 1;
    }
    drawTeamDay(teamDay, byWorkload, incident, random, (r) => {
      const e = eventOf(r, teamPlan, random);
      // Today's requests fall before now: one drawn later is moved to a random instant of the day so far.
      if (e.ts >= now) e.ts = teamDay.dayStart + Math.floor(random() * Math.max(1, now - teamDay.dayStart));
      events.push(e);
    });
  });
  numberRequests(events, 0);
  return events;
}

/** What a seed loaded. */
export interface DemoSeeded {
  wallets: number;
  events: number;
  /** Hourly rollup rows (the full demo only). */
  rollups?: number;
  /** Where the raw events begin (the full demo only): ISO instant. */
  raw_events_since?: string;
}

/**
 * Creates the demo hierarchy, back-dated to the start of its history, and
 * loads the demo spend: exactly `events` raw events, or (undefined) the full
 * demo with its rollups.
 */
export function seedDemo(store: Store, options: { events: number | undefined; now: number }): DemoSeeded {
  const firstDay = demoHistoryStart(options.now);
  for (const w of DEMO_WALLETS) {
    store.wallets.create(
      {
        team_id: w.team_id,
        name: w.name,
        parent_id: w.parent_id,
        currency: 'USD',
        period: 'monthly',
        allocation: w.allocation,
        soft_cap: w.soft_cap ?? null,
        hard_cap: w.hard_cap ?? null,
      },
      firstDay,
    );
  }
  if (options.events !== undefined) {
    return { wallets: DEMO_WALLETS.length, events: store.loadHistory(generateDemoEvents(options.events, options.now)) };
  }
  let events = 0;
  let rollups = 0;
  for (const day of demoDays(options.now)) {
    for (const row of day.rollups) store.rollups.insert(row);
    rollups += day.rollups.length;
    if (!day.raw) {
      store.loadHistory(day.summaries);
      continue;
    }
    // A settle row per request on the team's own wallet; its department and the organization take
    // the team's day as one row (a third of the ledger rows; every wallet's spend is the same).
    events += store.loadHistory(day.events, { ownWalletOnly: true });
    store.loadHistory(day.summaries.map((s) => ({ ...s, ancestorsOnly: true })));
  }
  const rawSince = rawEventsStart(options.now);
  store.rollups.setRawEventsSince(rawSince);
  return { wallets: DEMO_WALLETS.length, events, rollups, raw_events_since: new Date(rawSince).toISOString() };
}

/** `--import FILE`: NDJSON events; unknown teams get a wallet under the organization. */
export async function importEvents(store: Store, file: string): Promise<number> {
  const events: EventInput[] = [];
  let lineNo = 0;
  try {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      lineNo += 1;
      if (line.trim() === '') continue;
      events.push(parseImportLine(line, `${file}:${lineNo}`));
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new FailureError(`cannot read --import file ${file}: ${code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error)}`);
  }
  events.sort((a, b) => a.ts - b.ts);
  return store.tx(() => {
    for (const team of new Set(events.map((e) => e.team_id))) {
      if (!store.wallets.has(team)) {
        store.wallets.create({ team_id: team, name: teamName(team), parent_id: 'org', currency: 'USD', period: 'monthly', allocation: ZERO, soft_cap: null, hard_cap: null });
      }
    }
    return store.loadHistory(events);
  });
}

function parseImportLine(line: string, where: string): EventInput {
  let value: unknown;
  try {
    value = parseJsonExact(line);
  } catch {
    throw new UsageError(`${where}: not a JSON object`, 'each line of --import is one event: {"timestamp","team_id","provider","model","input_tokens","output_tokens","cached","cost"}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${where}: not a JSON object`);
  const o = value as Record<string, unknown>;
  const text = (field: string): string => {
    const v = o[field];
    if (typeof v !== 'string' || v === '') throw new UsageError(`${where}: "${field}" must be a non-empty string`);
    return v;
  };
  const tokens = (field: string): number => {
    const v = o[field] ?? 0;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new UsageError(`${where}: "${field}" must be a whole number >= 0`);
    return v;
  };
  const ts = Date.parse(text('timestamp'));
  if (Number.isNaN(ts)) throw new UsageError(`${where}: "timestamp" is not an ISO-8601 date-time`);
  const team = text('team_id');
  if (!isTeamId(team)) throw new UsageError(`${where}: invalid team_id "${team}": use ${TEAM_ID_RULE}`);
  const { decision, cost } = eventDetails(o, (message) => new UsageError(`${where}: ${message}`));
  if (o.cached !== undefined && typeof o.cached !== 'boolean') throw new UsageError(`${where}: "cached" must be true or false`);
  return {
    ts,
    team_id: team,
    user_id: typeof o.user_id === 'string' ? o.user_id : null,
    provider: text('provider'),
    model: text('model'),
    input_tokens: tokens('input_tokens'),
    output_tokens: tokens('output_tokens'),
    cached: o.cached === true,
    cost,
    currency: 'USD',
    request_id: typeof o.request_id === 'string' ? o.request_id : null,
    decision,
  };
}
