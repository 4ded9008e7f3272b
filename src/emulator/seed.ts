// Demo data and NDJSON import. The demo is deterministic: the same --seed-events
// and the same day give the same wallets and events. Its history starts on the
// first of a month, three months back, so forecasts always have three full
// months to fit whatever the day.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { UsageError, FailureError } from '../errors.js';
import { units, type Money } from '../domain/money.js';
import { eventDetails } from './request-fields.js';
import { DOCUMENT_PRICES, tokenCost } from '../domain/prices.js';
import { seededRandom } from './faults.js';
import { parseJsonExact } from '../domain/json.js';
import { isTeamId, TEAM_ID_RULE, teamName } from '../domain/teams.js';
import { DEFAULT_DECISION, type DecisionFields, type EventInput } from './schema.js';
import type { Store } from './store.js';

const DAY = 86_400_000;
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

// Leaf teams: share of the monthly allocation spent at the end of the window,
// and the model mix (weights for gpt-4o, gpt-4o-mini, claude-sonnet, claude-haiku).
const SPENDERS: ReadonlyArray<{ team: string; share: number; mix: readonly number[] }> = [
  { team: 'search', share: 0.8, mix: [5, 3, 2, 1] },
  { team: 'platform', share: 0.6, mix: [3, 4, 1, 2] },
  { team: 'ml', share: 0.7, mix: [2, 1, 5, 1] },
  { team: 'customer-support', share: 0.72, mix: [1, 4, 1, 5] },
  { team: 'analytics', share: 0.5, mix: [2, 3, 3, 2] },
  { team: 'devops', share: 0.45, mix: [1, 5, 0, 3] },
  { team: 'security', share: 0.35, mix: [2, 2, 2, 2] },
];

/**
 * The demo org is a pilot: its budgets are set for the roll-out, and today's
 * traffic spends this fraction of each team's share above. Real requests cost
 * a cent or less, so spending the whole budget would take millions of demo
 * requests; this keeps the default seed near 35,000 (about $10 to $45 a month
 * per team: inside every budget, far from its caps).
 */
export const DEMO_BUDGET_USE = 0.0012;

/** Context window and output limit per model (tokens). */
export const MODEL_LIMITS: Readonly<Record<string, { context: number; output: number }>> = {
  'gpt-4o': { context: 128_000, output: 16_384 },
  'gpt-4o-mini': { context: 128_000, output: 16_384 },
  'claude-sonnet': { context: 200_000, output: 16_384 },
  'claude-haiku': { context: 200_000, output: 16_384 },
};

export const CACHED_SHARE = 0.25;
/** Share of requests a policy blocks before the provider is called (cost 0). */
export const BLOCKED_SHARE = 0.03;
/** Full calendar months of demo history before the current, partial one. */
export const SEED_FULL_MONTHS = 3;

// Log-normal request sizes: input median 1,800 tokens (most 500 to 8,000),
// output median 400 (most 200 to 800).
const INPUT_MEDIAN = 1_800;
const INPUT_SIGMA = 0.9;
const OUTPUT_MEDIAN = 400;
const OUTPUT_SIGMA = 0.5;

/** 00:00 UTC on the 1st of the month SEED_FULL_MONTHS before the one holding `now`. */
export function demoHistoryStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - SEED_FULL_MONTHS, 1);
}

/** Calendar days of demo history up to and including today's partial day. */
function demoHistoryDays(now: number): number {
  return Math.floor((now - demoHistoryStart(now)) / DAY) + 1;
}

