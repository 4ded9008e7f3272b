// `kt savings --recommend`: the top teams by spend with their model mix, and
// a proposed spend_controls entry each: a soft cap at 80% of the team's last
// full month of spend, a hard cap at its current allocation. Pure: the
// command passes in the tallies, the allocations and the range.
import { divideHalfEven, formatDecimal, type Money } from '../money.js';
import type { TeamTally } from './rules.js';

export const TOP_TEAMS = 3;
const CENT: Money = 10_000_000n;

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
  /** YYYY-MM of the last calendar month wholly inside the range, if any. */
  lastFullMonth: string | null;
  lastFullMonthSpend: Money | null;
  softCap: Money | null;
  hardCap: Money | null;
  /** Why an entry is missing or differs from the rule. */
  note: string | null;
}

/** The last UTC calendar month that starts at or after `since` and ends at or before `until`. */
export function lastFullMonth(since: Date, until: Date): string | null {
  let y = until.getUTCFullYear();
  let m = until.getUTCMonth(); // the month `until` falls in; it is full only if `until` is its end
  for (;;) {
    const start = Date.UTC(y, m - 1, 1);
    const end = Date.UTC(y, m, 1);
    if (start < since.getTime()) return null;
    if (end <= until.getTime()) {
      const d = new Date(start);
      return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    }
    m -= 1;
    if (m < 0) {
      m += 12;
      y -= 1;
    }
  }
}

/** 80% of an amount, to the cent (half to even). */
export function softCapFor(spend: Money): Money {
  return divideHalfEven(spend * 8n, 10n * CENT) * CENT;
}

/** Up to a whole cent. */
function ceilCent(m: Money): Money {
  return ((m + CENT - 1n) / CENT) * CENT;
}

export function recommend(
  teams: Iterable<TeamTally>,
  options: { since: Date; until: Date; allocations: ReadonlyMap<string, Money>; top?: number },
): TeamRecommendation[] {
  const month = lastFullMonth(options.since, options.until);
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
        costShare: t.spend === 0n ? null : Number(m.cost) / Number(t.spend),
        requestShare: t.requests === 0 ? null : m.requests / t.requests,
      }))
      .sort((a, b) => (b.cost > a.cost ? 1 : b.cost < a.cost ? -1 : a.model.localeCompare(b.model)));
    const monthSpend = month === null ? null : (t.months.get(month) ?? 0n);
    let softCap: Money | null = null;
    let hardCap: Money | null = null;
    let note: string | null = null;
    if (month === null || monthSpend === null) {
      note = 'the range holds no full calendar month: widen --since to propose caps';
    } else if (softCapFor(monthSpend) === 0n) {
      note = `no spend in ${month}: no cap proposed`;
    } else {
      softCap = softCapFor(monthSpend);
      const allocation = options.allocations.get(t.team);
      if (allocation !== undefined && allocation > softCap) hardCap = allocation;
      else {
        hardCap = ceilCent(monthSpend) > softCap ? ceilCent(monthSpend) : softCap + CENT;
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
      `    hard_cap: ${formatDecimal(r.hardCap ?? 0n, 0)}`,
      `    soft_cap: ${formatDecimal(r.softCap ?? 0n, 0)}`,
      '    period: monthly',
      '    on_soft_cap: notify',
      '    on_hard_cap: block',
    );
  }
  return `${lines.join('\n')}\n`;
}
