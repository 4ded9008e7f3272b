// Rows as the API sends them (docs/api-contract.md): money as bigint nano-units
// (the server writes them as exact decimals in the major unit), instants as
// ISO strings, ids with their prefixes.
import { available, periodEndAfter, walletStatus, type WalletStatus } from '../domain/ledger.js';
import { formatDecimal, type Money, nanos } from '../domain/money.js';

import { eventId, iso, spendLogId, txnId, type EventRow, type ReservationRow, type TxnRow, type WalletRow } from './schema.js';
import { amountsOf, scopeOf, unallocatedOf, userOf, walletId } from './wallets.js';

export function walletJson(w: WalletRow): Record<string, unknown> {
  const amounts = amountsOf(w);
  const user = userOf(w);
  return {
    id: walletId(w),
    team_id: user === null ? w.team_id : null,
    scope: scopeOf(w),
    user_id: user,
    name: w.name,
    parent_id: w.parent_id,
    currency: w.currency,
    period: w.period,
    allocated: amounts.allocated,
    spent: w.spent,
    reserved: w.reserved,
    available: available(amounts),
    unallocated: unallocatedOf(w),
    soft_cap: w.soft_cap === null ? null : w.soft_cap,
    hard_cap: w.hard_cap === null ? null : w.hard_cap,
    status: walletStatus(amounts),
    soft_cap_crossed_at: w.soft_cap_crossed_at === null ? null : iso(w.soft_cap_crossed_at),
    period_start: iso(w.period_start),
    period_end: iso(periodEndAfter(w.period_start, w.period)),
  };
}

const CONSOLE_STATUS: Record<WalletStatus, string> = { healthy: 'Healthy', low: 'Low', depleted: 'Depleted', blocked: 'Depleted' };

/**
 * A wallet as the product's console shows it: a scope (organization, team,
 * user), Balance, Reserved, Total Allocated, Total Spent and a Status of
 * Healthy, Low or Depleted; no period and no caps (a team's parent_id keeps
 * the emulator's hierarchy, which the console does not show). The emulator's
 * pool is the wallet's current budget period: total_allocated and
 * total_spent are cumulative since the period began (a monthly allocation's
 * unspent rest lapses at roll-over), so balance = total_allocated −
 * total_spent − reserved holds exactly, as it does for a pool.
 */
export function productWalletJson(w: WalletRow): Record<string, unknown> {
  const amounts = amountsOf(w);
  const scope = scopeOf(w);
  const json: Record<string, unknown> = { id: walletId(w), scope, name: w.name };
  // The emulator's hierarchy (a department between a team and the organization) stays visible as parent_id.
  if (scope === 'team') Object.assign(json, { team_id: w.team_id, parent_id: w.parent_id });
  if (scope === 'user') json.user_id = userOf(w);
  return {
    ...json,
    currency: w.currency,
    balance: available(amounts),
    reserved: w.reserved,
    total_allocated: amounts.allocated,
    total_spent: w.spent,
    status: CONSOLE_STATUS[walletStatus(amounts)],
  };
}

/**
 * An event as the API answers. `event_cost_attribution` is the product's
 * field: kt's dialect has `cost` and leaves it out (it would grow every page of
 * an export by a sixth for a copy of the same amount).
 */
export function eventJson(e: EventRow, product = false): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: eventId(e.seq),
    timestamp: iso(e.ts),
    team_id: e.team_id,
    user_id: e.user_id,
    provider: e.provider,
    model: e.model,
    input_tokens: e.input_tokens,
    output_tokens: e.output_tokens,
    cached: e.cached === 1,
    cost: e.cost,
    currency: e.currency,
    request_id: e.request_id,
    event_type: e.event_type,
    verdict: e.verdict,
    reason_code: e.reason_code,
    config_version: e.config_version,
  };
  // The emulator's wallets are USD; the product names the field for it.
  if (product) json.event_cost_attribution = { total_cost_usd: e.cost, source_spend_log_id: e.spend_log_id ?? spendLogId(e.seq) };
  return json;
}

