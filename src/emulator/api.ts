// Endpoint logic of the control-plane API v1 (docs/api-contract.md), run
// synchronously inside the request's transaction.
import { AmountError, isCurrency, microsFromJson, microsToJson, type Micros } from '../domain/money.js';
import { BUCKET_PERIODS, bucketStart, formatWithOffset, isBucketPeriod, isWalletPeriod, nextBucketStart, WALLET_PERIODS, type WalletPeriod } from '../domain/periods.js';
import { isTimeZone, parseInstant, TimeError } from '../domain/time.js';
import { ApiFailure, invalid } from './failure.js';
import { isTransactionType, TRANSACTION_TYPES } from '../domain/ledger.js';
import { isTeamId, TEAM_ID_RULE, subtree, teamForest } from '../domain/teams.js';
import { GROUP_KEYS, MAX_PAGE_SIZE } from '../domain/events.js';
import { eventId, iso, txnId, type EventRow, type Store, type TxnRow, type WalletRow } from './store.js';

export type Scope = 'admin' | 'gateway';
type Body = Record<string, unknown>;
interface Result {
  status: number;
  body: unknown;
}

export function routeRequest(store: Store, scope: Scope, method: string, url: URL, body: Body | undefined, now: () => number): Result {
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
      return ok(transactions(store, q, now));
    case 'GET /v1/events':
      return ok(q.has('aggregate') ? aggregateEvents(store, q, now) : listEvents(store, q, now));
    case 'POST /v1/gateway/wallets/reserve':
      return { status: 201, body: reserve(store, b) };
    case 'POST /v1/gateway/wallets/settle':
      return ok(settle(store, b));
    case 'POST /v1/gateway/wallets/release':
      return ok(release(store, b));
    default:
      throw new ApiFailure(404, 'not_found', `no such endpoint: ${method} ${url.pathname}`);
  }
}

const ok = (body: unknown): Result => ({ status: 200, body });

// ---- rendering ------------------------------------------------------------

export function walletJson(store: Store, w: WalletRow): Record<string, unknown> {
  const allocated = store.allocated(w);
  const available = store.available(w);
  let status = 'healthy';
  if (w.hard_cap !== null && w.spent + w.reserved >= w.hard_cap) status = 'blocked';
  else if (available <= 0) status = 'depleted';
  else if ((w.soft_cap !== null && w.spent >= w.soft_cap) || available * 10 < allocated) status = 'low';
  const { end } = periodEnd(w);
  return {
    id: `wal_${w.team_id}`,
    team_id: w.team_id,
    name: w.name,
    parent_id: w.parent_id,
    currency: w.currency,
    period: w.period,
    allocated: microsToJson(allocated),
    spent: microsToJson(w.spent),
    reserved: microsToJson(w.reserved),
    available: microsToJson(available),
    unallocated: microsToJson(store.unallocated(w)),
    soft_cap: w.soft_cap === null ? null : microsToJson(w.soft_cap),
    hard_cap: w.hard_cap === null ? null : microsToJson(w.hard_cap),
    status,
    soft_cap_crossed_at: w.soft_cap_crossed_at === null ? null : iso(w.soft_cap_crossed_at),
    period_start: iso(w.period_start),
    period_end: iso(end),
  };
}

function periodEnd(w: WalletRow): { end: number } {
  const start = new Date(w.period_start);
  const months = w.period === 'monthly' ? 1 : w.period === 'quarterly' ? 3 : 12;
  return { end: Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 1) };
}

export function eventJson(e: EventRow): Record<string, unknown> {
  return {
    id: eventId(e.seq),
    timestamp: iso(e.ts),
    team_id: e.team_id,
    user_id: e.user_id,
    provider: e.provider,
    model: e.model,
    input_tokens: e.input_tokens,
    output_tokens: e.output_tokens,
    cached: e.cached === 1,
    cost: microsToJson(e.cost),
    currency: e.currency,
    request_id: e.request_id,
  };
}

function txnJson(t: TxnRow): Record<string, unknown> {
  return {
    id: txnId(t.seq),
    wallet_id: `wal_${t.wallet_team}`,
    team_id: t.wallet_team,
    type: t.type,
    amount: microsToJson(t.amount),
    balance_after: microsToJson(t.balance_after),
    reservation_id: t.reservation_id,
    event_id: t.event_seq === null ? null : eventId(t.event_seq),
    created_at: iso(t.created_at),
  };
}

