// The savings rules on a small data set worked by hand (prices per 1M
// tokens: gpt-4o 2.50/10.00, gpt-4o-mini 0.15/0.60, claude-sonnet 3/15,
// claude-haiku 0.25/1.25). Every expected amount is exact Money.
import { describe, expect, it } from 'vitest';
import { moneyFromDecimal as $, subtractMoney } from '../../src/domain/money.js';
import { buildPriceTable, PriceFileError } from '../../src/domain/savings/prices.js';
import { capPeriodKey } from '../../src/domain/periods.js';
import { DOCUMENT_ROUTING, routingGroups, SavingsTally, savingsRows, type CapRule, type SavingsEvent, type SavingsRow } from '../../src/domain/savings/rules.js';
import { holdsMonth, lastFullMonth, recommend, renderPolicy, softCapFor } from '../../src/domain/savings/recommend.js';
import { validatePolicy } from '../../src/policy/validate.js';

const ev = (ts: string, team: string, model: string, input: number, output: number, cost: string, cached = false): SavingsEvent => ({
  timestamp: `2026-03-${ts}Z`,
  team_id: team,
  provider: model.startsWith('claude') ? 'anthropic' : 'openai',
  model,
  input_tokens: input,
  output_tokens: output,
  cached,
  cost: $(cost),
});

// The data set the e2e test imports too.
export const EVENTS: SavingsEvent[] = [
  ev('10T10:00:00.000', 'search', 'gpt-4o', 1000, 500, '0.0075'), // E1 routable: 0.00045 at gpt-4o-mini
  ev('11T10:00:00.000', 'search', 'gpt-4o', 2000, 1500, '0.02'), // E2 output past max_tokens 1000: not routable
  ev('12T10:00:00.000', 'search', 'gpt-4o-mini', 1000, 1000, '0', true), // E3 cached: 0.00075 at list prices
  ev('13T10:00:00.000', 'support', 'claude-sonnet', 1000, 1000, '0.018'), // E4 in no routing group
  ev('14T10:00:00.000', 'support', 'llama-x', 100, 100, '0.001'), // E5 unpriced
];

function run(events: readonly SavingsEvent[], rules: { caps?: Map<string, CapRule>; allowlist?: string[] } = {}): SavingsTally {
  const prices = buildPriceTable(undefined);
  const tally = new SavingsTally({ prices, routing: routingGroups(DOCUMENT_ROUTING, prices).groups, caps: rules.caps ?? new Map(), allowlist: rules.allowlist ?? [] });
  for (const e of events) tally.add(e);
  return tally;
}

const row = (rows: SavingsRow[], o: string): SavingsRow => {
  const r = rows.find((x) => x.optimization === o);
  if (r === undefined) throw new Error(o);
  return r;
};
/** A potential row: the range's recorded spend before, that spend less the savings after. */
const potential = (requests: number, spend: string, savings: string): Pick<SavingsRow, 'kind' | 'requests' | 'costBefore' | 'costAfter' | 'savings'> => ({
  kind: 'potential',
  requests,
  costBefore: $(spend),
  costAfter: subtractMoney($(spend), $(savings)),
  savings: $(savings),
});
const fields = (r: SavingsRow): Pick<SavingsRow, 'kind' | 'requests' | 'costBefore' | 'costAfter' | 'savings'> => ({
  kind: r.kind,
  requests: r.requests,
  costBefore: r.costBefore,
  costAfter: r.costAfter,
  savings: r.savings,
});

// Recorded spend of EVENTS: 0.0075 + 0.02 + 0 + 0.018 + 0.001.
const SPEND = '0.0465';

describe('savings rules (document routing, no caps, no allowlist)', () => {
  const tally = run(EVENTS);
  const rows = savingsRows(tally, false);
  it('routing re-prices only the charged gpt-4o event whose output fits max_tokens, against the range spend', () => {
    // E1: 0.0075 recorded, 0.00045 at gpt-4o-mini
    expect(fields(row(rows, 'routing'))).toEqual(potential(1, SPEND, '0.00705'));
    expect(row(rows, 'routing').savingsPct).toBeCloseTo(0.00705 / 0.0465, 12);
  });
  it('caching is delivered: what the cached event saved at list prices, of what the range would have cost without it', () => {
    const caching = row(rows, 'caching');
    expect(fields(caching)).toEqual({ kind: 'delivered', requests: 1, costBefore: $('0.04725'), costAfter: $(SPEND), savings: $('0.00075') });
    expect(caching.savingsPct).toBeCloseTo(0.00075 / 0.04725, 12);
    expect(caching.hitRate).toBe(1 / 5);
  });
  it('caps and allowlist save nothing without wallets caps or a policy', () => {
    expect(fields(row(rows, 'caps'))).toEqual(potential(0, SPEND, '0'));
    expect(fields(row(rows, 'allowlist'))).toEqual(potential(0, SPEND, '0'));
  });
  it('the total is what the policies would still save: routing, never caching; its cost_before is the recorded spend', () => {
    expect(fields(row(rows, 'total'))).toEqual(potential(1, SPEND, '0.00705'));
    expect(tally.unpriced).toBe(1);
  });
  it('rows come potential first, the delivered caching row last', () => {
    expect(rows.map((r) => [r.optimization, r.kind])).toEqual([
      ['routing', 'potential'],
      ['caps', 'potential'],
      ['allowlist', 'potential'],
      ['total', 'potential'],
      ['caching', 'delivered'],
    ]);
  });
});

