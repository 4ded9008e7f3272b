// Typed calls kt forecast makes (docs/api-contract.md § Events, § Wallet
// endpoints): spend buckets for a team's whole subtree, and the wallet that
// holds its allocation and caps, read as exact Money.
import type { ApiClient } from './client.js';
import { aggregateEvents, type AggregateOptions } from './events.js';
import { listWallets, walletBalance, type Wallet } from './wallets.js';
import type { Money } from '../domain/money.js';

export interface SpendBucket {
  /** ISO with the zone's offset: its first 10 characters are the local date. */
  period_start: string;
  team_id?: string | undefined;
  cost: Money;
}

export interface SpendQuery {
  aggregate: 'daily' | 'monthly';
  /** One team and everything below it; absent for every team (grouped by team). */
  team?: string | undefined;
  /** ISO instant, inclusive. */
  since: string;
  tz: string;
}

/**
 * Spend per local day or month; per team (own spend only) when no team is
 * given. From the server's aggregates, or summed by kt from the events when
 * the server has none (then `subtreeTeams` names the team's subtree).
 */
export async function spendBuckets(api: ApiClient, query: SpendQuery, hooks: Pick<AggregateOptions, 'subtreeTeams' | 'onClientSide'> = {}): Promise<SpendBucket[]> {
  const whole = query.team === undefined;
  const rows = await aggregateEvents(
    api,
    { since: query.since, teams: whole ? undefined : [query.team as string] },
    { aggregate: query.aggregate, groupBy: whole ? ['team'] : [], tz: query.tz, descendants: !whole, ...hooks },
  );
  return rows.map((r) => {
    const bucket: SpendBucket = { period_start: r.period_start, cost: r.cost };
    if (typeof r.team_id === 'string') bucket.team_id = r.team_id;
    return bucket;
  });
}

/** GET /v1/wallets/balance: the team's wallet (404 team_not_found for an unknown team). */
export async function teamWallet(api: ApiClient, team: string): Promise<Wallet> {
  return (await walletBalance(api, team)).wallet;
}

/** GET /v1/wallets: every wallet, depth-first from the organization. */
export function allWallets(api: ApiClient): Promise<Wallet[]> {
  return listWallets(api);
}