// ---- validation -------------------------------------------------------------

function str(b: Body, field: string, required: true): string;
function str(b: Body, field: string, required: false): string | undefined;
function str(b: Body, field: string, required: boolean): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) {
    if (required) throw invalid(`missing field "${field}"`, { field });
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') throw invalid(`"${field}" must be a non-empty string`, { field });
  return v;
}

function teamIdField(b: Body, field = 'team_id'): string {
  const v = str(b, field, true);
  if (!isTeamId(v)) {
    throw invalid(`invalid ${field} "${v}": use ${TEAM_ID_RULE}`, { field });
  }
  return v;
}

function amountField(b: Body, field: string, options: { required: boolean; allowZero?: boolean }): Micros | undefined {
  const v = b[field];
  if (v === undefined) {
    if (options.required) throw invalid(`missing field "${field}"`, { field });
    return undefined;
  }
  if (typeof v !== 'number') throw invalid(`"${field}" must be a number in the currency's major unit, e.g. 2500 or 12.75`, { field });
  let micros: Micros;
  try {
    micros = microsFromJson(v);
  } catch (error) {
    if (error instanceof AmountError) throw invalid(`invalid ${field}: ${error.message.replace(/^invalid amount /, '')}`, { field });
    throw error;
  }
  if (micros < 0) throw invalid(`"${field}" must not be negative`, { field });
  if (micros === 0 && options.allowZero !== true) throw invalid(`"${field}" must be greater than zero`, { field });
  return micros;
}

function capField(b: Body, field: string): Micros | null | undefined {
  if (b[field] === null) return null;
  return amountField(b, field, { required: false });
}

function currencyField(b: Body, required: boolean): string | undefined {
  const v = b.currency;
  if (v === undefined) {
    if (required) throw invalid('missing field "currency"', { field: 'currency' });
    return undefined;
  }
  if (typeof v !== 'string' || !isCurrency(v)) {
    throw new ApiFailure(400, 'invalid_currency', `unknown currency ${JSON.stringify(v)}: use an ISO code such as USD or EUR`, { field: 'currency' });
  }
  return v;
}

function tokensField(b: Body, field: string): number {
  const v = b[field];
  if (v === undefined) throw invalid(`missing field "${field}"`, { field });
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalid(`"${field}" must be a whole number >= 0`, { field });
  return v;
}

function limitParam(q: URLSearchParams): number {
  const text = q.get('limit');
  if (text === null) return 100;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_PAGE_SIZE) throw invalid(`invalid limit "${text}": use 1 to ${MAX_PAGE_SIZE}`);
  return Number(text);
}

function instantParam(q: URLSearchParams, name: string, now: () => number): number | undefined {
  const text = q.get(name);
  if (text === null || text === '') return undefined;
  try {
    return parseInstant(text, new Date(now())).getTime();
  } catch (error) {
    if (error instanceof TimeError) throw invalid(`invalid ${name}: ${error.message}`);
    throw error;
  }
}

