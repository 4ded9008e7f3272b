// Typed calls for the wallet endpoints (docs/api-contract.md § Wallet
// endpoints, and the product's paths). Amounts are parsed to exact Money here,
// once; request bodies carry Money, written as exact decimals by the client.
import type { ApiClient, Query } from './client.js';
import { ApiError } from '../errors.js';
import { pageThrough } from './pages.js';
import { asObject, optionalMoney, optionalText, quoteNames, requiredMoney, requiredText, unexpected } from './read.js';
import { MAX_PAGE_SIZE } from '../domain/events.js';
import type { Money } from '../domain/money.js';
import type { TransactionType } from '../domain/ledger.js';
import type { WalletPeriod } from '../domain/periods.js';

/** A wallet as kt reads it (money exact, in nano-units). */
export interface Wallet {
  id: string;
  team_id: string;
  name: string;
  parent_id: string | null;
  currency: string;
  /** monthly, quarterly, yearly in kt's contract; whatever the server says otherwise. */
  period: string;
  allocated: Money;
  spent: Money;
  reserved: Money;
  available: Money;
  unallocated: Money | null;
  soft_cap: Money | null;
  hard_cap: Money | null;
  /** healthy, low, depleted, blocked in kt's contract (lower-cased). */
  status: string;
  soft_cap_crossed_at: string | null;
  period_start: string | null;
  period_end: string | null;
}

export interface Transaction {
  id: string;
  wallet_id: string | null;
  team_id: string | null;
  /** credit, allocate, reclaim, reserve, settle, release, expire in kt's contract. */
  type: string;
  amount: Money;
  balance_after: Money | null;
  reservation_id: string | null;
  event_id: string | null;
  created_at: string;
}

export interface BalanceResponse {
  wallet: Wallet;
  /** Nearest parent first, the organization last. */
  parents: Wallet[];
}

// The product's console names the columns Balance, Total Allocated, Total
// Spent; kt's contract says available, allocated, spent. Both are read.
export function readWallet(raw: unknown, where: string): Wallet {
  const o = asObject(raw, 'a wallet', where);
  const id = optionalText(o, ['id', 'wallet_id']);
  const team = optionalText(o, ['team_id', 'team', 'scope_id']) ?? id;
  if (team === null) throw unexpected(where, `a wallet without ${quoteNames(['team_id', 'team', 'id'])}`);
  const allocated = optionalMoney(o, ['allocated', 'total_allocated'], 'a wallet', where) ?? 0n;
  const spent = optionalMoney(o, ['spent', 'total_spent'], 'a wallet', where) ?? 0n;
  const reserved = optionalMoney(o, ['reserved'], 'a wallet', where) ?? 0n;
  const available = optionalMoney(o, ['available', 'balance'], 'a wallet', where) ?? allocated - spent - reserved;
  return {
    id: id ?? team,
    team_id: team,
    name: optionalText(o, ['name', 'team_name']) ?? team,
    parent_id: optionalText(o, ['parent_id', 'parent']),
    currency: optionalText(o, ['currency']) ?? 'USD',
    period: optionalText(o, ['period']) ?? 'monthly',
    allocated,
    spent,
    reserved,
    available,
    unallocated: optionalMoney(o, ['unallocated'], 'a wallet', where),
    soft_cap: optionalMoney(o, ['soft_cap'], 'a wallet', where),
    hard_cap: optionalMoney(o, ['hard_cap'], 'a wallet', where),
    status: (optionalText(o, ['status']) ?? 'active').toLowerCase(),
    soft_cap_crossed_at: optionalText(o, ['soft_cap_crossed_at']),
    period_start: optionalText(o, ['period_start']),
    period_end: optionalText(o, ['period_end']),
  };
}

export function readTransaction(raw: unknown, where: string): Transaction {
  const o = asObject(raw, 'a transaction', where);
  const created = requiredText(o, ['created_at', 'timestamp', 'time'], 'a transaction', where);
  return {
    id: optionalText(o, ['id', 'transaction_id']) ?? created,
    wallet_id: optionalText(o, ['wallet_id']),
    team_id: optionalText(o, ['team_id', 'team']),
    type: requiredText(o, ['type', 'kind'], 'a transaction', where),
    amount: requiredMoney(o, ['amount'], 'a transaction', where),
    balance_after: optionalMoney(o, ['balance_after', 'balance'], 'a transaction', where),
    reservation_id: optionalText(o, ['reservation_id']),
    event_id: optionalText(o, ['event_id']),
    created_at: created,
  };
}

export interface AllocateBody {
  team_id: string;
  amount: Money;
  currency: string;
  period: WalletPeriod;
  parent_id?: string;
  name?: string;
  soft_cap?: Money;
  hard_cap?: Money;
}

export interface AllocateResponse extends MutationResponse {
  previous_allocated: Money | null;
}

