// The full demo's shape, from the pure generator (no database), at the
// demo's fixed clock and on the first, the middle and the last day of a
// month: a year of organisation spend in the product document's range,
// leaf teams at realistic shares of their allocations, customer-support past
// its soft cap last month and on course to cross it this month, one runaway
// agent and no other day out of line, every raw event a plausible request,
// and the document's routing rule saving 30–50%.
import { beforeAll, describe, expect, it } from 'vitest';
import { demoDays, generateDemoEvents } from '../../src/emulator/seed.js';
import {
  BLOCKED_SHARE,
  DEMO_WALLETS,
  HOUR,
  INCIDENT,
  incidentDay,
  MODEL_LIMITS,
  planDays,
  rawEventsStart,
  TEAM_PLANS,
  WORKLOADS,
} from '../../src/emulator/demo-plan.js';
import { priceOf, tokenCost } from '../../src/domain/prices.js';
import { buildPriceTable } from '../../src/domain/savings/prices.js';
import { DOCUMENT_ROUTING, routingGroups, SavingsTally, savingsRows } from '../../src/domain/savings/rules.js';
import type { EventInput } from '../../src/emulator/schema.js';

const DAY = 86_400_000;
const USD = 1_000_000_000n;
const allocation = new Map(DEMO_WALLETS.map((w) => [w.team_id, w.allocation]));
const parentOf = new Map(DEMO_WALLETS.map((w) => [w.team_id, w.parent_id]));
const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);
const dollars = (m: bigint): number => Number(m) / 1e9;

/** Why an event is not a request a gateway could see; undefined when it is one. */
function implausible(e: EventInput): string | undefined {
  const limits = MODEL_LIMITS[e.model];
  const price = priceOf(e.model);
  if (limits === undefined || price === undefined) return `unknown model ${e.model}`;
  if (e.input_tokens < 1 || e.output_tokens > limits.output) return 'tokens outside the output limit';
  if (e.input_tokens + e.output_tokens > limits.context) return 'past the context window';
  const verdict = e.decision?.verdict ?? 'allow';
  if (verdict === 'block') return e.cost === 0n && e.output_tokens === 0 && !e.cached ? undefined : 'a blocked request was answered or charged';
  if (e.cached) return e.cost === 0n ? undefined : 'a cache hit was charged';
  return e.cost === tokenCost(price, e.input_tokens, e.output_tokens) ? undefined : 'cost is not the price of its tokens';
}

interface Shape {
  now: number;
  /** Own spend per team and UTC month (events and rollups). */
  teamMonths: Map<string, bigint>;
  /** Spend per wallet (subtree) and UTC month. */
  walletMonths: Map<string, bigint>;
  /** Own spend per team and UTC day. */
  teamDays: Map<string, Map<number, bigint>>;
  raw: { events: number; blocked: number; cached: number; implausible: string[]; outOfOrder: number; outside: number; paid: number[] };
  rollups: { requests: number; blocked: number; cached: number; badCost: number };
  weekdayRequests: number;
  weekendRequests: number;
  /** The document's routing rule over the last 30 days' raw events. */
  routingPct: number;
  totalPct: number;
}

/**
 * One pass over the full demo at `nowText`. Spend sums take every request;
 * the per-event checks take every `every`-th raw event (1: all of them), the
 * savings replay every fourth of those.
 */