function listParam(q: URLSearchParams, name: string): string[] | undefined {
  const text = q.get(name);
  if (text === null || text.trim() === '') return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function encodeCursor(ts: number, seq: number): string {
  return Buffer.from(`${ts}:${seq}`).toString('base64url');
}

function decodeCursor(q: URLSearchParams): { ts: number; seq: number } | undefined {
  const text = q.get('cursor');
  if (text === null || text === '') return undefined;
  const match = /^(-?\d+):(\d+)$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (match === null) throw invalid('invalid cursor: pass next_cursor from the previous page unchanged');
  return { ts: Number(match[1]), seq: Number(match[2]) };
}

function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

// ---- wallets ----------------------------------------------------------------

function listWallets(store: Store): unknown {
  store.expireDue();
  const all = store.allWallets();
  const forest = teamForest(all, (w) => w.team_id, (w) => w.parent_id);
  const data: unknown[] = [];
  for (const root of forest.roots) for (const w of subtree(forest, root, (x) => x.team_id)) data.push(walletJson(store, w));
  return { data, next_cursor: null };
}

function balance(store: Store, q: URLSearchParams): unknown {
  const team = q.get('team_id');
  if (team === null || team === '') throw invalid('missing query parameter "team_id"');
  store.expireDue();
  const [wallet, ...parents] = store.chain(team);
  return { wallet: walletJson(store, wallet as WalletRow), parents: parents.map((p) => walletJson(store, p)) };
}

function periodField(b: Body): WalletPeriod {
  const v = b.period;
  if (v === undefined) throw invalid('missing field "period"', { field: 'period' });
  if (typeof v !== 'string' || !isWalletPeriod(v)) {
    throw invalid(`unknown period ${JSON.stringify(v)}: use ${WALLET_PERIODS.join(', ')}`, { field: 'period' });
  }
  return v;
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
  const result = store.allocate({ team_id: teamId, amount, currency, period, parent_id: parentId, name, soft_cap: softCap, hard_cap: hardCap });
  const txn = result.txnSeq === null ? undefined : store.transaction(result.txnSeq);
  return {
    wallet: walletJson(store, store.wallet(teamId)),
    previous_allocated: result.previous === null ? null : microsToJson(result.previous),
    transaction: txn === undefined ? null : txnJson(txn),
  };
}

function credit(store: Store, b: Body): unknown {
  const teamId = teamIdField(b);
  const amount = amountField(b, 'amount', { required: true }) as Micros;
  const currency = currencyField(b, false);
  const { txnSeq } = store.credit(teamId, amount, currency);
  return { wallet: walletJson(store, store.wallet(teamId)), transaction: txnJson(store.transaction(txnSeq) as TxnRow) };
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
  const { txnSeq } = store.reclaim(teamId, amount);
  return { wallet: walletJson(store, store.wallet(teamId)), transaction: txnJson(store.transaction(txnSeq) as TxnRow) };
}

function transactions(store: Store, q: URLSearchParams, now: () => number): unknown {
  store.expireDue();
  const where: string[] = [];
  const params: unknown[] = [];
  const teams = listParam(q, 'team_id');
  if (teams !== undefined) {
    for (const t of teams) store.wallet(t);
    where.push(`wallet_team IN (${placeholders(teams.length)})`);
    params.push(...teams);
  }
  const types = listParam(q, 'type');
  if (types !== undefined) {
    for (const t of types) {
      if (!isTransactionType(t)) throw invalid(`unknown type "${t}": use ${TRANSACTION_TYPES.join(', ')}`);
    }
    where.push(`type IN (${placeholders(types.length)})`);
    params.push(...types);
  }
  return page(store, 'transactions', 'created_at', where, params, q, now, (row) => txnJson(row as TxnRow));
}

// ---- events -----------------------------------------------------------------

function eventFilters(store: Store, q: URLSearchParams): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  let teams = listParam(q, 'team_id');
  if (teams !== undefined) {
    for (const t of teams) store.wallet(t);
    const descendants = q.get('descendants');
    if (descendants !== null && descendants !== 'true' && descendants !== 'false') throw invalid('descendants must be true or false');
    if (descendants === 'true') teams = [...new Set(teams.flatMap((t) => store.subtree(t)))];
    where.push(`team_id IN (${placeholders(teams.length)})`);
    params.push(...teams);
  }
  for (const field of ['provider', 'model']) {
    const values = listParam(q, field);
    if (values !== undefined) {
      where.push(`${field} IN (${placeholders(values.length)})`);
      params.push(...values);
    }
  }
  return { where, params };
}

function page(
  store: Store,
  table: 'events' | 'transactions',
  tsColumn: 'ts' | 'created_at',
  where: string[],
  params: unknown[],
  q: URLSearchParams,
  now: () => number,
  render: (row: unknown) => unknown,
): unknown {
  const limit = limitParam(q);
  const since = instantParam(q, 'since', now);
  const until = instantParam(q, 'until', now);
  if (since !== undefined) {
    where.push(`${tsColumn} >= ?`);
    params.push(since);
  }
  if (until !== undefined) {
    where.push(`${tsColumn} < ?`);
    params.push(until);
  }
  const cursor = decodeCursor(q);
  if (cursor !== undefined) {
    where.push(`(${tsColumn} > ? OR (${tsColumn} = ? AND seq > ?))`);
    params.push(cursor.ts, cursor.ts, cursor.seq);
  }
  const sql = `SELECT * FROM ${table}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${tsColumn}, seq LIMIT ?`;
  const rows = store.prepareCached(sql).all(...params, limit + 1) as Array<Record<string, number>>;
  const more = rows.length > limit;
  if (more) rows.length = limit;
  const last = rows[rows.length - 1];
  return {
    data: rows.map(render),
    next_cursor: more && last !== undefined ? encodeCursor(last[tsColumn] as number, last.seq as number) : null,
  };
}

