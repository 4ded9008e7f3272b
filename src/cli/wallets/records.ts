// Wallets and ledger rows (their money already exact, parsed once by the API
// layer), plus the columns every wallet command shares.
import { moneyRatio, type Money } from '../../domain/money.js';
import type { Transaction, Wallet } from '../../api/wallets.js';
import type { Column } from '../../output/index.js';
import { ApiError, FailureError } from '../../errors.js';

export interface WalletRecord {
  raw: Wallet;
  allocated: Money;
  spent: Money;
  reserved: Money;
  available: Money;
  unallocated: Money | null;
  softCap: Money | null;
  hardCap: Money | null;
}

export function walletRecord(raw: Wallet): WalletRecord {
  return {
    raw,
    allocated: raw.allocated,
    spent: raw.spent,
    reserved: raw.reserved,
    available: raw.available,
    unallocated: raw.unallocated,
    softCap: raw.soft_cap,
    hardCap: raw.hard_cap,
  };
}

/** (spent + reserved) / allocated; null when nothing is allocated and nothing used. */
export function utilization(w: WalletRecord): number | null {
  const used = w.spent + w.reserved;
  if (w.allocated <= 0n) return used > 0n ? Number.POSITIVE_INFINITY : null;
  return moneyRatio(used, w.allocated);
}

/** Bar thresholds as fractions of the allocation: the caps when set, else 80 % / 100 %. */
export function capThresholds(w: WalletRecord): { soft: number; hard: number } {
  if (w.allocated <= 0n) return { soft: 0.8, hard: 1 };
  const hard = w.hardCap === null ? 1 : (moneyRatio(w.hardCap, w.allocated) ?? 1);
  const soft = w.softCap === null ? Math.min(0.8, hard) : (moneyRatio(w.softCap, w.allocated) ?? 0.8);
  return { soft, hard };
}

const money = (name: string, get: (w: WalletRecord) => Money | null, header?: string): Column<WalletRecord> => ({
  name,
  ...(header === undefined ? {} : { header }),
  kind: 'money',
  get,
  currency: (w) => w.raw.currency,
});

export const WALLET_COLUMNS: readonly Column<WalletRecord>[] = [
  { name: 'team', kind: 'text', get: (w) => w.raw.team_id },
  { name: 'name', kind: 'text', get: (w) => w.raw.name },
  { name: 'parent', kind: 'text', get: (w) => w.raw.parent_id },
  { name: 'currency', kind: 'text', get: (w) => w.raw.currency },
  { name: 'period', kind: 'text', get: (w) => w.raw.period },
  money('allocated', (w) => w.allocated),
  money('spent', (w) => w.spent),
  money('reserved', (w) => w.reserved),
  money('available', (w) => w.available),
  money('soft_cap', (w) => w.softCap, 'SOFT CAP'),
  money('hard_cap', (w) => w.hardCap, 'HARD CAP'),
  { name: 'status', kind: 'text', get: (w) => w.raw.status },
  { name: 'utilization', header: 'USED', kind: 'share', get: (w) => utilization(w) },
  { name: 'period_start', kind: 'time', get: (w) => w.raw.period_start },
  { name: 'period_end', kind: 'time', get: (w) => w.raw.period_end },
  money('unallocated', (w) => w.unallocated),
  { name: 'id', kind: 'text', get: (w) => w.raw.id },
];

/** Machine formats: the documented fields; `unallocated` and `id` on request via --fields. */
export const WALLET_DEFAULT_FIELDS = WALLET_COLUMNS.map((c) => c.name).filter((n) => n !== 'unallocated' && n !== 'id');
export const WALLET_TABLE_FIELDS = ['team', 'parent', 'period', 'allocated', 'spent', 'reserved', 'available', 'hard_cap', 'status', 'utilization'];

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

/** An unknown team (404 team_not_found) is exit 1 with a pointer to the list of teams. */
export function explainTeamNotFound(error: unknown, team: string): unknown {
  if (error instanceof ApiError && (error.code === 'team_not_found' || error.status === 404)) {
    return new FailureError(`unknown team "${team}": the control plane has no wallet for it`, 'run `kt wallets list` to see every team');
  }
  return error;
}
