// Endpoint logic of the control-plane API v1 (docs/api-contract.md), run
// synchronously inside the request's transaction, after its batch has
// brought the ledger up to the clock (roll-over, expiry). Reads here never
// write.
import { durationMs, parseInstant, TimeError } from '../domain/time.js';
import { microsToJson, type Micros } from '../domain/money.js';
import { subtree, teamForest } from '../domain/teams.js';
import type { EmulatorClock } from './clock.js';
import { ApiFailure, invalid } from './failure.js';
import { aggregateEvents, listEvents, transactions } from './list-endpoints.js';
import { amountField, capField, currencyField, periodField, str, teamIdField, tokensField, type Body } from './request-fields.js';
import { eventJson, txnJson, walletJson } from './resource-json.js';
import { iso, type TxnRow, type WalletRow } from './schema.js';
import type { Store } from './store.js';

export type Scope = 'admin' | 'gateway';

export interface ApiContext {
  store: Store;
  clock: EmulatorClock;
}

interface Result {
  status: number;
  body: unknown;
}

export function routeRequest(ctx: ApiContext, scope: Scope, method: string, url: URL, body: Body | undefined): Result {
  const { store } = ctx;
  const route = `${method} ${url.pathname.replace(/\/+$/, '')}`;
  const q = url.searchParams;
  const b = body ?? {};
  switch (route) {
    case 'GET /v1/whoami':
      return ok({ org: 'demo', name: scope, scopes: [scope] });
    case 'GET /v1/wallets':
      return ok(listWallets(store));
    case 'GET /v1/wallets/balance':
      return ok(balance(store, q));
    case 'POST /v1/wallets/allocate':
      return ok(allocate(store, b));
    case 'POST /v1/wallets/credit':
      return ok(credit(store, b));
    case 'POST /v1/wallets/reclaim':
      return ok(reclaim(store, b));
    case 'GET /v1/wallets/transactions':
      return ok(transactions(store, q));
    case 'GET /v1/events':
      return ok(q.has('aggregate') ? aggregateEvents(store, q) : listEvents(store, q));
    case 'POST /v1/gateway/wallets/reserve':
      return { status: 201, body: reserve(store, b) };
    case 'POST /v1/gateway/wallets/settle':
      return ok(settle(store, b));
    case 'POST /v1/gateway/wallets/release':
      return ok(release(store, b));
    case 'POST /v1/emulator/clock':
      return ok(moveClock(ctx.clock, b));
    default:
      throw new ApiFailure(404, 'not_found', `no such endpoint: ${method} ${url.pathname}`);
  }
}

const ok = (body: unknown): Result => ({ status: 200, body });

// ---- wallets ----------------------------------------------------------------

function listWallets(store: Store): unknown {
  const all = store.wallets.all();
  const forest = teamForest(all, (w) => w.team_id, (w) => w.parent_id);
  const data: unknown[] = [];
  for (const root of forest.roots) for (const w of subtree(forest, root, (x) => x.team_id)) data.push(walletJson(w));
  return { data, next_cursor: null };
}

function balance(store: Store, q: URLSearchParams): unknown {
  const team = q.get('team_id');
  if (team === null || team === '') throw invalid('missing query parameter "team_id"');
  const [wallet, ...parents] = store.wallets.chain(team);
  return { wallet: walletJson(wallet as WalletRow), parents: parents.map(walletJson) };
}

function allocate(store: Store, b: Body): unknown {
  const teamId = teamIdField(b);
  const amount = amountField(b, 'amount', { required: true }) as Micros;
  const currency = currencyField(b, true) as string;
  const period = periodField(b);
  const parentId = b.parent_id === undefined || b.parent_id === null ? undefined : teamIdField(b, 'parent_id');
  const name = str(b, 'name', false);
  const softCap = capField(b, 'soft_cap');
  const hardCap = capField(b, 'hard_cap');
  if (softCap != null && hardCap != null && softCap > hardCap) {
    throw invalid(`soft_cap ${microsToJson(softCap)} is above hard_cap ${microsToJson(hardCap)}`, { field: 'soft_cap' });
  }
  const result = store.wallets.allocate({ team_id: teamId, amount, currency, period, parent_id: parentId, name, soft_cap: softCap, hard_cap: hardCap });
  const txn = result.txnSeq === null ? undefined : store.wallets.transaction(result.txnSeq);
  return {
    wallet: walletJson(result.wallet),
    previous_allocated: result.previous === null ? null : microsToJson(result.previous),
    transaction: txn === undefined ? null : txnJson(txn),
  };
}

function credit(store: Store, b: Body): unknown {
  const teamId = teamIdField(b);
  const amount = amountField(b, 'amount', { required: true }) as Micros;
  const currency = currencyField(b, false);
  const { wallet, txnSeq } = store.wallets.credit(teamId, amount, currency);
  return { wallet: walletJson(wallet), transaction: txnJson(store.wallets.transaction(txnSeq) as TxnRow) };
}

function reclaim(store: Store, b: Body): unknown {
  const teamId = teamIdField(b);
  let amount: Micros | 'all';
  if (b.all === true) {
    if (b.amount !== undefined) throw invalid('pass either "amount" or "all": true, not both');
    amount = 'all';
  } else {
    if (b.all !== undefined && b.all !== false) throw invalid('"all" must be true or false', { field: 'all' });
    amount = amountField(b, 'amount', { required: true }) as Micros;
  }
  const { wallet, txnSeq } = store.wallets.reclaim(teamId, amount);
  return { wallet: walletJson(wallet), transaction: txnJson(store.wallets.transaction(txnSeq) as TxnRow) };
}

// ---- gateway ----------------------------------------------------------------

function reserve(store: Store, b: Body): unknown {
  const teamId = teamIdField(b);
  const estimate = amountField(b, 'estimated_cost', { required: true }) as Micros;
  const requestId = str(b, 'request_id', false) ?? null;
  const r = store.reservations.reserve(teamId, estimate, requestId);
  return { reservation_id: r.id, team_id: r.team_id, amount: microsToJson(r.amount), status: r.status, expires_at: iso(r.expires_at) };
}

function settle(store: Store, b: Body): unknown {
  const reservationId = str(b, 'reservation_id', true);
  const actual = amountField(b, 'actual_cost', { required: true, allowZero: true }) as Micros;
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
  return { reservation_id: result.reservation.id, status: 'settled', event: eventJson(result.event), released: microsToJson(result.released) };
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