function listEvents(store: Store, q: URLSearchParams, now: () => number): unknown {
  const { where, params } = eventFilters(store, q);
  return page(store, 'events', 'ts', where, params, q, now, (row) => eventJson(row as EventRow));
}

// The API also takes `team_id` for `team`: it names the column it groups by.
const GROUP_COLUMNS: Readonly<Record<string, 'team_id' | 'provider' | 'model'>> = { team: 'team_id', team_id: 'team_id', provider: 'provider', model: 'model' };

function aggregateEvents(store: Store, q: URLSearchParams, now: () => number): unknown {
  const period = q.get('aggregate') ?? '';
  if (!isBucketPeriod(period)) throw invalid(`invalid aggregate "${period}": use ${BUCKET_PERIODS.join(', ')}`);
  const tz = q.get('tz') ?? 'UTC';
  if (!isTimeZone(tz)) throw invalid(`unknown time zone "${tz}": use an IANA name such as Europe/Berlin`);
  const groupBy: Array<'team_id' | 'provider' | 'model'> = [];
  for (const key of listParam(q, 'group_by') ?? []) {
    const column = Object.hasOwn(GROUP_COLUMNS, key) ? GROUP_COLUMNS[key] : undefined;
    if (column === undefined) throw invalid(`invalid group_by "${key}": use ${GROUP_KEYS.join(', ')}`);
    if (!groupBy.includes(column)) groupBy.push(column);
  }
  const { where, params } = eventFilters(store, q);
  const since = instantParam(q, 'since', now);
  const until = instantParam(q, 'until', now);
  if (since !== undefined) {
    where.push('ts >= ?');
    params.push(since);
  }
  if (until !== undefined) {
    where.push('ts < ?');
    params.push(until);
  }
  const sql = `SELECT ts, team_id, provider, model, input_tokens, output_tokens, cost FROM events${
    where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''
  } ORDER BY ts`;
  // Rows come in time order, so a bucket's bounds are computed once, when the first row passes its end.
  let start = 0;
  let end = -Infinity;
  const buckets = new Map<string, { start: number; keys: string[]; requests: number; input: number; output: number; cost: number }>();
  for (const row of store.prepareCached(sql).iterate(...params) as IterableIterator<Record<string, number | string>>) {
    const ts = row.ts as number;
    if (ts >= end) {
      const bucket = bucketStart(new Date(ts), period, tz);
      start = bucket.getTime();
      end = nextBucketStart(bucket, period, tz).getTime();
    }
    const keys = groupBy.map((k) => String(row[k]));
    const id = `${start}\u0000${keys.join('\u0000')}`;
    let bucket = buckets.get(id);
    if (bucket === undefined) {
      bucket = { start, keys, requests: 0, input: 0, output: 0, cost: 0 };
      buckets.set(id, bucket);
    }
    bucket.requests += 1;
    bucket.input += row.input_tokens as number;
    bucket.output += row.output_tokens as number;
    bucket.cost += row.cost as number;
  }
  const sorted = [...buckets.values()].sort((a, b) => {
    if (a.start !== b.start) return a.start - b.start;
    for (let i = 0; i < a.keys.length; i += 1) {
      const x = a.keys[i] ?? '';
      const y = b.keys[i] ?? '';
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  const labels = new Map<number, string>();
  return {
    data: sorted.map((bucket) => {
      let label = labels.get(bucket.start);
      if (label === undefined) {
        label = formatWithOffset(new Date(bucket.start), tz);
        labels.set(bucket.start, label);
      }
      const out: Record<string, unknown> = { period_start: label };
      groupBy.forEach((k, i) => (out[k] = bucket.keys[i]));
      out.requests = bucket.requests;
      out.input_tokens = bucket.input;
      out.output_tokens = bucket.output;
      out.cost = microsToJson(bucket.cost);
      return out;
    }),
    next_cursor: null,
  };
}

// ---- gateway ----------------------------------------------------------------

function reserve(store: Store, b: Body): unknown {
  const teamId = teamIdField(b);
  const estimate = amountField(b, 'estimated_cost', { required: true }) as Micros;
  const requestId = str(b, 'request_id', false) ?? null;
  const r = store.reserve(teamId, estimate, requestId);
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
  const result = store.settle({
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
  const r = store.release(reservationId);
  return { reservation_id: r.id, status: r.status };
}
