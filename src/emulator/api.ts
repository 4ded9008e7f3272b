// Endpoint logic of the control-plane API v1 (docs/api-contract.md), run
// synchronously inside the request's transaction, after its batch has
// brought the ledger up to the clock (roll-over, expiry). Reads here never
// write.
import { durationMs, parseInstant, TimeError } from '../domain/time.js';
import type { Money } from '../domain/money.js';
import { subtree, teamForest } from '../domain/teams.js';
import type { EmulatorClock } from './clock.js';
import { ApiFailure, decimal, invalid } from './failure.js';
import { aggregateEvents, KT_LIST, listEvents, transactions } from './list-endpoints.js';
import { amountField, capField, currencyField, eventDetails, periodField, str, teamIdField, tokensField, type Body } from './request-fields.js';
import { eventJson, productWalletJson, RawJson, reservationText, settledText, txnJson, walletJson } from './resource-json.js';
import { availableOf, keyOfWalletId, scopeOf, userKey, userOf, walletId } from './wallets.js';
import { iso, type EventRow, type TxnRow, type WalletRow } from './schema.js';
import type { Store } from './store.js';

export type Scope = 'admin' | 'gateway';

/** kt's contract (docs/api-contract.md) or the shapes the product's public docs show. */
export type Dialect = 'kt' | 'product';
export const DIALECTS: readonly Dialect[] = ['kt', 'product'];

export interface ApiContext {
  store: Store;
  clock: EmulatorClock;
  dialect: Dialect;
}

interface Result {
  status: number;
  body: unknown;
}

export function routeRequest(ctx: ApiContext, scope: Scope, method: string, url: URL, body: Body | undefined): Result {
  const { store } = ctx;
  const path = url.pathname.replace(/\/+$/, '');
  const route = `${method} ${path}`;
  const q = url.searchParams;
  const b = body ?? {};
  const product = ctx.dialect === 'product';
  const walletTxns = /^\/v1\/wallets\/([^/]+)\/transactions$/.exec(path);
  if (method === 'GET' && walletTxns !== null && walletTxns[1] !== 'transactions') {
    const team = walletTeam(store, decodeURIComponent(walletTxns[1] ?? ''));
    return ok(transactions(store, q, product ? { dialect: 'product', name: 'transactions' } : KT_LIST, team));
  }
  switch (route) {
    case 'GET /v1/whoami':
      return ok(product ? productWhoami(scope) : { org: 'demo', name: scope, scopes: [scope] });
    case 'GET /v1/wallets':
      return ok(product ? { wallets: walletsInOrder(store).map(productWalletJson) } : { data: walletsInOrder(store).map(walletJson), next_cursor: null });
    case 'GET /v1/wallets/balance':
      return ok(product ? cascade(store, q) : balance(store, q));
    case 'POST /v1/wallets/allocate':
      return ok(allocate(store, b, product));
    case 'POST /v1/wallets/credit':
      return ok(credit(store, b, product));
    case 'POST /v1/wallets/reclaim':
      return ok(reclaim(store, b, product));
    case 'GET /v1/wallets/transactions':
      // The product documents the ledger only under a wallet's id.
      if (product) throw notFound(method, url);
      return ok(transactions(store, q));
    case 'GET /v1/events':
      if (product) return ok(listEvents(store, q, { dialect: 'product', name: 'events' }));
      return ok(q.has('aggregate') ? aggregateEvents(store, q) : listEvents(store, q));
    case 'POST /v1/events':
      return { status: 201, body: postEvent(store, b) };
    case 'POST /v1/gateway/wallets/reserve':
      return { status: 201, body: reserve(store, b, product) };
    case 'POST /v1/gateway/wallets/settle':
      return ok(settle(store, b));
    case 'POST /v1/gateway/wallets/release':
      return ok(release(store, b));
    case 'POST /v1/emulator/clock':
      return ok(moveClock(ctx.clock, b));
    default:
      throw notFound(method, url);
  }
}

const notFound = (method: string, url: URL): ApiFailure => new ApiFailure(404, 'not_found', `no such endpoint: ${method} ${url.pathname}`);