export function txnJson(t: TxnRow): Record<string, unknown> {
  return {
    id: txnId(t.seq),
    wallet_id: walletId({ team_id: t.wallet_team }),
    team_id: userOf({ team_id: t.wallet_team }) === null ? t.wallet_team : null,
    type: t.type,
    amount: t.amount,
    balance_after: t.balance_after,
    reservation_id: t.reservation_id,
    event_id: t.event_seq === null ? null : eventId(t.event_seq),
    created_at: iso(t.created_at),
  };
}

/** A response body already written as JSON text (the event pages: see eventText). */
export class RawJson {
  constructor(readonly text: string) {}
}

const str = (s: string | null): string => (s === null ? 'null' : JSON.stringify(s));

const NANOS = 1_000_000_000;

/**
 * Nano-units as exact decimal text, as formatDecimal(…, 0) writes it. A page
 * read without safe integers holds plain numbers, all below 2^53: their digits
 * are split with integer arithmetic, which is exact there, and no BigInt is made.
 */
export function decimalText(money: Money | number): string {
  if (typeof money === 'bigint') return formatDecimal(money, 0);
  if (!Number.isSafeInteger(money)) return formatDecimal(nanos(BigInt(money)), 0);
  const negative = money < 0;
  const abs = negative ? -money : money;
  let whole = Math.floor(abs / NANOS);
  let frac = abs - whole * NANOS;
  // the division is rounded; correct a whole part one off
  if (frac < 0) {
    whole -= 1;
    frac += NANOS;
  } else if (frac >= NANOS) {
    whole += 1;
    frac -= NANOS;
  }
  const sign = negative && abs !== 0 ? '-' : '';
  if (frac === 0) return `${sign}${whole}`;
  return `${sign}${whole}.${String(frac).padStart(9, '0').replace(/0+$/, '')}`;
}

// Teams, providers, models, verdicts, reason codes and config versions repeat on
// every row: their JSON text is kept (up to a bound, for imports with many names).
const quoted = new Map<string, string>();
const QUOTED_MAX = 10_000;
function known(s: string): string {
  let text = quoted.get(s);
  if (text === undefined) {
    text = JSON.stringify(s);
    if (quoted.size < QUOTED_MAX) quoted.set(s, text);
  }
  return text;
}

/**
 * eventJson written straight to JSON text, byte for byte what
 * stringifyJson(eventJson(e), { moneyDecimals: 0 }) gives (a unit test holds
 * them together): an events page is most of what the emulator writes, and a
 * generic walk over every row's object took longer than the query.
 */
export function eventText(e: EventRow, product = false): string {
  const cost = decimalText(e.cost);
  return (
    `{"id":"${eventId(e.seq)}","timestamp":"${iso(e.ts)}","team_id":${known(e.team_id)},"user_id":${str(e.user_id)},` +
    `"provider":${known(e.provider)},"model":${known(e.model)},"input_tokens":${e.input_tokens},"output_tokens":${e.output_tokens},` +
    `"cached":${e.cached === 1},"cost":${cost},"currency":${known(e.currency)},"request_id":${str(e.request_id)},` +
    `"event_type":${known(e.event_type)},"verdict":${known(e.verdict)},"reason_code":${known(e.reason_code)},"config_version":${known(e.config_version)}` +
    (product ? `,"event_cost_attribution":{"total_cost_usd":${cost},"source_spend_log_id":${str(e.spend_log_id ?? spendLogId(e.seq))}}}` : '}')
  );
}

// The gateway's two answers in kt's dialect, written as text for the same
// reason as eventText: they are most of what the emulator answers under load.
// Each is byte for byte what stringifyJson(…, { moneyDecimals: 0 }) gives for
// the object the API describes (a unit test holds them together).

/** `{reservation_id, team_id, amount, status, expires_at}`: a hold just made. */
export function reservationText(r: ReservationRow): string {
  return (
    `{"reservation_id":${JSON.stringify(r.id)},"team_id":${known(r.team_id)},"amount":${decimalText(r.amount)},` +
    `"status":${JSON.stringify(r.status)},"expires_at":"${iso(r.expires_at)}"}`
  );
}

/** `{reservation_id, status: "settled", event, released}`: a settle's answer. */
export function settledText(reservationId: string, event: EventRow, released: Money): string {
  return `{"reservation_id":${JSON.stringify(reservationId)},"status":"settled","event":${eventText(event)},"released":${decimalText(released)}}`;
}
