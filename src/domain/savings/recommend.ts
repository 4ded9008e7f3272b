// `kt savings --recommend`: the top teams by spend with their model mix, and
// a proposed spend_controls entry each: a soft cap at 80% of the team's spend
// in the last full calendar month, a hard cap at its current allocation.
// Pure: the command passes in the tallies, that month's spend per team
// (from the range's events, or fetched when the range does not hold the
// whole month) and the allocations.
import { addMoney, divideHalfEven, formatDecimal, type Money, moneyRatio, nanos, ZERO } from '../money.js';
import type { TeamTally } from './rules.js';
import { addMonths, utcMonth, type CalendarMonth } from '../periods.js';

export const TOP_TEAMS = 3;
const CENT = nanos(10_000_000n);

export interface ModelShare {
  model: string;
  requests: number;
  cost: Money;
  costShare: number | null;
  requestShare: number | null;
}

export interface TeamRecommendation {
  rank: number;
  team: string;
  spend: Money;
  requests: number;
  mix: ModelShare[];
  /** YYYY-MM of the last full calendar month before the range's end: the soft cap's base. */
  lastFullMonth: string;
  lastFullMonthSpend: Money;
  softCap: Money | null;
  hardCap: Money | null;
  /** Why an entry is missing or differs from the rule. */
  note: string | null;
}

/**
 * The last UTC calendar month that ends at or before `until`: the month
 * before the one `until` falls in (an `until` at a month's first instant
 * falls in that month, and ends the one before).
 */
export function lastFullMonth(until: Date): CalendarMonth {
  return utcMonth(addMonths(until.toISOString().slice(0, 7), -1));
}

/**
 * Whether the range's events hold the whole month: the range starts at or
 * before the month, and so do the server's raw events (`rawEventsSince`,
 * when it keeps only aggregates before some instant).
 */
export function holdsMonth(month: CalendarMonth, since: Date, rawEventsSince?: Date): boolean {
  return since.getTime() <= month.start.getTime() && (rawEventsSince === undefined || rawEventsSince.getTime() <= month.start.getTime());
}

/** 80% of an amount, to the cent (half to even). */
export function softCapFor(spend: Money): Money {
  return nanos(divideHalfEven(spend * 8n, 10n * CENT) * CENT);
}

/** Up to a whole cent. */
function ceilCent(m: Money): Money {
  return nanos(((m + CENT - 1n) / CENT) * CENT);
}

export function recommend(
  teams: Iterable<TeamTally>,
  options: {
    /** The month the soft caps are based on (YYYY-MM). */
    month: string;
    /** Each team's own spend in that month; a team missing here spent nothing. */
    monthSpend: ReadonlyMap<string, Money>;
    allocations: ReadonlyMap<string, Money>;
    top?: number;
  },
): TeamRecommendation[] {
  const month = options.month;
  const ranked = [...teams]
    .filter((t) => t.spend > 0n)
    .sort((a, b) => (b.spend > a.spend ? 1 : b.spend < a.spend ? -1 : a.team.localeCompare(b.team)))
    .slice(0, options.top ?? TOP_TEAMS);
  return ranked.map((t, i) => {
    const mix = [...t.models.entries()]
      .map(([model, m]) => ({
        model,
        requests: m.requests,
        cost: m.cost,
        costShare: moneyRatio(m.cost, t.spend),
        requestShare: t.requests === 0 ? null : m.requests / t.requests,
      }))
      .sort((a, b) => (b.cost > a.cost ? 1 : b.cost < a.cost ? -1 : a.model.localeCompare(b.model)));
    const monthSpend = options.monthSpend.get(t.team) ?? ZERO;
    let softCap: Money | null = null;
    let hardCap: Money | null = null;
    let note: string | null = null;
    if (softCapFor(monthSpend) === 0n) {
      note = `no spend in ${month}: no cap proposed`;
    } else {
      softCap = softCapFor(monthSpend);
      const allocation = options.allocations.get(t.team);
      if (allocation !== undefined && allocation > softCap) hardCap = allocation;
      else {
        hardCap = ceilCent(monthSpend) > softCap ? ceilCent(monthSpend) : addMoney(softCap, CENT);
        note = allocation === undefined || allocation === 0n
          ? `no allocation: hard cap set at ${month}'s spend`
          : `allocation ${formatDecimal(allocation)} is not above the soft cap: hard cap set at ${month}'s spend`;
      }
    }
    return { rank: i + 1, team: t.team, spend: t.spend, requests: t.requests, mix, lastFullMonth: month, lastFullMonthSpend: monthSpend, softCap, hardCap, note };
  });
}

/** A policy-config.yaml of spend_controls for the recommendations that have caps. */
export function renderPolicy(recommendations: readonly TeamRecommendation[], header: readonly string[]): string {
  const lines = [...header.map((h) => `# ${h}`), 'spend_controls:'];
  const entries = recommendations.filter((r) => r.softCap !== null && r.hardCap !== null);
  if (entries.length === 0) return `${header.map((h) => `# ${h}`).join('\n')}\nspend_controls: []\n`;
  for (const r of entries) {
    lines.push(
      `  - team: ${r.team}`,
      `    hard_cap: ${formatDecimal(r.hardCap ?? ZERO, 0)}`,
      `    soft_cap: ${formatDecimal(r.softCap ?? ZERO, 0)}`,
      '    period: monthly',
      '    on_soft_cap: notify',
      '    on_hard_cap: block',
    );
  }
  return `${lines.join('\n')}\n`;
}
