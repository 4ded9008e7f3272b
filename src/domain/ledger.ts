// The ledger's vocabulary and its rules: what a wallet transaction can be,
// what a wallet has available, how much a hold may still take, and what a
// wallet becomes when its budget period turns over. Pure: no clock, no I/O;
// the emulator's store and the CLI's wallet commands apply the same rules.
import { addMoney, type Money, moneyRatio, nanos, negateMoney, subtractMoney, ZERO } from './money.js';
import { walletPeriodBounds, type WalletPeriod } from './periods.js';

/** Types of wallet transactions, in the order the API documents them. */
export const TRANSACTION_TYPES = ['credit', 'allocate', 'reclaim', 'reserve', 'settle', 'release', 'expire'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export function isTransactionType(text: string): text is TransactionType {
  return (TRANSACTION_TYPES as readonly string[]).includes(text);
}

export const WALLET_STATUSES = ['healthy', 'low', 'depleted', 'blocked'] as const;
export type WalletStatus = (typeof WALLET_STATUSES)[number];

/**
 * A wallet's money in its current period. `spent` and `reserved` cover the
 * wallet's whole subtree (spend rolls up). The CLI's wallet records have
 * this shape, so the rules below apply to API data as they are.
 */
export interface WalletAmounts {
  /** The per-period allocation plus this period's credits less its reclaims. */
  allocated: Money;
  spent: Money;
  reserved: Money;
  softCap: Money | null;
  hardCap: Money | null;
}

/** What a wallet holds this period: its standing allocation and the one-off change (credits − reclaims). */
export function periodAllocated(allocation: Money, credited: Money): Money {
  return addMoney(allocation, credited);
}

/** available = allocated − spent − reserved: what the subtree may still spend this period. */
export function available(w: Pick<WalletAmounts, 'allocated' | 'spent' | 'reserved'>): Money {
  return nanos(w.allocated - w.spent - w.reserved);
}

/** What more may be spent or held before the hard cap: null without one (no limit), negative once past it. */
export function hardCapRoom(w: Pick<WalletAmounts, 'spent' | 'reserved' | 'hardCap'>): Money | null {
  return w.hardCap === null ? null : nanos(w.hardCap - w.spent - w.reserved);
}

/** Whether `amount` is more than the hard cap leaves room for. */
function aboveCap(w: Pick<WalletAmounts, 'spent' | 'reserved' | 'hardCap'>, amount: Money): boolean {
  const room = hardCapRoom(w);
  return room !== null && amount > room;
}

/**
 * The largest hold a reservation on the first wallet of `chain` (the wallet,
 * then its ancestors) may take: the least, over the chain, of available and
 * of hard-cap room; never below zero.
 */
export function headroom(chain: readonly WalletAmounts[]): Money {
  let least: Money | null = null;
  for (const w of chain) {
    const room = hardCapRoom(w);
    for (const x of room === null ? [available(w)] : [available(w), room]) if (least === null || x < least) least = x;
  }
  return least === null || least < 0n ? ZERO : least;
}

export type HoldRefusalReason = 'hard_cap_exceeded' | 'insufficient_funds';

export interface HoldRefusal {
  /** Position in the chain of the wallet that refuses. */
  index: number;
  reason: HoldRefusalReason;
}

/**
 * Why a new hold of `amount` (> 0) cannot be taken, or undefined when it
 * fits (exactly when amount <= headroom). Every hard cap in the chain is checked
 * before any balance, so a capped team hears about its cap even where an
 * ancestor is also short of funds.
 */
export function reserveRefusal(chain: readonly WalletAmounts[], amount: Money): HoldRefusal | undefined {
  const capped = chain.findIndex((w) => aboveCap(w, amount));
  if (capped >= 0) return { index: capped, reason: 'hard_cap_exceeded' };
  const short = chain.findIndex((w) => amount > available(w));
  if (short >= 0) return { index: short, reason: 'insufficient_funds' };
  return undefined;
}

/**
 * Why a settlement `amount` above its hold cannot be taken, or undefined when
 * it fits. Checked wallet by wallet, nearest first: the first wallet that
 * cannot take it names the reason.
 */
export function overrunRefusal(chain: readonly WalletAmounts[], amount: Money): HoldRefusal | undefined {
  for (let index = 0; index < chain.length; index += 1) {
    const w = chain[index] as WalletAmounts;
    if (aboveCap(w, amount)) return { index, reason: 'hard_cap_exceeded' };
    if (amount > available(w)) return { index, reason: 'insufficient_funds' };
  }
  return undefined;
}

/** What a wallet can still carve out for new or larger child allocations. */
export function unallocated(allocated: Money, childrenAllocated: Money): Money {
  return subtractMoney(allocated, childrenAllocated);
}

/**
 * What a wallet can give back this period (a reclaim, or a lower
 * allocation): neither spent, reserved nor carved out for its children.
 */
export function returnable(w: Pick<WalletAmounts, 'allocated' | 'spent' | 'reserved'>, childrenAllocated: Money): Money {
  const a = available(w);
  const u = unallocated(w.allocated, childrenAllocated);
  return a < u ? a : u;
}

/**
 * When the soft cap was crossed, given what is known: the first crossing is
 * kept while spend stays at or above the cap; it clears when the cap is
 * removed or spend falls below it (a raised cap, a new period).
 */
export function softCapCrossedAt(w: Pick<WalletAmounts, 'spent' | 'softCap'>, crossedAt: number | null, now: number): number | null {
  if (w.softCap === null || w.spent < w.softCap) return null;
  return crossedAt ?? now;
}

/**
 * blocked: the hard cap is reached; depleted: nothing available; low: past
 * the soft cap or under 10 % of the allocation left; else healthy.
 */
export function walletStatus(w: WalletAmounts): WalletStatus {
  const left = available(w);
  if (w.hardCap !== null && w.spent + w.reserved >= w.hardCap) return 'blocked';
  if (left <= 0n) return 'depleted';
  if ((w.softCap !== null && w.spent >= w.softCap) || left * 10n < w.allocated) return 'low';
  return 'healthy';
}

/** (spent + reserved) / allocated; Infinity when something is used of nothing, null when nothing at all. */
export function utilization(w: Pick<WalletAmounts, 'allocated' | 'spent' | 'reserved'>): number | null {
  const used = addMoney(w.spent, w.reserved);
  if (w.allocated <= 0n) return used > 0n ? Number.POSITIVE_INFINITY : null;
  return moneyRatio(used, w.allocated);
}

// ---- budget periods ---------------------------------------------------------

/** Start (ms) of the budget period that holds `instant` (ms), on the UTC calendar. */
export function periodStartAt(instant: number, period: WalletPeriod): number {
  return walletPeriodBounds(new Date(instant), period).start.getTime();
}

/** End (ms, exclusive) of the budget period that starts at `periodStart`: the next roll-over. */
export function periodEndAfter(periodStart: number, period: WalletPeriod): number {
  return walletPeriodBounds(new Date(periodStart), period).end.getTime();
}

export interface PeriodHolder {
  period: WalletPeriod;
  /** Start (ms) of the period the wallet's ledger is in. */
  periodStart: number;
}

/** Whether the wallet's ledger is behind the period that holds `now`. */
export function isPeriodOver(w: PeriodHolder, now: number): boolean {
  return now >= periodEndAfter(w.periodStart, w.period);
}

/** The earliest instant at which any of the wallets must roll over; Infinity when there are none. */
export function nextRollOver(wallets: Iterable<PeriodHolder>): number {
  let next = Number.POSITIVE_INFINITY;
  for (const w of wallets) next = Math.min(next, periodEndAfter(w.periodStart, w.period));
  return next;
}

/** A ledger row as the rules produce it; the store adds ids and references. */
export interface LedgerEntry {
  type: TransactionType;
  amount: Money;
  /** `available` after this row. */
  balanceAfter: Money;
  at: number;
}

export interface PeriodOpening {
  periodStart: number;
  /** Credits and reclaims belong to the period they were made in. */
  credited: Money;
  spent: Money;
  softCapCrossedAt: number | null;
  /** An allocate row with the full allocation, then a reserve row re-holding what is still held. */
  entries: LedgerEntry[];
}

/**
 * A wallet that starts the period holding `now`: credits and reclaims lapse,
 * spend counts only what already falls in the new period (`spentSince`),
 * holds carry over. Its rows open the period at its first instant, so they
 * add up to the new `available` whenever no spend predates the roll-over.
 */
export function openPeriod(
  w: { allocation: Money; reserved: Money; softCap: Money | null; period: WalletPeriod },
  now: number,
  spentSince: Money,
): PeriodOpening {
  const periodStart = periodStartAt(now, w.period);
  const entries: LedgerEntry[] = [{ type: 'allocate', amount: w.allocation, balanceAfter: subtractMoney(w.allocation, spentSince), at: periodStart }];
  if (w.reserved > 0n) {
    entries.push({ type: 'reserve', amount: negateMoney(w.reserved), balanceAfter: nanos(w.allocation - spentSince - w.reserved), at: periodStart });
  }
  return {
    periodStart,
    credited: ZERO,
    spent: spentSince,
    softCapCrossedAt: softCapCrossedAt({ spent: spentSince, softCap: w.softCap }, null, now),
    entries,
  };
}
