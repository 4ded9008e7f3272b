// Typed calls kt forecast makes (docs/api-contract.md § Events, § Wallet
// endpoints): spend buckets for a team's whole subtree, and the wallet that
// holds its allocation and caps. Money stays in the major unit here; the
// command converts it to micros with microsFromJson.
import type { ApiClient, Query } from './client.js';

/** The wallet fields a forecast reads. */
export interface ForecastWallet {
  id: string;
  team_id: string;
  name: string;
  parent_id: string | null;
  currency: string;
  period: string;
  allocated: number;
  spent: number;
  reserved: number;
  soft_cap: number | null;
  hard_cap: number | null;
  soft_cap_crossed_at?: string | null;
  status: string;
  period_start: string;
  period_end: string;
}

export interface SpendBucket {
  /** ISO with the zone's offset: its first 10 characters are the local date. */
  period_start: string;
  team_id?: string;
  cost: number;
}

export interface SpendQuery {
  aggregate: 'daily' | 'monthly';
  /** One team and everything below it; absent for every team (grouped by team). */
  team?: string | undefined;
  /** ISO instant, inclusive. */
  since: string;
  tz: string;
}

/** Spend per local day or month; per team (own spend only) when no team is given. */
export async function spendBuckets(api: ApiClient, query: SpendQuery): Promise<SpendBucket[]> {
  const params: Query =
    query.team === undefined
      ? { aggregate: query.aggregate, group_by: 'team', since: query.since, tz: query.tz }
      : { aggregate: query.aggregate, team_id: query.team, descendants: 'true', since: query.since, tz: query.tz };
  const buckets: SpendBucket[] = [];
  for await (const page of api.pages<SpendBucket>('/v1/events', params)) buckets.push(...page);
  return buckets;
}

/** GET /v1/wallets/balance: the team's wallet (404 team_not_found for an unknown team). */
export async function teamWallet(api: ApiClient, team: string): Promise<ForecastWallet> {
  const response = await api.get<{ wallet: ForecastWallet }>('/v1/wallets/balance', { team_id: team });
  return response.wallet;
}

/** GET /v1/wallets: every wallet, depth-first from the organization. */
export async function allWallets(api: ApiClient): Promise<ForecastWallet[]> {
  const wallets: ForecastWallet[] = [];
  for await (const page of api.pages<ForecastWallet>('/v1/wallets')) wallets.push(...page);
  return wallets;
}