/** The wallet of a path segment: its id (`wal_search`, `uwal_ada`) or, leniently, its team id. */
function walletTeam(store: Store, id: string): string {
  const team = keyOfWalletId(id);
  if (!store.wallets.has(team)) throw new ApiFailure(404, 'wallet_not_found', `no wallet "${id}"`, { wallet_id: id });
  return team;
}

/** whoami as the product's docs show it: a user, an organization, a role and scopes. */
function productWhoami(scope: Scope): unknown {
  return {
    user: { id: scope === 'admin' ? 'usr_emulator_admin' : 'usr_emulator_gateway', email: `${scope}@emulator.local` },
    organization: { id: 'org_demo', name: 'demo' },
    role: scope === 'admin' ? 'admin' : 'gateway',
    scope: scope === 'admin' ? ['org:billing', 'events:read'] : ['gateway'],
  };
}

/**
 * `POST /v1/events`: a gateway reports a request after the fact (no
 * reservation). The event is stored and charged to its team's wallet chain,
 * as history is; the product fields are optional.
 */
function postEvent(store: Store, b: Body): unknown {
  const teamId = teamIdField(b);
  store.wallets.get(teamId);
  const provider = str(b, 'provider', true);
  const model = str(b, 'model', true);
  const inputTokens = tokensField(b, 'input_tokens');
  const outputTokens = tokensField(b, 'output_tokens');
  const cached = b.cached === undefined ? false : b.cached;
  if (typeof cached !== 'boolean') throw invalid('"cached" must be true or false', { field: 'cached' });
  const { decision, cost } = eventDetails(b, (message) => invalid(message), { exact: true });
  let ts = store.now();
  const stamp = str(b, 'timestamp', false);
  if (stamp !== undefined) {
    ts = Date.parse(stamp);
    if (Number.isNaN(ts)) throw invalid('"timestamp" is not an ISO-8601 date-time', { field: 'timestamp' });
    if (ts > store.now()) throw invalid('"timestamp" is in the future', { field: 'timestamp' });
  }
  const seq = store.recordEvent({
    ts,
    team_id: teamId,
    user_id: str(b, 'user_id', false) ?? null,
    provider,
    model,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cached,
    cost,
    currency: store.wallets.get(teamId).currency,
    request_id: str(b, 'request_id', false) ?? null,
    decision,
  });
  // The product's endpoint: its event shape, with event_cost_attribution.
  return { event: eventJson(store.events.get(seq) as EventRow, true) };
}

const ok = (body: unknown): Result => ({ status: 200, body });

// ---- wallets ----------------------------------------------------------------

/** Every wallet depth-first from each root: the organization's tree, then the users' wallets. */
function walletsInOrder(store: Store): WalletRow[] {
  const all = store.wallets.all();
  const forest = teamForest(all, (w) => w.team_id, (w) => w.parent_id);
  const roots = [...forest.roots].sort((a, b) => Number(scopeOf(a) === 'user') - Number(scopeOf(b) === 'user'));
  return roots.flatMap((root) => subtree(forest, root, (x) => x.team_id));
}

function balance(store: Store, q: URLSearchParams): unknown {
  const team = q.get('team_id');
  if (team === null || team === '') throw invalid('missing query parameter "team_id"');
  const [wallet, ...parents] = store.wallets.chain(team);
  return { wallet: walletJson(wallet as WalletRow), parents: parents.map(walletJson) };
}

/**
 * The product's balance: the cascade summary (the wallets spend falls
 * through, user → team → organization) and the scope that pays now, for
 * the team and, with `user_id`, its user.
 */
function cascade(store: Store, q: URLSearchParams): unknown {
  const team = q.get('team_id');
  if (team === null || team === '') throw invalid('missing query parameter "team_id"');
  const user = q.get('user_id');
  const own = user === null || user === '' ? undefined : store.wallets.find(userKey(user));
  // The user's wallet, then the team's chain (each wallet a charge to the team holds money in), ending at the organization.
  const list = [...(own === undefined ? [] : [own]), ...store.wallets.chain(team)];
  const paying = list.find((w) => availableOf(w) > 0n);
  return { effective_scope: paying === undefined ? null : scopeOf(paying), cascade: list.map(productWalletJson) };
}

