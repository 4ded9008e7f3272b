// What routing, caching, caps and an allowlist would have saved, from an
// organisation's own spend events. Events stream through `SavingsTally.add`
// one at a time, in time order; only per-team (and per-model, per-month)
// sums are kept, so a million events take as much memory as a hundred.
//
// The rules (docs/savings.md):
// - routing: a charged event (not cached, recorded cost above 0) on a model
//   of a cost-priority group other than its priority-1 model, whose output
//   tokens fit the priority-1 model's max_tokens, is priced again at the
//   priority-1 model's prices.
// - caching: cached events, priced at their model's list prices, against what
//   was recorded: the savings caching already delivered (kind `delivered`;
//   every other row is `potential`: what a policy would still save).
// - caps: each team's charged spend replayed in time order per cap period;
//   an event that would take the running spend past the hard cap is blocked
//   (and does not count towards the running spend).
// - allowlist: a charged event on a model outside the allowlist moves to the
//   allowed model that would have cost least for its tokens.
// - total: what the policies would still save together: every charged event
//   counts once, under the first of allowlist, routing, caps that affects it.
//   Caching is not in it: its savings are already in the recorded spend.
//
// Rows (savingsRows): a potential row's cost_before is the range's recorded
// spend and its cost_after that spend less the row's savings, so
// savings_pct = savings / cost_before can never pass 100%; the caching row's
// cost_before is what the range would have cost without cache hits and its
// cost_after the recorded spend.
import { addMoney, type Money, moneyRatio, subtractMoney, ZERO } from '../money.js';
import { tokenCost, type ModelPrice } from '../prices.js';
import type { CostPriorityGroup } from '../policy/cost-controls.js';
import { capPeriodKey, type CapPeriod } from '../periods.js';
import type { PriceTable } from './prices.js';

export const OPTIMIZATIONS = ['routing', 'caps', 'allowlist', 'total', 'caching'] as const;
export type Optimization = (typeof OPTIMIZATIONS)[number];

/** `potential`: what a policy would still save on the recorded spend; `delivered`: saved already (caching). */
export type SavingsKind = 'potential' | 'delivered';

export const kindOf = (o: Optimization): SavingsKind => (o === 'caching' ? 'delivered' : 'potential');

/** The fields of a spend event the rules read (the API layer's SpendEvent has them). */
export interface SavingsEvent {
  timestamp: string;
  team_id: string | null;
  provider: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cached: boolean;
  cost: Money | null;
}

export interface RoutingGroup {
  name: string;
  target: { provider: string; model: string; maxTokens: number | undefined; price: ModelPrice };
  /** The group's other models. */
  sources: ReadonlyArray<{ provider: string; model: string }>;
}

export interface CapRule {
  team: string;
  period: CapPeriod;
  hardCap: Money;
  softCap: Money | undefined;
}

export interface SavingsRules {
  prices: PriceTable;
  routing: readonly RoutingGroup[];
  caps: ReadonlyMap<string, CapRule>;
  /** Models every team may call; empty for no allowlist. */
  allowlist: readonly string[];
}

/** The product document's cost-optimized group: gpt-4o-mini (max_tokens 1000) first, gpt-4o as fallback. */
export const DOCUMENT_ROUTING: readonly CostPriorityGroup[] = [
  {
    name: 'cost-optimized',
    models: [
      { provider: 'openai', model: 'gpt-4o-mini', maxTokens: 1000, priority: 1 },
      { provider: 'openai', model: 'gpt-4o', maxTokens: undefined, priority: 2 },
    ],
  },
];

/**
 * Cost-priority groups as routing rules: the model with the lowest priority
 * (document order breaks ties; models without a priority come last) is the
 * target. A group whose target has no price cannot be priced and is returned
 * in `unpriced` instead.
 */
export function routingGroups(groups: readonly CostPriorityGroup[], prices: PriceTable): { groups: RoutingGroup[]; unpriced: string[] } {
  const out: RoutingGroup[] = [];
  const unpriced: string[] = [];
  for (const group of groups) {
    if (group.models.length < 2) continue;
    const ordered = group.models
      .map((m, i) => ({ m, i }))
      .sort((a, b) => (a.m.priority ?? Number.MAX_SAFE_INTEGER) - (b.m.priority ?? Number.MAX_SAFE_INTEGER) || a.i - b.i)
      .map((x) => x.m);
    const [first, ...rest] = ordered;
    if (first === undefined) continue;
    const price = prices.get(first.model);
    if (price === undefined) {
      unpriced.push(`${group.name} (${first.model})`);
      continue;
    }
    out.push({
      name: group.name,
      target: { provider: first.provider, model: first.model, maxTokens: first.maxTokens, price },
      sources: rest.filter((m) => m.model !== first.model).map((m) => ({ provider: m.provider, model: m.model })),
    });
  }
  return { groups: out, unpriced };
}