function pick(weights: readonly number[], random: () => number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = random() * total;
  for (let i = 0; i < weights.length; i += 1) {
    r -= weights[i] ?? 0;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const logNormal = (median: number, sigma: number, random: () => number): number => Math.round(median * Math.exp(sigma * normal(random)));

/** One request's tokens, within the model's limits. */
function requestTokens(model: string, random: () => number): { input: number; output: number } {
  const limits = MODEL_LIMITS[model] ?? { context: 128_000, output: 16_384 };
  const output = Math.min(limits.output, Math.max(1, logNormal(OUTPUT_MEDIAN, OUTPUT_SIGMA, random)));
  const input = Math.min(limits.context - output, Math.max(20, logNormal(INPUT_MEDIAN, INPUT_SIGMA, random)));
  return { input, output };
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

/** Mean cost (USD, a float: only to size the demo) of a request of a team, cached and blocked ones included. */
function meanRequestCost(mix: readonly number[], random: () => number): number {
  const total = mix.reduce((a, b) => a + b, 0);
  let mean = 0;
  mix.forEach((weight, i) => {
    const model = DOCUMENT_PRICES[i] as (typeof DOCUMENT_PRICES)[number];
    let sum = 0;
    const samples = 400;
    for (let k = 0; k < samples; k += 1) {
      const t = requestTokens(model.model, random);
      sum += Number(tokenCost(model, t.input, t.output)) / 1e9;
    }
    mean += (weight / total) * (sum / samples);
  });
  return mean * (1 - CACHED_SHARE) * (1 - BLOCKED_SHARE);
}

/**
 * The demo spend from demoHistoryStart(now) until `now`: each event one
 * request a gateway could see (tokens within the model's window, cost the
 * exact price of its tokens), weekdays busier than weekends, a gentle upward
 * trend, a quarter of requests served from cache and a few blocked (both cost
 * 0). Without `count`, the number of requests follows from the budgets
 * (DEMO_BUDGET_USE); with it, exactly `count` requests share the same pattern.
 */
export function generateDemoEvents(count: number | undefined, now: number): EventInput[] {
  const random = seededRandom(20_260_101);
  const firstDay = demoHistoryStart(now);
  const days = demoHistoryDays(now);
  const allocation = new Map(DEMO_WALLETS.map((w) => [w.team_id, Number(w.allocation) / 1e9]));
  const meanCost = SPENDERS.map((s) => meanRequestCost(s.mix, random));
  // Daily spend targets (USD, floats: they only decide how many requests) per (team, day).
  const cells: Array<{ team: number; day: number; cost: number }> = [];
  for (let day = 0; day < days; day += 1) {
    const start = firstDay + day * DAY;
    const weekday = new Date(start).getUTCDay();
    const weekFactor = weekday === 0 || weekday === 6 ? 0.45 : 1.16;
    const trend = 0.85 + (0.15 * day) / (days - 1);
    // today is only partly over
    const dayFraction = start + DAY > now ? Math.max(0, (now - start) / DAY) : 1;
    SPENDERS.forEach((s, team) => {
      const monthly = (allocation.get(s.team) ?? 0) * s.share * DEMO_BUDGET_USE;
      const noise = 0.85 + random() * 0.3;
      cells.push({ team, day, cost: ((monthly * 12) / 365) * weekFactor * trend * noise * dayFraction });
    });
  }
  const wanted = cells.map((c) => c.cost / (meanCost[c.team] ?? 1));
  const total = count ?? Math.round(wanted.reduce((a, b) => a + b, 0));
  const sum = wanted.reduce((a, b) => a + b, 0);
  // Requests per cell in proportion to what it needs, exactly `total` in all.
  const raw = wanted.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const counts = raw.map(Math.floor);
  let missing = total - counts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, frac: r - Math.floor(r) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; missing > 0 && order.length > 0; k = (k + 1) % order.length, missing -= 1) counts[order[k]?.i ?? 0] = (counts[order[k]?.i ?? 0] ?? 0) + 1;

  const events: EventInput[] = [];
  cells.forEach((cell, index) => {
    const n = counts[index] ?? 0;
    if (n === 0) return;
    const spender = SPENDERS[cell.team] as (typeof SPENDERS)[number];
    const dayStart = firstDay + cell.day * DAY;
    const span = Math.min(DAY, now - dayStart);
    for (let i = 0; i < n; i += 1) {
      const model = DOCUMENT_PRICES[pick(spender.mix, random)] as (typeof DOCUMENT_PRICES)[number];
      const tokens = requestTokens(model.model, random);
      const blocked = random() < BLOCKED_SHARE;
      const cached = !blocked && random() < CACHED_SHARE;
      const decision = blocked ? blockedDecision(random) : passedDecision(random);
      // office hours are busiest, nights quiet
      const hourWeight = random() < 0.8 ? 7 + random() * 12 : random() * 24;
      const ts = span >= DAY ? dayStart + Math.floor(hourWeight * 3_600_000) : dayStart + Math.floor(random() * Math.max(1, span));
      events.push({
        ts: Math.min(ts, now - 1),
        team_id: spender.team,
        user_id: `${spender.team}-user-${1 + Math.floor(random() * 6)}`,
        provider: model.provider,
        model: model.model,
        input_tokens: tokens.input,
        // a blocked request never reaches the model
        output_tokens: blocked ? 0 : tokens.output,
        cached,
        cost: blocked || cached ? 0n : tokenCost(model, tokens.input, tokens.output),
        currency: 'USD',
        request_id: null,
        decision,
      });
    }
  });
  events.sort((a, b) => a.ts - b.ts || a.team_id.localeCompare(b.team_id));
  events.forEach((e, i) => (e.request_id = `req_seed_${String(i + 1).padStart(7, '0')}`));
  return events;
}

/** Creates the demo hierarchy, back-dated to the start of its history, and loads the demo spend. */
export function seedDemo(store: Store, options: { events: number | undefined; now: number }): { wallets: number; events: number } {
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
  const events = store.loadHistory(generateDemoEvents(options.events, options.now));
  return { wallets: DEMO_WALLETS.length, events };
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
        store.wallets.create({ team_id: team, name: teamName(team), parent_id: 'org', currency: 'USD', period: 'monthly', allocation: 0n, soft_cap: null, hard_cap: null });
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
