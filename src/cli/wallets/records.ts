// Wallets and ledger rows (their money already exact, parsed once by the API
// layer), plus the columns every wallet command shares. A figure the server
// did not send stays null: an empty CSV cell, null in JSON, `—` in a table.
import { addMoney, type Money, moneyRatio, subtractMoney, ZERO } from '../../domain/money.js';
import type { Usage } from '../../domain/budget-check.js';
import type { Transaction, Wallet } from '../../api/wallets.js';
import type { Column } from '../../output/index.js';

/**
 * What a wallet's percentage measures. `period`: this period's spend and
 * holds of its allocation (kt's contract). `cumulative`: the share of the
 * pool used, (total allocated − balance) / total allocated, for a server
 * that reports only cumulative totals (the product's console).
 */
export type UtilizationBasis = 'period' | 'cumulative';

export interface WalletRecord {
  raw: Wallet;
  /** The name to show: the wallet's, else its team or user. */
  label: string;
  usage: (Usage & { basis: UtilizationBasis }) | null;
}

function usageOf(w: Wallet): WalletRecord['usage'] {
  if (w.allocated !== null && w.spent !== null) {
    return { used: addMoney(w.spent, w.reserved ?? ZERO), base: w.allocated, of: 'allocation', basis: 'period' };
  }
  if (w.total_allocated !== null && w.available !== null) {
    return { used: subtractMoney(w.total_allocated, w.available), base: w.total_allocated, of: 'total allocated', basis: 'cumulative' };
  }
  return null;
}

export function walletRecord(raw: Wallet): WalletRecord {
  return { raw, label: raw.name ?? raw.team_id ?? raw.user_id ?? raw.id, usage: usageOf(raw) };
}

/**
 * used / base as a fraction; Infinity when something is used of nothing;
 * null when it cannot be computed (no allocation reported, or nothing at all).
 */
export function utilization(w: WalletRecord): number | null {
  const u = w.usage;
  if (u === null) return null;
  if (u.base <= 0n) return u.used > 0n ? Number.POSITIVE_INFINITY : null;
  return moneyRatio(u.used, u.base);
}

/** Bar thresholds as fractions of the allocation: the caps when set, else 80 % / 100 %. */
export function capThresholds(w: WalletRecord): { soft: number; hard: number } {
  const allocated = w.usage?.basis === 'period' ? w.usage.base : ZERO;
  if (allocated <= 0n) return { soft: 0.8, hard: 1 };
  const hard = w.raw.hard_cap === null ? 1 : (moneyRatio(w.raw.hard_cap, allocated) ?? 1);
  const soft = w.raw.soft_cap === null ? Math.min(0.8, hard) : (moneyRatio(w.raw.soft_cap, allocated) ?? 0.8);
  return { soft, hard };
}

/** The currency money is shown in: the wallet's, else USD (the product's documented default). */
export const currencyOf = (w: WalletRecord): string => w.raw.currency ?? 'USD';

const NOT_SENT = '—';

const money = (name: string, get: (w: WalletRecord) => Money | null, header?: string): Column<WalletRecord> => ({
  name,
  ...(header === undefined ? {} : { header }),
  kind: 'money',
  get,
  currency: currencyOf,
  missing: NOT_SENT,
});

const text = (name: string, get: (w: WalletRecord) => string | null, header?: string): Column<WalletRecord> => ({
  name,
  ...(header === undefined ? {} : { header }),
  kind: 'text',
  get,
  missing: NOT_SENT,
});

export const WALLET_COLUMNS: readonly Column<WalletRecord>[] = [
  text('team', (w) => w.raw.team_id),
  text('name', (w) => w.raw.name),
  text('scope', (w) => w.raw.scope),
  text('user', (w) => w.raw.user_id),
  text('parent', (w) => w.raw.parent_id),
  text('currency', (w) => w.raw.currency),
  text('period', (w) => w.raw.period),
  money('allocated', (w) => w.raw.allocated),
  money('spent', (w) => w.raw.spent),
  money('total_allocated', (w) => w.raw.total_allocated, 'TOTAL ALLOCATED'),
  money('total_spent', (w) => w.raw.total_spent, 'TOTAL SPENT'),
  money('reserved', (w) => w.raw.reserved),
  money('available', (w) => w.raw.available),
  money('soft_cap', (w) => w.raw.soft_cap, 'SOFT CAP'),
  money('hard_cap', (w) => w.raw.hard_cap, 'HARD CAP'),
  text('status', (w) => w.raw.status),
  { name: 'utilization', header: 'USED', kind: 'share', get: (w) => utilization(w), missing: 'no allocation reported' },
  text('utilization_basis', (w) => (utilization(w) === null ? null : (w.usage?.basis ?? null)), 'BASIS'),
  { name: 'period_start', kind: 'time', get: (w) => w.raw.period_start, missing: NOT_SENT },
  { name: 'period_end', kind: 'time', get: (w) => w.raw.period_end, missing: NOT_SENT },
  money('unallocated', (w) => w.raw.unallocated),
  text('id', (w) => w.raw.id),
];