describe('savings rules with a policy: allowlist, caps and no double counting', () => {
  const caps = new Map<string, CapRule>([['search', { team: 'search', period: 'monthly', hardCap: $('0.025'), softCap: $('0.005') }]]);
  const tally = run(EVENTS, { caps, allowlist: ['gpt-4o-mini', 'claude-haiku'] });
  const rows = savingsRows(tally, false);
  it('allowlist moves every charged event on another model to its cheapest allowed model', () => {
    // E1 0.00045, E2 0.0003+0.0009, E4 0.00015+0.0006, E5 0.000015+0.00006 (all cheapest at gpt-4o-mini): 0.002475 after
    expect(fields(row(rows, 'allowlist'))).toEqual(potential(4, SPEND, '0.044025'));
  });
  it('caps block the event that would take search past 0.025 this month', () => {
    expect(fields(row(rows, 'caps'))).toEqual(potential(1, SPEND, '0.02'));
    expect(tally.teams.get('search')?.softCapCrossedAt).toBe('2026-03-10T10:00:00.000Z');
  });
  it('routing is reported on its own, but its event counts under allowlist in the total, once', () => {
    expect(fields(row(rows, 'routing'))).toEqual(potential(1, SPEND, '0.00705'));
    expect(fields(row(rows, 'total'))).toEqual(potential(4, SPEND, '0.044025'));
  });
  it('no row passes 100%: savings never exceed the base they are a share of', () => {
    for (const r of [...rows, ...savingsRows(tally, true)]) {
      expect(r.savings).toBeLessThanOrEqual(r.costBefore);
      expect(r.costAfter).toBe(r.costBefore - r.savings);
      expect(r.savingsPct ?? 0).toBeLessThanOrEqual(1);
    }
    expect(row(rows, 'total').savingsPct).toBeCloseTo(0.044025 / 0.0465, 12);
  });
  it('per team rows add up to the organisation rows; each team\'s base is its own spend', () => {
    const byTeam = savingsRows(tally, true);
    expect(byTeam.map((r) => r.team)).toEqual([...Array(5).fill('search'), ...Array(5).fill('support')]);
    const total = byTeam.filter((r) => r.optimization === 'total');
    expect(total.reduce((s, r) => s + r.savings, 0n)).toBe($('0.044025'));
    expect(total.reduce((s, r) => s + r.costBefore, 0n)).toBe($(SPEND));
    expect(fields(row(byTeam.slice(0, 5), 'total'))).toEqual(potential(2, '0.0275', '0.02585'));
  });
  it('a new period resets the replayed spend', () => {
    const april = { ...EVENTS[1]!, timestamp: '2026-04-01T00:00:00.000Z' };
    const t = run([EVENTS[0]!, EVENTS[1]!, april], { caps, allowlist: [] });
    expect(fields(row(savingsRows(t, false), 'caps'))).toEqual(potential(1, '0.0475', '0.02'));
  });
});

