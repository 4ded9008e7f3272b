// Daily spend per wallet and the one projection of it, shared by
// `kt forecast --all-teams` and `kt wallets check`: one aggregate call for
// the whole organisation (per team), rolled up over the hierarchy, then
// spendPace + projectSpend from src/domain/forecast/projection.ts. The same
// days give the same figure whichever command asks.
import type { ApiClient } from '../../api/client.js';
import { spendBuckets, type SpendBucket } from '../../api/forecast.js';
import { parentKey, walletKey, type Wallet } from '../../api/wallets.js';
import { addMoney, type Money, ZERO } from '../../domain/money.js';
import { addDays } from '../../domain/periods.js';
import { projectionRange, projectSpend, spendPace, PATTERN_DAYS, type SpendPace, type SpendProjection } from '../../domain/forecast.js';
import { dayElapsed, localDate, startOfLocalDay } from '../../domain/periods.js';
import { subtree, teamForest } from '../../domain/teams.js';

/** The instant a local date (YYYY-MM-DD) begins in the zone, as ISO text. */
export function dayStartIso(date: string, tz: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return startOfLocalDay(y, m, d, tz).toISOString();
}

/**
 * Each wallet's buckets: a team's own and its subtree's (spend rolls up to
 * every ancestor, as wallets do); the organization's wallet every bucket,
 * events of teams without a wallet included; a user wallet none (events are
 * not kept per user wallet).
 */
export function rollUp(wallets: readonly Wallet[], buckets: readonly SpendBucket[]): Map<string, SpendBucket[]> {
  const hasOrganization = wallets.some((w) => w.scope === 'organization');
  const teams = wallets.filter((w) => w.scope !== 'user');
  const forest = teamForest(teams, walletKey, (w) => parentKey(w, hasOrganization));
  const own = new Map<string, SpendBucket[]>();
  for (const b of buckets) {
    const team = b.team_id ?? '';
    const list = own.get(team);
    if (list === undefined) own.set(team, [b]);
    else list.push(b);
  }
  const result = new Map<string, SpendBucket[]>();
  for (const w of wallets) {
    if (w.scope === 'user') result.set(walletKey(w), []);
    else if (w.scope === 'organization') result.set(walletKey(w), [...buckets]);
    else result.set(walletKey(w), subtree(forest, w, walletKey).flatMap((x) => own.get(x.team_id ?? '') ?? []));
  }
  return result;
}

/** Local date → spend, summed exactly. */
export function perDay(buckets: readonly SpendBucket[]): Map<string, Money> {
  const totals = new Map<string, Money>();
  for (const b of buckets) {
    const date = b.period_start.slice(0, 10);
    totals.set(date, addMoney(totals.get(date) ?? ZERO, b.cost));
  }
  return totals;
}

/** The pace of spend over these days, as of `now` in the zone. */
export function paceAt(days: ReadonlyMap<string, Money>, now: Date, tz: string): SpendPace {
  return spendPace({ days, today: localDate(now, tz), todayElapsed: dayElapsed(now, tz) });
}

/** The one projection of a wallet's period (or the month, when the wallet names no period). */
export function projectWallet(wallet: Wallet | null, days: ReadonlyMap<string, Money>, now: Date, tz: string, levelPct: number): SpendProjection & { pace: SpendPace; basis: 'period' | 'month' } {
  const pace = paceAt(days, now, tz);
  const range = projectionRange(wallet, now, tz);
  return { ...projectSpend(pace, range, levelPct), pace, basis: range.basis };
}

/** The first local date whose spend a projection of these wallets may need: the pattern window or the earliest period start. */
export function dailySince(wallets: readonly (Wallet | null)[], now: Date, tz: string): string {
  let first = addDays(localDate(now, tz), -PATTERN_DAYS);
  for (const w of wallets) {
    const range = projectionRange(w, now, tz);
    if (range.firstDay < first) first = range.firstDay;
  }
  return first;
}

/** Daily spend per wallet key since `since` (a local date): one aggregate call, grouped by team. */
export async function dailyByWallet(
  api: ApiClient,
  wallets: readonly Wallet[],
  since: string,
  tz: string,
  onClientSide?: (events: number) => void,
): Promise<Map<string, Map<string, Money>>> {
  const buckets = await spendBuckets(api, { aggregate: 'daily', byTeam: true, since: dayStartIso(since, tz), tz }, onClientSide === undefined ? {} : { onClientSide });
  const out = new Map<string, Map<string, Money>>();
  for (const [key, list] of rollUp(wallets, buckets)) out.set(key, perDay(list));
  return out;
}
