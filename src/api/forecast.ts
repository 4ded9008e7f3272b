// Typed calls kt forecast makes (docs/api-contract.md § Events, § Wallet
// endpoints): spend buckets for a team's whole subtree, and the wallet that
// holds its allocation and caps, read as exact Money.
import type { ApiClient, Query } from './client.js';
import { pageThrough } from './pages.js';
import { asObject, optionalMoney, optionalText, requiredText } from './read.js';
import { listWallets, walletBalance, type Wallet } from './wallets.js';
import { MAX_PAGE_SIZE } from '../domain/events.js';
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

function readSpendBucket(raw: unknown, where: string): SpendBucket {
  const o = asObject(raw, 'an aggregate bucket', where);
  const bucket: SpendBucket = {
    period_start: requiredText(o, ['period_start', 'period'], 'an aggregate bucket', where),
    cost: optionalMoney(o, ['cost', 'cost_usd'], 'an aggregate bucket', where) ?? 0n,
  };
  const team = optionalText(o, ['team_id', 'team']);
  if (team !== null) bucket.team_id = team;
  return bucket;
}

/** Spend per local day or month; per team (own spend only) when no team is given. */
export async function spendBuckets(api: ApiClient, query: SpendQuery): Promise<SpendBucket[]> {
  const params: Query =
    query.team === undefined
      ? { aggregate: query.aggregate, group_by: 'team', since: query.since, tz: query.tz }
      : { aggregate: query.aggregate, team_id: query.team, descendants: 'true', since: query.since, tz: query.tz };
  const buckets: SpendBucket[] = [];
  for await (const page of pageThrough(api, '/v1/events', params, { listKeys: ['buckets'], pageSize: MAX_PAGE_SIZE, read: readSpendBucket })) buckets.push(...page);
  return buckets;
}

/** GET /v1/wallets/balance: the team's wallet (404 team_not_found for an unknown team). */
export async function teamWallet(api: ApiClient, team: string): Promise<Wallet> {
  return (await walletBalance(api, team)).wallet;
}

/** GET /v1/wallets: every wallet, depth-first from the organization. */
export function allWallets(api: ApiClient): Promise<Wallet[]> {
  return listWallets(api);
}