/** The chains a charge may fall through, in order: the user's wallet, the team's chain, the organization alone. */
function cascadeOf(store: Store, team: string, user: string | null): WalletRow[][] {
  const chains: WalletRow[][] = [];
  if (user !== null) {
    const own = store.wallets.find(userKey(user));
    if (own !== undefined) chains.push([own]);
  }
  const teamChain = store.wallets.chain(team);
  chains.push(teamChain);
  const org = teamChain[teamChain.length - 1] as WalletRow;
  if (teamChain.length > 1) chains.push([org]);
  return chains;
}

/** A user id: any text a gateway names its users by (an id, an email), up to 256 characters. */
function userIdField(b: Body): string {
  const v = str(b, 'user_id', true);
  if (v.length > 256 || [...v].some((c) => c.charCodeAt(0) < 0x20)) throw invalid('"user_id" must be at most 256 characters, without control characters', { field: 'user_id' });
  return v;
}

/** A wallet as the dialect shows it. */
const shown = (w: WalletRow, product: boolean): Record<string, unknown> => (product ? productWalletJson(w) : walletJson(w));

/** The wallet a write names: `team_id`, or `user_id` for a user's wallet (one of them). */
function walletKeyField(b: Body): string {
  if (b.user_id !== undefined && b.user_id !== null) {
    if (b.team_id !== undefined && b.team_id !== null) throw invalid('pass either "team_id" or "user_id", not both');
    return userKey(userIdField(b));
  }
  return teamIdField(b);
}

function allocate(store: Store, b: Body, product: boolean): unknown {
  const teamId = walletKeyField(b);
  const amount = amountField(b, 'amount', { required: true }) as Money;
  const currency = currencyField(b, true) as string;
  const period = periodField(b);
  const parentId = b.parent_id === undefined || b.parent_id === null ? undefined : teamIdField(b, 'parent_id');
  const name = str(b, 'name', false);
  const softCap = capField(b, 'soft_cap');
  const hardCap = capField(b, 'hard_cap');
  if (softCap != null && hardCap != null && softCap > hardCap) {
    throw invalid(`soft_cap ${decimal(softCap)} is above hard_cap ${decimal(hardCap)}`, { field: 'soft_cap' });
  }
  if (parentId !== undefined && userOf({ team_id: teamId }) !== null) throw invalid("a user's wallet has no parent: drop \"parent_id\"", { field: 'parent_id' });
  const result = store.wallets.allocate({ team_id: teamId, amount, currency, period, parent_id: parentId, name, soft_cap: softCap, hard_cap: hardCap });
  const txn = result.txnSeq === null ? undefined : store.wallets.transaction(result.txnSeq);
  return {
    wallet: shown(result.wallet, product),
    previous_allocated: result.previous === null ? null : result.previous,
    transaction: txn === undefined ? null : txnJson(txn),
  };
}

function credit(store: Store, b: Body, product: boolean): unknown {
  const teamId = walletKeyField(b);
  const amount = amountField(b, 'amount', { required: true }) as Money;
  const currency = currencyField(b, false);
  const { wallet, txnSeq } = store.wallets.credit(teamId, amount, currency);
  return { wallet: shown(wallet, product), transaction: txnJson(store.wallets.transaction(txnSeq) as TxnRow) };
}

function reclaim(store: Store, b: Body, product: boolean): unknown {
  const teamId = walletKeyField(b);
  let amount: Money | 'all';
  if (b.all === true) {
    if (b.amount !== undefined) throw invalid('pass either "amount" or "all": true, not both');
    amount = 'all';
  } else {
    if (b.all !== undefined && b.all !== false) throw invalid('"all" must be true or false', { field: 'all' });
    amount = amountField(b, 'amount', { required: true }) as Money;
  }
  const { wallet, txnSeq } = store.wallets.reclaim(teamId, amount);
  return { wallet: shown(wallet, product), transaction: txnJson(store.wallets.transaction(txnSeq) as TxnRow) };
}

