// Typed calls kt forecast and kt wallets check make (docs/api-contract.md
// § Events, § Wallet endpoints): spend buckets for a team's whole subtree,
// for the whole organisation, or per team, read as exact Money.
import type { ApiClient } from './client.js';
import { aggregateEvents, type AggregateOptions } from './events.js';
import { listWallets, type Wallet } from './wallets.js';
import type { Money } from '../domain/money.js';

export interface SpendBucket {
  /** ISO with the zone's offset: its first 10 characters are the local date. */
  period_start: string;
  /** With `byTeam`: the team's own spend (null for events that name no team). */
  team_id?: string | null | undefined;
  cost: Money;
}

export interface SpendQuery {
  aggregate: 'daily' | 'monthly';
  /** One team and everything below it; absent: the whole organisation. */
  team?: string | undefined;
  /** With no team: one series per team (each team's own spend) instead of the organisation's total. */
  byTeam?: boolean | undefined;
  /** ISO instant, inclusive. */
  since: string;
  tz: string;
}

/**
 * Spend per local day or month, from the server's aggregates, or summed by kt
 * from the events when the server has none (then `subtreeTeams` names the
 * team's subtree).
 */
export async function spendBuckets(api: ApiClient, query: SpendQuery, hooks: Pick<AggregateOptions, 'subtreeTeams' | 'onClientSide'> = {}): Promise<SpendBucket[]> {
  const team = query.team;
  const byTeam = team === undefined && query.byTeam === true;
  const rows = await aggregateEvents(
    api,
    { since: query.since, teams: team === undefined ? undefined : [team] },
    { aggregate: query.aggregate, groupBy: byTeam ? ['team'] : [], tz: query.tz, descendants: team !== undefined, ...hooks },
  );
  return rows.map((r) => {
    const bucket: SpendBucket = { period_start: r.period_start, cost: r.cost };
    if (byTeam) bucket.team_id = typeof r.team_id === 'string' ? r.team_id : null;
    return bucket;
  });
}

/** GET /v1/wallets: every wallet, depth-first from the organization. */
export function allWallets(api: ApiClient): Promise<Wallet[]> {
  return listWallets(api);
}