export interface CreditBody {
  team_id: string;
  amount: Money;
  currency?: string;
}

export type ReclaimBody = { team_id: string; amount: Money } | { team_id: string; all: true };

export interface MutationResponse {
  wallet: Wallet;
  transaction: Transaction | null;
}

function readMutation(raw: unknown, where: string): MutationResponse {
  const o = asObject(raw, 'the response', where);
  const wallet = readWallet(o.wallet ?? o, where);
  const transaction = o.transaction === undefined || o.transaction === null ? null : readTransaction(o.transaction, where);
  return { wallet, transaction };
}

export const WALLET_PATHS = {
  allocate: '/v1/wallets/allocate',
  credit: '/v1/wallets/credit',
  reclaim: '/v1/wallets/reclaim',
} as const;

/** Every wallet, depth-first from the organization. */
export async function listWallets(api: ApiClient): Promise<Wallet[]> {
  const wallets: Wallet[] = [];
  for await (const page of pageThrough(api, '/v1/wallets', {}, { listKeys: ['wallets'], pageSize: MAX_PAGE_SIZE, read: readWallet })) wallets.push(...page);
  return wallets;
}

/**
 * One wallet and its parent chain; 404 team_not_found for an unknown team.
 * A body that is the wallet itself (no `wallet` key) is read as one with no
 * parents listed.
 */
export async function walletBalance(api: ApiClient, teamId: string): Promise<BalanceResponse> {
  const where = 'GET /v1/wallets/balance';
  const body = asObject(await api.get<unknown>('/v1/wallets/balance', { team_id: teamId }), 'the response', where);
  const wallet = readWallet(body.wallet ?? body, where);
  const parents = Array.isArray(body.parents) ? body.parents.map((p) => readWallet(p, where)) : [];
  return { wallet, parents };
}

export async function allocate(api: ApiClient, body: AllocateBody, idempotencyKey: string): Promise<AllocateResponse> {
  const where = `POST ${WALLET_PATHS.allocate}`;
  const raw = await api.post<unknown>(WALLET_PATHS.allocate, body, { idempotencyKey });
  const o = asObject(raw, 'the response', where);
  return { ...readMutation(o, where), previous_allocated: optionalMoney(o, ['previous_allocated'], 'the response', where) };
}

export async function credit(api: ApiClient, body: CreditBody, idempotencyKey: string): Promise<MutationResponse> {
  return readMutation(await api.post<unknown>(WALLET_PATHS.credit, body, { idempotencyKey }), `POST ${WALLET_PATHS.credit}`);
}

export async function reclaim(api: ApiClient, body: ReclaimBody, idempotencyKey: string): Promise<MutationResponse> {
  return readMutation(await api.post<unknown>(WALLET_PATHS.reclaim, body, { idempotencyKey }), `POST ${WALLET_PATHS.reclaim}`);
}

export interface TransactionFilter {
  teamId: string;
  /** The team's wallet id, for the product's /v1/wallets/{id}/transactions. */
  walletId?: string | undefined;
  /** ISO instants; until exclusive. */
  since?: string | undefined;
  until?: string | undefined;
  types?: readonly TransactionType[] | undefined;
}

/**
 * Ledger rows in time order, page by page. kt's contract serves them at
 * /v1/wallets/transactions?team_id=; the product's API reference at
 * /v1/wallets/{id}/transactions. The first is tried first; a plain 404 (not
 * an unknown team) switches to the second.
 */
export async function* transactionPages(api: ApiClient, filter: TransactionFilter): AsyncGenerator<Transaction[], void, undefined> {
  const query: Query = {
    team_id: filter.teamId,
    since: filter.since,
    until: filter.until,
    type: filter.types === undefined || filter.types.length === 0 ? undefined : filter.types.join(','),
  };
  const spec = {
    listKeys: ['transactions'],
    pageSize: MAX_PAGE_SIZE,
    noun: { one: 'a transaction', many: 'transactions' },
    read: readTransaction,
    byTime: { time: (t: Transaction) => Date.parse(t.created_at), key: (t: Transaction) => t.id },
  };
  const wanted = filter.types === undefined || filter.types.length === 0 ? undefined : new Set<string>(filter.types);
  const keep = (page: Transaction[]): Transaction[] => (wanted === undefined ? page : page.filter((t) => wanted.has(t.type)));
  let pages = pageThrough(api, '/v1/wallets/transactions', query, spec);
  let first: IteratorResult<Transaction[], void>;
  try {
    first = await pages.next();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404 || error.code === 'team_not_found' || filter.walletId === undefined) throw error;
    pages = pageThrough(api, `/v1/wallets/${encodeURIComponent(filter.walletId)}/transactions`, query, spec);
    first = await pages.next();
  }
  if (first.done === true) return;
  yield keep(first.value);
  for await (const page of pages) yield keep(page);
}
