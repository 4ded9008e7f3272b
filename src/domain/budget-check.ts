// `kt wallets check`: which wallets are at or past a warn or fail level, and
// which could not be checked at all. A level is a percentage of what the
// wallet was given (its allocation this period, or its total allocated when
// the server reports only cumulative totals); a wallet at or past its soft
// cap is at least at the warn level, at or past its hard cap or under
// --min-balance at the fail level. Comparisons are exact (used × 100 against
// level × base, in integers). A figure the server did not send is never
// taken as zero: the threshold that needs it is "not checked".
import { AmountError, formatMoney, formatMoneyPair, parseAmount, type Money } from './money.js';

export type CheckLevel = 'ok' | 'warn' | 'fail' | 'unknown';

/** A percentage as an exact integer scaled by 1e9 (80 → 80e9, 92.5 → 92.5e9). */
export type Percent = bigint;

export class PercentError extends Error {}

export function parsePercent(text: string, flag: string): Percent {
  const trimmed = text.trim().replace(/%$/, '');
  try {
    return parseAmount(trimmed);
  } catch (error) {
    if (error instanceof AmountError) throw new PercentError(`invalid ${flag} "${text}": expected a percentage of the allocation greater than 0, such as 80 or 92.5`);
    throw error;
  }
}

/** What a wallet's percentage measures: `used` of `base`, and what the base is called in reasons. */
export interface Usage {
  used: Money;
  base: Money;
  /** `allocation` (this period's) or `total allocated` (cumulative). */
  of: string;
}

export interface WalletFigures {
  /** null when the server sent too little to compute a percentage. */
  usage: Usage | null;
  /** Spend this period, against the caps; null when not reported. */
  spent: Money | null;
  soft_cap: Money | null;
  hard_cap: Money | null;
  /** The balance (available) against --min-balance; null when not reported. */
  balance: Money | null;
  currency: string;
}

export interface Thresholds {
  /** The percentage levels; null when they were not asked for. */
  percent: { warnAt: Percent; failAt: Percent } | null;
  /** --min-balance; null when not asked for. */
  minBalance: Money | null;
}

/** A threshold asked for that the wallet's figures cannot answer. */
export type NotChecked = 'percent' | 'min-balance';

export interface WalletCheck {
  /** `unknown` when nothing failed or warned but some threshold asked could not be checked. */
  level: CheckLevel;
  reasons: string[];
  notChecked: NotChecked[];
  /** Some threshold asked for was checked. */
  checked: boolean;
}

const SCALE = 1_000_000_000n;

/** used ≥ level% of base, exactly (base > 0). */
function atPercent(u: Usage, level: Percent): boolean {
  return u.used * 100n * SCALE >= level * u.base;
}

export function checkWallet(w: WalletFigures, thresholds: Thresholds): WalletCheck {
  const reasons: string[] = [];
  const notChecked: NotChecked[] = [];
  let level: CheckLevel = 'ok';
  let checked = false;
  const raise = (to: 'warn' | 'fail', why: string): void => {
    reasons.push(why);
    if (to === 'fail' || level === 'ok') level = to;
  };
  const money = (m: Money): string => formatMoney(m, w.currency);

  if (thresholds.percent !== null) {
    const { warnAt, failAt } = thresholds.percent;
    const u = w.usage;
    if (u === null || (u.base <= 0n && u.used <= 0n)) {
      notChecked.push('percent');
    } else {
      checked = true;
      if (u.base <= 0n) raise('fail', `${money(u.used)} used with no ${u.of}`);
      else if (atPercent(u, failAt)) raise('fail', `at or past ${percentText(failAt)}% of ${u.of}`);
      else if (atPercent(u, warnAt)) raise('warn', `at or past ${percentText(warnAt)}% of ${u.of}`);
    }
    // The caps bound this period's spend: without it they cannot be compared.
    if (w.spent !== null) {
      if (w.hard_cap !== null && w.spent >= w.hard_cap) raise('fail', 'at or past hard cap');
      else if (w.soft_cap !== null && w.spent >= w.soft_cap) raise('warn', 'at or past soft cap');
    }
  }
  if (thresholds.minBalance !== null) {
    if (w.balance === null) {
      notChecked.push('min-balance');
    } else {
      checked = true;
      if (w.balance < thresholds.minBalance) {
        const [balance, min] = formatMoneyPair(w.balance, thresholds.minBalance, w.currency);
        raise('fail', `balance ${balance} below the minimum ${min}`);
      }
    }
  }
  if (level === 'ok' && notChecked.length > 0) level = 'unknown';
  return { level, reasons, notChecked, checked };
}

export function percentText(p: Percent): string {
  const whole = p / SCALE;
  const frac = (p % SCALE).toString().padStart(9, '0').replace(/0+$/, '');
  return frac === '' ? whole.toString() : `${whole}.${frac}`;
}