// ---- gateway ----------------------------------------------------------------

/**
 * kt's contract holds the estimate on the team's wallet and every ancestor.
 * The product's cascade charges the first scope that can pay: the user's
 * wallet (with `user_id`), then the team's, then the organization's alone.
 */
function reserve(store: Store, b: Body, product: boolean): unknown {
  const teamId = teamIdField(b);
  const estimate = amountField(b, 'estimated_cost', { required: true }) as Money;
  const requestId = str(b, 'request_id', false) ?? null;
  const user = !product || b.user_id === undefined || b.user_id === null ? null : userIdField(b);
  if (!product) return new RawJson(reservationText(store.reservations.reserve(teamId, estimate, requestId)));
  const r = store.reservations.reserveFirst(teamId, cascadeOf(store, teamId, user), estimate, requestId);
  const charged = store.reservations.chargedTo(r.id);
  return {
    reservation_id: r.id,
    team_id: r.team_id,
    wallet_id: walletId({ team_id: charged }),
    scope: scopeOf(store.wallets.get(charged)),
    amount: r.amount,
    status: r.status,
    expires_at: iso(r.expires_at),
  };
}

function settle(store: Store, b: Body): unknown {
  const reservationId = str(b, 'reservation_id', true);
  const actual = amountField(b, 'actual_cost', { required: true, allowZero: true }) as Money;
  const provider = str(b, 'provider', true);
  const model = str(b, 'model', true);
  const inputTokens = tokensField(b, 'input_tokens');
  const outputTokens = tokensField(b, 'output_tokens');
  const cached = b.cached === undefined ? false : b.cached;
  if (typeof cached !== 'boolean') throw invalid('"cached" must be true or false', { field: 'cached' });
  const userId = str(b, 'user_id', false) ?? null;
  const result = store.reservations.settle({
    reservation_id: reservationId,
    actual,
    provider,
    model,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cached,
    user_id: userId,
  });
  return new RawJson(settledText(result.reservation.id, result.event, result.released));
}

function release(store: Store, b: Body): unknown {
  const reservationId = str(b, 'reservation_id', true);
  const r = store.reservations.release(reservationId);
  return { reservation_id: r.id, status: r.status };
}

// ---- emulator only ------------------------------------------------------------

// The last instant a JavaScript Date can hold.
const LAST_INSTANT = 8.64e15;

/**
 * Moves a fixed clock (KT_NOW) forward. The ledger catches up at the start of
 * the next batch, exactly as it does when the wall clock passes a period end
 * or an expiry.
 */
function moveClock(clock: EmulatorClock, b: Body): unknown {
  clock.ensureFixed();
  const { advance, now } = b;
  if (advance !== undefined && now !== undefined) throw invalid('pass either "advance" or "now", not both');
  let target: number;
  if (advance !== undefined) {
    const bad = (): ApiFailure => invalid(`invalid advance ${JSON.stringify(advance)}: use a duration such as 2s, 5m or 1d (units ms, s, m, h, d, w)`, { field: 'advance' });
    if (typeof advance !== 'string') throw bad();
    try {
      target = clock.now() + durationMs(advance);
    } catch (error) {
      if (error instanceof TimeError) throw bad();
      throw error;
    }
  } else if (now !== undefined) {
    const bad = (): ApiFailure => invalid(`invalid now ${JSON.stringify(now)}: use an ISO-8601 instant such as 2026-12-01T00:00:00Z`, { field: 'now' });
    if (typeof now !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(now)) throw bad();
    try {
      target = parseInstant(now, new Date(clock.now())).getTime();
    } catch (error) {
      if (error instanceof TimeError) throw bad();
      throw error;
    }
  } else {
    throw invalid('missing field "advance" or "now": send {"advance": "5m"} or {"now": "2026-12-01T00:00:00Z"}');
  }
  if (!(target <= LAST_INSTANT)) throw invalid('the clock cannot move past +275760-09-13T00:00:00.000Z, the last instant a date can hold');
  return { now: iso(clock.moveTo(target)) };
}
