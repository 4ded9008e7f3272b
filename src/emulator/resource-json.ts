// Rows as the API sends them (docs/api-contract.md): money in the major
// unit, instants as ISO strings, ids with their prefixes.
import { available, periodEndAfter, walletStatus } from '../domain/ledger.js';
import { microsToJson } from '../domain/money.js';
import { eventId, iso, txnId, type EventRow, type TxnRow, type WalletRow } from './schema.js';
import { amountsOf, unallocatedOf } from './wallets.js';

export function walletJson(w: WalletRow): Record<string, unknown> {
  const amounts = amountsOf(w);
  return {
    id: `wal_${w.team_id}`,
    team_id: w.team_id,
    name: w.name,
    parent_id: w.parent_id,
    currency: w.currency,
    period: w.period,
    allocated: microsToJson(amounts.allocated),
    spent: microsToJson(w.spent),
    reserved: microsToJson(w.reserved),
    available: microsToJson(available(amounts)),
    unallocated: microsToJson(unallocatedOf(w)),
    soft_cap: w.soft_cap === null ? null : microsToJson(w.soft_cap),
    hard_cap: w.hard_cap === null ? null : microsToJson(w.hard_cap),
    status: walletStatus(amounts),
    soft_cap_crossed_at: w.soft_cap_crossed_at === null ? null : iso(w.soft_cap_crossed_at),
    period_start: iso(w.period_start),
    period_end: iso(periodEndAfter(w.period_start, w.period)),
  };
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

export function txnJson(t: TxnRow): Record<string, unknown> {
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