function shape(nowText: string, every: number): Shape {
  const now = Date.parse(nowText);
  const rawStart = rawEventsStart(now);
  const prices = buildPriceTable(undefined);
  const tally = new SavingsTally({ prices, routing: routingGroups(DOCUMENT_ROUTING, prices).groups, caps: new Map(), allowlist: [] });
  const s: Shape = {
    now,
    teamMonths: new Map(),
    walletMonths: new Map(),
    teamDays: new Map(),
    raw: { events: 0, blocked: 0, cached: 0, implausible: [], outOfOrder: 0, outside: 0, paid: [] },
    rollups: { requests: 0, blocked: 0, cached: 0, badCost: 0 },
    weekdayRequests: 0,
    weekendRequests: 0,
    routingPct: 0,
    totalPct: 0,
  };
  // A day's own spend and requests per team, added to the months and days once the day is over.
  const addDay = (dayStart: number, perTeam: Map<string, { cost: bigint; requests: number }>): void => {
    const weekend = [0, 6].includes(new Date(dayStart).getUTCDay());
    const month = monthOf(dayStart);
    for (const [team, { cost, requests }] of perTeam) {
      s.teamMonths.set(`${team} ${month}`, (s.teamMonths.get(`${team} ${month}`) ?? 0n) + cost);
      for (let id: string | null = team; id !== null; id = parentOf.get(id) ?? null) {
        s.walletMonths.set(`${id} ${month}`, (s.walletMonths.get(`${id} ${month}`) ?? 0n) + cost);
      }
      const days = s.teamDays.get(team) ?? new Map<number, bigint>();
      s.teamDays.set(team, days);
      days.set(dayStart, (days.get(dayStart) ?? 0n) + cost);
      if (weekend) s.weekendRequests += requests;
      else s.weekdayRequests += requests;
    }
  };
  let lastTs = -Infinity;
  let lastId = 0;
  let n = 0;
  for (const day of demoDays(now)) {
    const perTeam = new Map<string, { cost: bigint; requests: number }>();
    const spend = (team: string, cost: bigint, requests: number): void => {
      const t = perTeam.get(team);
      if (t === undefined) perTeam.set(team, { cost, requests });
      else {
        t.cost += cost;
        t.requests += requests;
      }
    };
    for (const r of day.rollups) {
      spend(r.team_id, r.cost, r.requests);
      s.rollups.requests += r.requests;
      s.rollups.blocked += r.blocked;
      s.rollups.cached += r.cached;
      const price = priceOf(r.model);
      if (r.hour_start % HOUR !== 0 || price === undefined || r.cost < 0n || r.cost > tokenCost(price, r.input_tokens, r.output_tokens)) s.rollups.badCost += 1;
    }
    for (const e of day.events) {
      spend(e.team_id, e.cost, 1);
      s.raw.events += 1;
      if (e.decision?.verdict === 'block') s.raw.blocked += 1;
      if (e.cached) s.raw.cached += 1;
      if (e.ts < lastTs || Number(e.request_id?.slice(9)) !== lastId + 1) s.raw.outOfOrder += 1;
      lastTs = e.ts;
      lastId += 1;
      if (e.ts >= now || e.ts < rawStart) s.raw.outside += 1;
      if ((n += 1) % every !== 0) continue;
      const why = implausible(e);
      if (why !== undefined && s.raw.implausible.length < 5) s.raw.implausible.push(`${e.request_id ?? ''}: ${why}`);
      if (e.cost > 0n) s.raw.paid.push(dollars(e.cost));
      // The routing share from a sample of a quarter of the events is as good as from all of them.
      if (e.ts >= now - 30 * DAY && n % 4 === 0) {
        tally.add({ timestamp: new Date(e.ts).toISOString(), team_id: e.team_id, provider: e.provider, model: e.model, input_tokens: e.input_tokens, output_tokens: e.output_tokens, cached: e.cached, cost: e.cost });
      }
    }
    addDay(day.dayStart, perTeam);
  }
  const rows = savingsRows(tally, false);
  s.routingPct = rows.find((r) => r.optimization === 'routing')?.savingsPct ?? 0;
  s.totalPct = rows.find((r) => r.optimization === 'total')?.savingsPct ?? 0;
  return s;
}

/** The calendar months of the history: 12 full ones, then the current one. */
function historyMonths(now: number): string[] {
  const d = new Date(now);
  return Array.from({ length: 13 }, (_v, i) => monthOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 12 + i, 1)));
}

// Every raw event is checked at the demo's clock; every 5th at the others (the generator is the same).
const CLOCKS = [
  ['the demo clock (the 28th)', '2026-11-28T15:00:00Z', 1],
  ['the first of a month, just after midnight', '2026-12-01T00:30:00Z', 5],
  ['the middle of a month', '2027-02-15T12:00:00Z', 5],
  ['the last day of a month', '2026-08-31T23:00:00Z', 5],
] as const;

