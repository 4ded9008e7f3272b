// Wallets and ledger rows with their money parsed to micros once, at the
// boundary, plus the columns every wallet command shares.
import { microsFromJson, type Micros } from '../../domain/money.js';
import type { ApiTransaction, ApiWallet } from '../../api/wallets.js';
import type { Column } from '../../output/index.js';
import { ApiError, FailureError } from '../../errors.js';

export interface WalletRecord {
  raw: ApiWallet;
  allocated: Micros;
  spent: Micros;
  reserved: Micros;
  available: Micros;
  unallocated: Micros | null;
  softCap: Micros | null;
  hardCap: Micros | null;
}

export function walletRecord(raw: ApiWallet): WalletRecord {
  const optional = (value: number | null | undefined): Micros | null => (value === null || value === undefined ? null : microsFromJson(value));
  return {
    raw,
    allocated: microsFromJson(raw.allocated),
    spent: microsFromJson(raw.spent),
    reserved: microsFromJson(raw.reserved),
    available: microsFromJson(raw.available),
    unallocated: optional(raw.unallocated),
    softCap: optional(raw.soft_cap),
    hardCap: optional(raw.hard_cap),
  };
}

/** (spent + reserved) / allocated; null when nothing is allocated and nothing used. */
export function utilization(w: WalletRecord): number | null {
  const used = w.spent + w.reserved;
  if (w.allocated <= 0) return used > 0 ? Number.POSITIVE_INFINITY : null;
  return used / w.allocated;
}

/** Bar thresholds as fractions of the allocation: the caps when set, else 80 % / 100 %. */
export function capThresholds(w: WalletRecord): { soft: number; hard: number } {
  if (w.allocated <= 0) return { soft: 0.8, hard: 1 };
  const hard = w.hardCap === null ? 1 : w.hardCap / w.allocated;
  const soft = w.softCap === null ? Math.min(0.8, hard) : w.softCap / w.allocated;
  return { soft, hard };
}

const money = (name: string, get: (w: WalletRecord) => Micros | null, header?: string): Column<WalletRecord> => ({
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
  raw: ApiTransaction;
  amount: Micros;
  balanceAfter: Micros;
  currency: string;
}

export function transactionRecord(raw: ApiTransaction, currency: string): TransactionRecord {
  return { raw, amount: microsFromJson(raw.amount), balanceAfter: microsFromJson(raw.balance_after), currency };
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
