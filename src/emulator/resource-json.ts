// Rows as the API sends them (docs/api-contract.md): money as bigint nano-units
// (the server writes them as exact decimals in the major unit), instants as
// ISO strings, ids with their prefixes.
import { available, periodEndAfter, walletStatus } from '../domain/ledger.js';

import { eventId, iso, spendLogId, txnId, type EventRow, type TxnRow, type WalletRow } from './schema.js';
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
    cost: e.cost,
    currency: e.currency,
    request_id: e.request_id,
    event_type: e.event_type,
    verdict: e.verdict,
    reason_code: e.reason_code,
    config_version: e.config_version,
    // The emulator's wallets are USD; the product names the field for it.
    event_cost_attribution: { total_cost_usd: e.cost, source_spend_log_id: e.spend_log_id ?? spendLogId(e.seq) },
  };
}

export function txnJson(t: TxnRow): Record<string, unknown> {
  return {
    id: txnId(t.seq),
    wallet_id: `wal_${t.wallet_team}`,
    team_id: t.wallet_team,
    type: t.type,
    amount: t.amount,
    balance_after: t.balance_after,
    reservation_id: t.reservation_id,
    event_id: t.event_seq === null ? null : eventId(t.event_seq),
    created_at: iso(t.created_at),
  };
}