describe.each(CLOCKS)('the full demo at %s', (_name, nowText, every) => {
  let s: Shape;
  let months: string[];
  let lastFull: string;
  let current: string;
  beforeAll(() => {
    s = shape(nowText, every);
    months = historyMonths(s.now);
    lastFull = months[11] as string;
    current = months[12] as string;
  }, 60_000);

  it('has twelve full months of $18,000–$28,000 with an upward trend and month-to-month variation', () => {
    const org = months.slice(0, 12).map((m) => dollars(s.walletMonths.get(`org ${m}`) ?? 0n));
    for (const [i, total] of org.entries()) {
      expect(total, months[i]).toBeGreaterThan(18_000);
      expect(total, months[i]).toBeLessThan(28_000);
    }
    expect(org[11] ?? 0).toBeGreaterThan((org[0] ?? 0) * 1.15);
    // Not a straight line: some month grows faster than another, or falls.
    const changes = org.slice(1).map((v, i) => v / (org[i] ?? 1) - 1);
    expect(Math.max(...changes) - Math.min(...changes)).toBeGreaterThan(0.02);
    // Nothing before the history's first month.
    expect([...s.walletMonths.keys()].filter((k) => k.startsWith('org ')).sort()).toEqual(months.map((m) => `org ${m}`));
  });

  it("puts each leaf team's last full month at 40–100% of its allocation, customer-support past its $6,000 soft cap", () => {
    for (const plan of TEAM_PLANS) {
      const share = Number(s.teamMonths.get(`${plan.team} ${lastFull}`) ?? 0n) / Number(allocation.get(plan.team) ?? 1n);
      expect(share, plan.team).toBeGreaterThanOrEqual(0.4);
      expect(share, plan.team).toBeLessThanOrEqual(1);
    }
    expect(s.teamMonths.get(`customer-support ${lastFull}`) ?? 0n).toBeGreaterThan(6_000n * USD);
    expect(s.teamMonths.get(`customer-support ${lastFull}`) ?? 0n).toBeLessThan(8_000n * USD);
  });

  it('has customer-support on course to cross its soft cap this month, whatever the day', () => {
    // The plan of the whole month (as the month's last instant would generate it) passes the cap ...
    const monthEnd = Date.UTC(new Date(s.now).getUTCFullYear(), new Date(s.now).getUTCMonth() + 1, 1) - 1;
    const cs = TEAM_PLANS.findIndex((p) => p.team === 'customer-support');
    const planned = planDays(monthEnd, new Map(DEMO_WALLETS.map((w) => [w.team_id, dollars(w.allocation)])))
      .filter((d) => d.team === cs && monthOf(d.dayStart) === current)
      .reduce((a, d) => a + d.spend, 0);
    expect(planned).toBeGreaterThan(6_000 * 1.05);
    // ... and from the middle of the month on, so does the run rate of what is recorded.
    const d = new Date(s.now);
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const elapsed = (s.now - start) / (Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - start);
    if (elapsed > 0.45) expect(dollars(s.teamMonths.get(`customer-support ${current}`) ?? 0n) / elapsed).toBeGreaterThan(6_000);
  });

  it("has one runaway agent: the ML team at 4–6 times a normal weekday, 12–14 days back, and no other day out of line", () => {
    const incident = incidentDay(s.now);
    expect([1, 2, 3, 4, 5]).toContain(new Date(incident).getUTCDay());
    const back = (Math.floor(s.now / DAY) * DAY - incident) / DAY;
    expect(back).toBeGreaterThanOrEqual(12);
    expect(back).toBeLessThanOrEqual(14);
    expect(incident).toBeGreaterThanOrEqual(rawEventsStart(s.now));
    const today = Math.floor(s.now / DAY) * DAY;
    const outOfLine: string[] = [];
    for (const [team, days] of s.teamDays) {
      for (const [day, cost] of days) {
        if (day >= today || day < today - 90 * DAY) continue;
        // Against the median of the same weekday over the four weeks before.
        const before = [1, 2, 3, 4].map((k) => dollars(days.get(day - k * 7 * DAY) ?? 0n)).sort((a, b) => a - b);
        const ratio = dollars(cost) / (((before[1] ?? 0) + (before[2] ?? 0)) / 2);
        if (team === INCIDENT.team && day === incident) {
          expect(ratio).toBeGreaterThan(4);
          expect(ratio).toBeLessThan(6);
        } else if (ratio > 1.4 || ratio < 0.7) outOfLine.push(`${team} ${new Date(day).toISOString().slice(0, 10)} ×${ratio.toFixed(2)}`);
      }
    }
    expect(outOfLine).toEqual([]);
  });

  it('makes every raw event a plausible request: within the model, the exact price of its tokens, in time order, numbered', () => {
    expect(s.raw.implausible).toEqual([]);
    expect(s.raw.outOfOrder).toBe(0);
    expect(s.raw.outside).toBe(0);
    expect(s.raw.events).toBeGreaterThan(250_000);
    expect(s.raw.paid.length).toBeGreaterThan(s.raw.events / every / 2);
    const paid = [...s.raw.paid].sort((a, b) => a - b);
    const median = paid[Math.floor(paid.length / 2)] ?? 0;
    expect(median).toBeGreaterThan(0.01);
    expect(median).toBeLessThanOrEqual(0.1);
    expect(paid[paid.length - 1] ?? 0).toBeLessThan(1);
    expect(s.rollups.badCost).toBe(0);
  });

  it('is busier on weekdays, with about a quarter cache hits and a few percent blocked', () => {
    expect(s.weekdayRequests / 5).toBeGreaterThan((s.weekendRequests / 2) * 2.5);
    const requests = s.raw.events + s.rollups.requests;
    const cached = (s.raw.cached + s.rollups.cached) / requests;
    const blocked = (s.raw.blocked + s.rollups.blocked) / requests;
    expect(cached).toBeGreaterThan(0.2);
    expect(cached).toBeLessThan(0.3);
    expect(blocked).toBeCloseTo(BLOCKED_SHARE, 2);
    // Raw events and rollups are the same traffic.
    expect(s.raw.cached / s.raw.events).toBeCloseTo(s.rollups.cached / s.rollups.requests, 1);
  });

  it("saves 30–50% with the document's routing rule over the last 30 days", () => {
    expect(s.routingPct).toBeGreaterThan(0.3);
    expect(s.routingPct).toBeLessThan(0.5);
    expect(s.totalPct).toBe(s.routingPct);
  });
});

