// The demo seed's requests are ones a real gateway could see: tokens inside
// the model's window, the exact price of those tokens, free cache hits and
// blocks, and a count that follows from the budgets.
import { describe, expect, it } from 'vitest';
import { BLOCKED_SHARE, CACHED_SHARE, DEMO_WALLETS, generateDemoEvents, MODEL_LIMITS } from '../../src/emulator/seed.js';
import { priceOf, tokenCost } from '../../src/domain/prices.js';

const NOW = Date.parse('2026-11-28T15:00:00Z');
const events = generateDemoEvents(undefined, NOW);

describe('plausible demo requests', () => {
  it('derives the number of requests from the budgets, the same every time', () => {
    expect(events.length).toBeGreaterThan(10_000);
    expect(events.length).toBeLessThan(100_000);
    expect(generateDemoEvents(undefined, NOW)).toHaveLength(events.length);
    expect(generateDemoEvents(700, NOW)).toHaveLength(700);
  });

  it('keeps every request inside its model context window and output limit', () => {
    for (const e of events) {
      const limits = MODEL_LIMITS[e.model];
      expect(limits, e.model).toBeDefined();
      if (limits === undefined) continue;
      expect(e.output_tokens).toBeLessThanOrEqual(limits.output);
      expect(e.input_tokens + e.output_tokens).toBeLessThanOrEqual(limits.context);
      expect(e.input_tokens).toBeGreaterThan(0);
    }
    const inputs = events.map((e) => e.input_tokens).sort((a, b) => a - b);
    const median = inputs[Math.floor(inputs.length / 2)] ?? 0;
    expect(median).toBeGreaterThanOrEqual(1_000);
    expect(median).toBeLessThanOrEqual(3_000);
  });

  it('charges the exact price of the tokens; cache hits and blocked requests cost 0', () => {
    let blocked = 0;
    let cached = 0;
    for (const e of events) {
      const verdict = e.decision?.verdict ?? 'allow';
      if (verdict === 'block') {
        blocked += 1;
        expect(e.cost).toBe(0n);
        expect(e.output_tokens).toBe(0);
      } else if (e.cached) {
        cached += 1;
        expect(e.cost).toBe(0n);
      } else {
        const price = priceOf(e.model);
        expect(price).toBeDefined();
        if (price !== undefined) expect(e.cost).toBe(tokenCost(price, e.input_tokens, e.output_tokens));
      }
    }
    expect(blocked / events.length).toBeCloseTo(BLOCKED_SHARE, 1);
    expect(cached / events.length).toBeGreaterThan(CACHED_SHARE * 0.8);
    // Typical requests cost fractions of a cent.
    const paid = events.filter((e) => e.cost > 0n).map((e) => e.cost).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(paid[Math.floor(paid.length / 2)]).toBeLessThan(10_000_000n); // $0.01
  });

  it('mixes verdicts and reason codes plausibly', () => {
    const count = new Map<string, number>();
    for (const e of events) {
      const key = `${e.decision?.verdict ?? 'allow'} ${e.decision?.reason_code ?? 'all_policies_passed'}`;
      count.set(key, (count.get(key) ?? 0) + 1);
    }
    for (const key of ['allow all_policies_passed', 'block prompt_injection_detected', 'block pii_detected', 'block budget_exceeded', 'redact pii_detected', 'escalate low_confidence_output']) {
      expect(count.get(key) ?? 0, key).toBeGreaterThan(0);
    }
    expect((count.get('allow all_policies_passed') ?? 0) / events.length).toBeGreaterThan(0.85);
  });

  it('spends inside every budget each month, rising over the window', () => {
    const allocation = new Map(DEMO_WALLETS.map((w) => [w.team_id, w.allocation]));
    const byMonth = new Map<string, bigint>();
    for (const e of events) {
      const key = `${e.team_id} ${new Date(e.ts).toISOString().slice(0, 7)}`;
      byMonth.set(key, (byMonth.get(key) ?? 0n) + e.cost);
    }
    for (const [key, cost] of byMonth) {
      const team = key.split(' ')[0] ?? '';
      expect(cost, key).toBeLessThan(allocation.get(team) ?? 0n);
      expect(cost, key).toBeGreaterThan(0n);
    }
    let august = 0n;
    let october = 0n;
    for (const [key, cost] of byMonth) {
      if (key.endsWith('2026-08')) august += cost;
      if (key.endsWith('2026-10')) october += cost;
    }
    expect(october).toBeGreaterThan(august);
  });
});
