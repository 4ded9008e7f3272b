// Typed calls for the wallet endpoints (docs/api-contract.md § Wallet endpoints).
// Amounts cross this boundary as JSON numbers; callers convert with
// microsFromJson / microsToJson so nothing downstream adds floats.
import type { ApiClient, Query } from './client.js';
import { MAX_PAGE_SIZE } from '../domain/events.js';
import type { TransactionType, WalletStatus } from '../domain/ledger.js';
import type { WalletPeriod } from '../domain/periods.js';

/** A wallet as the API sends it (money in the major unit). */
export interface ApiWallet {
  id: string;
  team_id: string;
  name: string;
  parent_id: string | null;
  currency: string;
  period: WalletPeriod;
  allocated: number;
  spent: number;
  reserved: number;
  available: number;
  unallocated?: number;
  soft_cap: number | null;
  hard_cap: number | null;
  status: WalletStatus;
  soft_cap_crossed_at?: string | null;
  period_start: string;
  period_end: string;
}

export interface ApiTransaction {
  id: string;
  wallet_id: string;
  team_id: string;
  type: TransactionType;
  amount: number;
  balance_after: number;
  reservation_id: string | null;
  event_id: string | null;
  created_at: string;
}

export interface BalanceResponse {
  wallet: ApiWallet;
  /** Nearest parent first, the organization last. */
  parents: ApiWallet[];
}

export interface AllocateBody {
  team_id: string;
  amount: number;
  currency: string;
  period: WalletPeriod;
  parent_id?: string;
  name?: string;
  soft_cap?: number;
  hard_cap?: number;
}

export interface AllocateResponse {
  wallet: ApiWallet;
  previous_allocated: number | null;
  transaction: ApiTransaction | null;
}

export interface CreditBody {
  team_id: string;
  amount: number;
  currency?: string;
}

export type ReclaimBody = { team_id: string; amount: number } | { team_id: string; all: true };

export interface MutationResponse {
  wallet: ApiWallet;
  transaction: ApiTransaction | null;
}

export const WALLET_PATHS = {
  allocate: '/v1/wallets/allocate',
  credit: '/v1/wallets/credit',
  reclaim: '/v1/wallets/reclaim',
} as const;

/** Every wallet, depth-first from the organization. */
export async function listWallets(api: ApiClient): Promise<ApiWallet[]> {
  const wallets: ApiWallet[] = [];
  for await (const page of api.pages<ApiWallet>('/v1/wallets')) wallets.push(...page);
  return wallets;
}

/** One wallet and its parent chain; 404 team_not_found for an unknown team. */
export function walletBalance(api: ApiClient, teamId: string): Promise<BalanceResponse> {
  return api.get<BalanceResponse>('/v1/wallets/balance', { team_id: teamId });
}

export function allocate(api: ApiClient, body: AllocateBody, idempotencyKey: string): Promise<AllocateResponse> {
  return api.post<AllocateResponse>(WALLET_PATHS.allocate, body, { idempotencyKey });
}

export function credit(api: ApiClient, body: CreditBody, idempotencyKey: string): Promise<MutationResponse> {
  return api.post<MutationResponse>(WALLET_PATHS.credit, body, { idempotencyKey });
}

export function reclaim(api: ApiClient, body: ReclaimBody, idempotencyKey: string): Promise<MutationResponse> {
  return api.post<MutationResponse>(WALLET_PATHS.reclaim, body, { idempotencyKey });
}

export interface TransactionFilter {
  teamId: string;
  /** ISO instants; until exclusive. */
  since?: string | undefined;
  until?: string | undefined;
  types?: readonly TransactionType[] | undefined;
}

/** Ledger rows in (created_at, id) order, page by page. */
export function transactionPages(api: ApiClient, filter: TransactionFilter): AsyncGenerator<ApiTransaction[], void, undefined> {
  const query: Query = {
    team_id: filter.teamId,
    since: filter.since,
    until: filter.until,
    type: filter.types === undefined || filter.types.length === 0 ? undefined : filter.types.join(','),
  };
  return api.pages<ApiTransaction>('/v1/wallets/transactions', query, { pageSize: MAX_PAGE_SIZE });
}