describe('the demo generator', () => {
  it('is deterministic: the same clock gives the same days', () => {
    // Days come oldest first from one seeded stream: the first weeks stand for the rest.
    const take = (now: number): unknown[] => {
      const out: unknown[] = [];
      for (const day of demoDays(now)) {
        out.push(day);
        if (out.length === 14) break;
      }
      return out;
    };
    const now = Date.parse('2026-11-28T15:00:00Z');
    expect(take(now)).toEqual(take(now));
    expect(take(now)).not.toEqual(take(Date.parse('2026-12-28T15:00:00Z')));
  });

  it('prices every demo model in whole nano-units per token, so a rollup costs exactly the sum of its requests', () => {
    for (const w of WORKLOADS) {
      const price = priceOf(w.model);
      expect(price, w.model).toBeDefined();
      expect((price?.input ?? 1n) % 1_000_000n).toBe(0n);
      expect((price?.output ?? 1n) % 1_000_000n).toBe(0n);
    }
  });

  it('--seed-events N: exactly N plausible requests in the same pattern, the incident included', () => {
    const now = Date.parse('2026-11-28T15:00:00Z');
    const events = generateDemoEvents(20_000, now);
    expect(events).toHaveLength(20_000);
    expect(events.map(implausible).filter((x) => x !== undefined)).toEqual([]);
    expect(events.filter((e) => e.user_id === INCIDENT.user).length).toBeGreaterThan(10);
    expect(generateDemoEvents(0, now)).toEqual([]);
  });
});