export const WALLET_FIELD_LIST = WALLET_COLUMNS.map((c) => c.name).join(', ');

/** Machine formats: every documented field, sent or not (null), so a script's columns never move; `unallocated` and `id` via --fields. */
export const WALLET_DEFAULT_FIELDS = WALLET_COLUMNS.map((c) => c.name).filter((n) => n !== 'unallocated' && n !== 'id');

const WALLET_TABLE_FIELDS = ['team', 'scope', 'user', 'parent', 'period', 'allocated', 'spent', 'total_allocated', 'total_spent', 'reserved', 'available', 'hard_cap', 'status', 'utilization', 'utilization_basis'];

/**
 * A table's default columns for these wallets: the ones some wallet has a
 * value for (a column no server field fills is left out, not shown as dashes),
 * and the basis only when some percentage is of cumulative totals.
 */
export function walletTableFields(wallets: readonly WalletRecord[]): string[] {
  const byName = new Map(WALLET_COLUMNS.map((c) => [c.name, c]));
  return WALLET_TABLE_FIELDS.filter((name) => {
    if (name === 'team' || name === 'utilization') return true;
    if (name === 'utilization_basis') return wallets.some((w) => utilization(w) !== null && w.usage?.basis === 'cumulative');
    const column = byName.get(name);
    return column !== undefined && wallets.some((w) => column.get(w) !== null && column.get(w) !== undefined);
  });
}

/** A line for stderr when some percentage is the share of a pool (cumulative totals), else undefined. */
export function basisNotice(wallets: readonly WalletRecord[]): string | undefined {
  const pooled = wallets.filter((w) => utilization(w) !== null && w.usage?.basis === 'cumulative');
  if (pooled.length === 0) return undefined;
  return `utilization of ${pooled.length === wallets.length ? 'these wallets' : pooled.map((w) => w.raw.team_id ?? w.raw.user_id ?? w.label).join(', ')} is the share of the pool used, (total allocated − balance) / total allocated: the server reports cumulative totals only`;
}

export interface TransactionRecord {
  raw: Transaction;
  amount: Money;
  balanceAfter: Money | null;
  currency: string;
}

export function transactionRecord(raw: Transaction, currency: string): TransactionRecord {
  return { raw, amount: raw.amount, balanceAfter: raw.balance_after, currency };
}

export const TRANSACTION_COLUMNS: readonly Column<TransactionRecord>[] = [
  { name: 'id', kind: 'text', get: (t) => t.raw.id },
  { name: 'created_at', header: 'TIME', kind: 'time', get: (t) => t.raw.created_at },
  { name: 'team', kind: 'text', get: (t) => t.raw.team_id },
  { name: 'type', kind: 'text', get: (t) => t.raw.type },
  { name: 'amount', kind: 'money', get: (t) => t.amount, currency: (t) => t.currency },
  { name: 'balance_after', header: 'BALANCE', kind: 'money', get: (t) => t.balanceAfter, currency: (t) => t.currency },
  { name: 'reservation_id', header: 'RESERVATION', kind: 'text', get: (t) => t.raw.reservation_id },
  { name: 'event_id', header: 'EVENT', kind: 'text', get: (t) => t.raw.event_id },
  { name: 'wallet_id', header: 'WALLET', kind: 'text', get: (t) => t.raw.wallet_id },
];

export const TRANSACTION_DEFAULT_FIELDS = ['id', 'created_at', 'team', 'type', 'amount', 'balance_after', 'reservation_id', 'event_id'];
export const TRANSACTION_TABLE_FIELDS = ['created_at', 'type', 'amount', 'balance_after', 'reservation_id', 'event_id'];