export interface Line {
  requests: number;
  before: Money;
  after: Money;
}

const emptyLine = (): Line => ({ requests: 0, before: ZERO, after: ZERO });
const emptyLines = (): Record<Optimization, Line> => ({ routing: emptyLine(), caps: emptyLine(), allowlist: emptyLine(), total: emptyLine(), caching: emptyLine() });

function addLine(line: Line, before: Money, after: Money): void {
  line.requests += 1;
  line.before = addMoney(line.before, before);
  line.after = addMoney(line.after, after);
}

/** What is kept per team: sums only. */
export interface TeamTally {
  team: string;
  requests: number;
  /** Recorded spend of every event in the range. */
  spend: Money;
  cachedRequests: number;
  lines: Record<Optimization, Line>;
  /** First instant in the range the team's replayed spend reached its soft cap. */
  softCapCrossedAt: string | null;
  /** Per model: requests and recorded cost (for --recommend's model mix). */
  models: Map<string, { requests: number; cost: Money }>;
  /** Per UTC month (YYYY-MM): recorded cost. */
  months: Map<string, Money>;
  capPeriod: string | null;
  capSpent: Money;
  capSoftCrossed: boolean;
}

/** Team id for events without one. */
export const NO_TEAM = '(none)';

export class SavingsTally {
  readonly teams = new Map<string, TeamTally>();
  /** Events on models with no price: left out of routing and caching. */
  unpriced = 0;
  /** Events without a cost field: treated as costing nothing. */
  noCost = 0;
  events = 0;
  private readonly allowed: ReadonlyArray<ModelPrice>;
  private readonly allowedNames: ReadonlySet<string>;

  constructor(private readonly rules: SavingsRules) {
    this.allowedNames = new Set(rules.allowlist);
    this.allowed = rules.allowlist.flatMap((m) => {
      const p = rules.prices.get(m);
      return p === undefined ? [] : [p];
    });
  }

  /** Allowlisted models without a price (they cannot be moved to). */
  unpricedAllowed(): string[] {
    return this.rules.allowlist.filter((m) => !this.rules.prices.has(m));
  }

  private tally(team: string): TeamTally {
    let t = this.teams.get(team);
    if (t === undefined) {
      t = {
        team,
        requests: 0,
        spend: ZERO,
        cachedRequests: 0,
        lines: emptyLines(),
        softCapCrossedAt: null,
        models: new Map(),
        months: new Map(),
        capPeriod: null,
        capSpent: ZERO,
        capSoftCrossed: false,
      };
      this.teams.set(team, t);
    }
    return t;
  }