describe('prices and periods', () => {
  it('--prices adds and overrides, exactly', () => {
    const table = buildPriceTable({ 'llama-x': { provider: 'meta', input: 0.1, output: '0.2' }, 'gpt-4o': { input: 5, output: 20 } });
    expect(table.get('llama-x')).toEqual({ provider: 'meta', model: 'llama-x', input: $('0.1'), output: $('0.2') });
    expect(table.get('gpt-4o')?.input).toBe($('5'));
    expect(buildPriceTable([{ model: 'm', input: 1, output: 2 }]).get('m')?.output).toBe($('2'));
  });
  it.each([
    [[1], 'expected {model, input, output}'],
    [{ m: { input: 1 } }, 'needs both input and output'],
    [{ m: { input: -1, output: 1 } }, 'cannot be negative'],
    [{ m: { input: 'x', output: 1 } }, 'not a number'],
    [{ m: { input: 1, output: 1, colour: 'red' } }, 'unknown key "colour"'],
    ['text', 'expected a mapping'],
  ])('refuses %j', (value, message) => {
    expect(() => buildPriceTable(value)).toThrow(PriceFileError);
    expect(() => buildPriceTable(value)).toThrow(message);
  });
  it('cap periods change exactly at their boundaries (UTC)', () => {
    expect(capPeriodKey(Date.parse('2026-03-31T23:59:59Z'), 'monthly')).toBe('2026-03');
    expect(capPeriodKey(Date.parse('2026-04-01T00:00:00Z'), 'monthly')).toBe('2026-04');
    expect(capPeriodKey(Date.parse('2026-03-15T12:00:00Z'), 'weekly')).toBe('W2026-03-09');
    expect(capPeriodKey(Date.parse('2026-05-01T00:00:00Z'), 'quarterly')).toBe('2026-Q2');
  });
});

describe('recommend', () => {
  it('the last full calendar month before the end of the range', () => {
    const month = (until: string): [string, string, string] => {
      const m = lastFullMonth(new Date(until));
      return [m.month, m.start.toISOString(), m.end.toISOString()];
    };
    expect(month('2026-04-01T00:00:00Z')).toEqual(['2026-03', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
    expect(month('2026-04-15T09:30:00Z')).toEqual(['2026-03', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
    expect(month('2026-01-01T00:00:01Z')).toEqual(['2025-12', '2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
  });
  it("the range's events hold the month only when the range and the raw events start by its first instant", () => {
    const march = lastFullMonth(new Date('2026-04-15T00:00:00Z'));
    expect(holdsMonth(march, new Date('2026-03-01T00:00:00Z'))).toBe(true);
    expect(holdsMonth(march, new Date('2026-03-01T00:00:00.001Z'))).toBe(false);
    expect(holdsMonth(march, new Date('2026-01-01T00:00:00Z'), new Date('2026-02-20T00:00:00Z'))).toBe(true);
    expect(holdsMonth(march, new Date('2026-01-01T00:00:00Z'), new Date('2026-03-16T00:00:00Z'))).toBe(false);
  });
  it('soft cap 80% to the cent, half to even', () => {
    expect(softCapFor($('10000'))).toBe($('8000'));
    expect(softCapFor($('0.0275'))).toBe($('0.02'));
    expect(softCapFor($('7387.49'))).toBe($('5909.99'));
  });
  it("top teams by the range's spend with their model mix, caps from the month's spend and the allocation; the policy validates", () => {
    const tally = run(EVENTS);
    const recs = recommend(tally.teams.values(), {
      month: '2026-02',
      // The month's spend need not be the range's: it comes from elsewhere when the range does not hold the month.
      monthSpend: new Map([
        ['search', $('0.0275')],
        ['support', $('0.019')],
      ]),
      allocations: new Map([['search', $('100')]]),
    });
    expect(recs.map((r) => [r.rank, r.team, r.spend, r.lastFullMonth, r.lastFullMonthSpend])).toEqual([
      [1, 'search', $('0.0275'), '2026-02', $('0.0275')],
      [2, 'support', $('0.019'), '2026-02', $('0.019')],
    ]);
    expect(recs[0]?.mix.map((m) => [m.model, m.requests, m.cost])).toEqual([
      ['gpt-4o', 2, $('0.0275')],
      ['gpt-4o-mini', 1, 0n],
    ]);
    expect(recs[0]?.mix[0]?.requestShare).toBe(2 / 3);
    expect([recs[0]?.softCap, recs[0]?.hardCap, recs[0]?.note]).toEqual([$('0.02'), $('100'), null]);
    expect([recs[1]?.softCap, recs[1]?.hardCap]).toEqual([$('0.02'), $('0.03')]);
    expect(recs[1]?.note).toBe("no allocation: hard cap set at 2026-02's spend");
    const text = renderPolicy(recs, ['test']);
    expect(text).toContain('  - team: search\n    hard_cap: 100\n    soft_cap: 0.02\n    period: monthly\n');
    expect(validatePolicy('p.yaml', text).validated).toBeDefined();
  });
  it('a team that spent nothing in the month gets no cap, and says why', () => {
    const recs = recommend(run(EVENTS).teams.values(), { month: '2026-02', monthSpend: new Map([['search', $('10')]]), allocations: new Map() });
    expect(recs.map((r) => [r.team, r.softCap, r.note])).toEqual([
      ['search', $('8'), "no allocation: hard cap set at 2026-02's spend"],
      ['support', null, 'no spend in 2026-02: no cap proposed'],
    ]);
  });
});
