// Typed calls for the wallet endpoints (docs/api-contract.md § Wallet
// endpoints, and the product's paths). Amounts are parsed to exact Money here,
// once; request bodies carry Money, written as exact decimals by the client.
import type { ApiClient, Query } from './client.js';
import { ApiError } from '../errors.js';
import { pageThrough } from './pages.js';
import { asObject, optionalMoney, optionalText, quoteNames, requiredMoney, requiredText, unexpected } from './read.js';
import { MAX_PAGE_SIZE } from '../domain/events.js';
import { type Money, nanos } from '../domain/money.js';
import type { TransactionType } from '../domain/ledger.js';
import type { WalletPeriod } from '../domain/periods.js';
import { ORG_TEAM } from '../domain/teams.js';

/** The product's wallet scopes: spend cascades user → team → organization. */
export const WALLET_SCOPES = ['organization', 'team', 'user'] as const;
export type WalletScope = (typeof WALLET_SCOPES)[number];

/**
 * A wallet as kt reads it: money exact (nano-units), and every field the
 * server did not send null, never a made-up zero or default. kt's contract
 * sends this period's allocated and spent; the product's console shows
 * cumulative totals (total_allocated, total_spent) and a balance. Both are
 * kept apart, because a percentage means something different on each.
 */
export interface Wallet {
  id: string;
  /** The team the wallet belongs to; `org` for the organization's wallet when the server names no team; null for a user wallet. */
  team_id: string | null;
  /** The user of a user-scope wallet. */
  user_id: string | null;
  /** organization, team or user as the server says it (or as kt's contract implies it: no parent is the organization). */
  scope: WalletScope | null;
  name: string | null;
  parent_id: string | null;
  currency: string | null;
  /** monthly, quarterly, yearly in kt's contract; null when the server names none. */
  period: string | null;
  /** This period's allocation (kt's contract). */
  allocated: Money | null;
  /** This period's spend (kt's contract). */
  spent: Money | null;
  /** Everything ever allocated (the console's Total Allocated). */
  total_allocated: Money | null;
  /** Everything ever spent (the console's Total Spent). */
  total_spent: Money | null;
  reserved: Money | null;
  /** What may still be spent: kt's `available`, the console's Balance. */
  available: Money | null;
  unallocated: Money | null;
  soft_cap: Money | null;
  hard_cap: Money | null;
  /** The server speaks of caps at all (sends soft_cap or hard_cap, if only as null): null caps then mean "none set". */
  caps_reported: boolean;
  /** healthy, low, depleted, blocked (lower-cased). */
  status: string | null;
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

const SCOPE_WORDS: Readonly<Record<string, WalletScope>> = {
  organization: 'organization',
  organisation: 'organization',
  org: 'organization',
  team: 'team',
  user: 'user',
  personal: 'user',
};

function readScope(text: string | null): WalletScope | null {
  if (text === null) return null;
  return SCOPE_WORDS[text.trim().toLowerCase()] ?? null;
}

// kt's contract names the fields allocated, spent, available; the product's
// console Total Allocated, Total Spent, Balance, each under a scope
// (organization, team, user) that may come as `scope` or `scope_type`, with
// the scope's id in `scope_id`. Field names not documented exactly are read
// tolerantly, as events are.
export function readWallet(raw: unknown, where: string): Wallet {
  const o = asObject(raw, 'a wallet', where);
  const money = (names: readonly string[]): Money | null => optionalMoney(o, names, 'a wallet', where);
  const id = optionalText(o, ['id', 'wallet_id']);
  const scopeText = optionalText(o, ['scope', 'scope_type', 'wallet_scope']);
  const said = readScope(scopeText);
  const scopeId = optionalText(o, ['scope_id']);
  const parent = optionalText(o, ['parent_id', 'parent', 'parent_team_id']);
  let user = optionalText(o, ['user_id', 'user']);
  if (user === null && said === 'user') user = scopeId;
  let team = optionalText(o, ['team_id', 'team']);
  if (team === null && said === 'team') team = scopeId;
  if (team === null && said === 'organization') team = ORG_TEAM;
  // No scope and no team: a wallet of kt's shape keyed by its id, or a user's.
  if (team === null && said === null && user === null) team = id;
  if (team === null && user === null) throw unexpected(where, `a wallet without ${quoteNames(['team_id', 'team', 'user_id', 'id'])}`);
  let scope = said;
  if (scope === null && scopeText === null) {
    // A server without scopes (kt's contract before them): `org` is the organization, a wallet with a parent a team's.
    if (team === null) scope = 'user';
    else if (team === ORG_TEAM) scope = 'organization';
    else if (parent !== null) scope = 'team';
  }
  const allocated = money(['allocated', 'allocation']);
  const spent = money(['spent']);
  const reserved = money(['reserved', 'reserved_balance']);
  let available = money(['available', 'balance', 'available_balance']);
  // kt's contract defines available = allocated − spent − reserved: computed only from three reported figures.
  if (available === null && allocated !== null && spent !== null && reserved !== null) available = nanos(allocated - spent - reserved);
  const status = optionalText(o, ['status']);
  return {
    id: id ?? (team !== null ? team : `user:${user ?? ''}`),
    team_id: scope === 'user' ? null : team,
    user_id: user,
    scope,
    name: optionalText(o, ['name', 'team_name', 'display_name']),
    parent_id: parent,
    currency: optionalText(o, ['currency']),
    period: optionalText(o, ['period']),
    allocated,
    spent,
    total_allocated: money(['total_allocated']),
    total_spent: money(['total_spent']),
    reserved,
    available,
    unallocated: money(['unallocated']),
    soft_cap: money(['soft_cap']),
    hard_cap: money(['hard_cap']),
    caps_reported: 'soft_cap' in o || 'hard_cap' in o,
    status: status === null ? null : status.toLowerCase(),
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
 * One wallet and its parent chain (kt's contract: `{wallet, parents}`; 404
 * team_not_found for an unknown team). A body that is the wallet itself is
 * read as one with no parents listed; a `cascade` (or `wallets`) list as the
 * wallet first, then the scopes spend falls through to.
 */
export async function walletBalance(api: ApiClient, teamId: string): Promise<BalanceResponse> {
  const where = 'GET /v1/wallets/balance';
  const body = asObject(await api.get<unknown>('/v1/wallets/balance', { team_id: teamId }), 'the response', where);
  const list = Array.isArray(body.cascade) ? body.cascade : Array.isArray(body.wallets) ? body.wallets : undefined;
  if (list !== undefined && body.wallet === undefined) {
    const [first, ...rest] = list.map((w) => readWallet(w, where));
    if (first === undefined) throw unexpected(where, 'an empty cascade');
    return { wallet: first, parents: rest };
  }
  const wallet = readWallet(body.wallet ?? body, where);
  const parents = Array.isArray(body.parents) ? body.parents.map((p) => readWallet(p, where)) : [];
  return { wallet, parents };
}

/** Whether `w` is the wallet `--team team` means: `org` is the organization-scope wallet, whatever its id. */
export function isTeamWallet(w: Wallet, team: string): boolean {
  if (w.scope === 'user') return false;
  if (team === ORG_TEAM) return w.scope === 'organization' || w.team_id === ORG_TEAM;
  return w.team_id === team && w.scope !== 'organization';
}

/** The wallet `--team team` means among `wallets`, or undefined. */
export function walletOfTeam(wallets: readonly Wallet[], team: string): Wallet | undefined {
  if (team === ORG_TEAM) return wallets.find((w) => w.scope === 'organization') ?? wallets.find((w) => isTeamWallet(w, team));
  return wallets.find((w) => isTeamWallet(w, team));
}

/** The team ids `--team` accepts among `wallets` (`org` for the organization's). */
export function teamIds(wallets: readonly Wallet[]): string[] {
  const ids = new Set<string>();
  for (const w of wallets) {
    if (w.scope === 'organization') ids.add(ORG_TEAM);
    else if (w.scope !== 'user' && w.team_id !== null) ids.add(w.team_id);
  }
  return [...ids].sort();
}

/** The key a wallet has in the hierarchy: its team id, or for a user wallet its id. */
export function walletKey(w: Wallet): string {
  return w.scope === 'organization' ? ORG_TEAM : (w.team_id ?? w.id);
}

/**
 * The key of a wallet's parent: the one the server names, else (the product
 * names none) the organization's wallet for every team and user wallet.
 */
export function parentKey(w: Wallet, hasOrganization: boolean): string | null {
  if (w.parent_id !== null) return w.parent_id;
  if (w.scope === 'organization' || !hasOrganization) return null;
  return w.scope === 'team' || w.scope === 'user' ? ORG_TEAM : null;
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