  add(e: SavingsEvent): void {
    this.events += 1;
    const t = this.tally(e.team_id ?? NO_TEAM);
    if (e.cost === null) this.noCost += 1;
    const cost = e.cost ?? ZERO;
    t.requests += 1;
    t.spend = addMoney(t.spend, cost);
    const modelName = e.model ?? '(unknown)';
    const mix = t.models.get(modelName);
    if (mix === undefined) t.models.set(modelName, { requests: 1, cost });
    else {
      mix.requests += 1;
      mix.cost = addMoney(mix.cost, cost);
    }
    const month = e.timestamp.slice(0, 7);
    t.months.set(month, addMoney(t.months.get(month) ?? ZERO, cost));

    const price = e.model === null ? undefined : this.rules.prices.get(e.model);
    if (price === undefined) this.unpriced += 1;
    const charged = !e.cached && cost > 0n;

    if (e.cached) {
      t.cachedRequests += 1;
      if (price !== undefined) addLine(t.lines.caching, tokenCost(price, e.input_tokens, e.output_tokens), cost);
      return;
    }
    if (!charged) return;

    let counted = false;
    const count = (before: Money, after: Money): void => {
      if (counted) return;
      counted = true;
      addLine(t.lines.total, before, after);
    };

    if (this.allowedNames.size > 0 && !this.allowedNames.has(modelName)) {
      const cheapest = this.cheapestAllowed(e);
      if (cheapest !== undefined) {
        addLine(t.lines.allowlist, cost, cheapest);
        count(cost, cheapest);
      }
    }

    if (price !== undefined) {
      const group = this.rules.routing.find((g) => g.sources.some((s) => s.model === modelName && (e.provider === null || s.provider === e.provider)));
      if (group !== undefined && (group.target.maxTokens === undefined || e.output_tokens <= group.target.maxTokens)) {
        const after = tokenCost(group.target.price, e.input_tokens, e.output_tokens);
        addLine(t.lines.routing, cost, after);
        count(cost, after);
      }
    }

    const cap = this.rules.caps.get(t.team);
    if (cap !== undefined) {
      const key = capPeriodKey(Date.parse(e.timestamp), cap.period);
      if (key !== t.capPeriod) {
        t.capPeriod = key;
        t.capSpent = ZERO;
        t.capSoftCrossed = false;
      }
      if (addMoney(t.capSpent, cost) > cap.hardCap) {
        addLine(t.lines.caps, cost, ZERO);
        count(cost, ZERO);
      } else {
        t.capSpent = addMoney(t.capSpent, cost);
        if (cap.softCap !== undefined && !t.capSoftCrossed && t.capSpent >= cap.softCap) {
          t.capSoftCrossed = true;
          t.softCapCrossedAt ??= e.timestamp;
        }
      }
    }
  }

  private cheapestAllowed(e: SavingsEvent): Money | undefined {
    let best: Money | undefined;
    for (const p of this.allowed) {
      const c = tokenCost(p, e.input_tokens, e.output_tokens);
      if (best === undefined || c < best) best = c;
    }
    return best;
  }
}

export interface SavingsRow {
  /** null for the organisation-wide rows. */
  team: string | null;
  optimization: Optimization;
  kind: SavingsKind;
  /** Events the row's rule affects (caching: the cached events). */
  requests: number;
  /** potential: the range's recorded spend; delivered: what the range would have cost without cache hits. */
  costBefore: Money;
  /** costBefore less the savings (delivered: the recorded spend). */
  costAfter: Money;
  savings: Money;
  /** savings / costBefore; null when that is 0. */
  savingsPct: number | null;
  /** caching rows: cached requests / all requests. */
  hitRate: number | null;
  /** caps rows of a team: when its replayed spend first reached its soft cap. */
  softCapCrossedAt: string | null;
}

function rowsOf(team: string | null, lines: Record<Optimization, Line>, spend: Money, requests: number, cached: number, softCapCrossedAt: string | null): SavingsRow[] {
  return OPTIMIZATIONS.map((optimization) => {
    const line = lines[optimization];
    const savings = subtractMoney(line.before, line.after);
    const kind = kindOf(optimization);
    const costBefore = kind === 'delivered' ? addMoney(spend, savings) : spend;
    return {
      team,
      optimization,
      kind,
      requests: line.requests,
      costBefore,
      costAfter: subtractMoney(costBefore, savings),
      savings,
      savingsPct: moneyRatio(savings, costBefore),
      hitRate: optimization === 'caching' ? (requests === 0 ? null : cached / requests) : null,
      softCapCrossedAt: optimization === 'caps' ? softCapCrossedAt : null,
    };
  });
}

/** One row per optimization, for everyone together or (byTeam) per team, teams by spend. */
export function savingsRows(tally: SavingsTally, byTeam: boolean): SavingsRow[] {
  const teams = [...tally.teams.values()];
  if (byTeam) {
    return teams
      .sort((a, b) => (b.spend > a.spend ? 1 : b.spend < a.spend ? -1 : a.team.localeCompare(b.team)))
      .flatMap((t) => rowsOf(t.team, t.lines, t.spend, t.requests, t.cachedRequests, t.softCapCrossedAt));
  }
  const lines = emptyLines();
  let spend = ZERO;
  let requests = 0;
  let cached = 0;
  for (const t of teams) {
    spend = addMoney(spend, t.spend);
    requests += t.requests;
    cached += t.cachedRequests;
    for (const o of OPTIMIZATIONS) {
      lines[o].requests += t.lines[o].requests;
      lines[o].before = addMoney(lines[o].before, t.lines[o].before);
      lines[o].after = addMoney(lines[o].after, t.lines[o].after);
    }
  }
  return rowsOf(null, lines, spend, requests, cached, null);
}
