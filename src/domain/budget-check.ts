// `kt wallets check`: which wallets are at or past a warn or fail level. A
// level is a percentage of the allocation; a wallet at or past its soft cap
// is at least at the warn level, at or past its hard cap at the fail level.
// Comparisons are exact (spent × 100 against level × allocated, in integers).
import { AmountError, divideHalfEven, parseAmount, type Money } from './money.js';

export type CheckLevel = 'ok' | 'warn' | 'fail';

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

export interface WalletFigures {
  allocated: Money;
  spent: Money;
  soft_cap: Money | null;
  hard_cap: Money | null;
}

export interface WalletCheck {
  level: CheckLevel;
  reasons: string[];
}

const SCALE = 1_000_000_000n;

/** spent ≥ level% of allocated, exactly; never for a wallet without an allocation. */
function atPercent(w: WalletFigures, level: Percent): boolean {
  return w.allocated > 0n && w.spent * 100n * SCALE >= level * w.allocated;
}

export function checkWallet(w: WalletFigures, warnAt: Percent, failAt: Percent): WalletCheck {
  const reasons: string[] = [];
  let level: CheckLevel = 'ok';
  const raise = (to: CheckLevel, why: string): void => {
    reasons.push(why);
    if (to === 'fail' || level === 'ok') level = to;
  };
  if (atPercent(w, failAt)) raise('fail', `at or past ${percentText(failAt)}% of allocation`);
  else if (atPercent(w, warnAt)) raise('warn', `at or past ${percentText(warnAt)}% of allocation`);
  if (w.hard_cap !== null && w.spent >= w.hard_cap) raise('fail', 'at or past hard cap');
  else if (w.soft_cap !== null && w.spent >= w.soft_cap) raise('warn', 'at or past soft cap');
  return { level, reasons };
}

export function percentText(p: Percent): string {
  const whole = p / SCALE;
  const frac = (p % SCALE).toString().padStart(9, '0').replace(/0+$/, '');
  return frac === '' ? whole.toString() : `${whole}.${frac}`;
}

/**
 * Projected spend at the period's end at the run rate so far: spent ×
 * (period length ÷ time elapsed). null before the period has begun.
 */
export function projectPeriodEnd(spent: Money, startMs: number, endMs: number, nowMs: number): Money | null {
  const elapsed = Math.min(nowMs, endMs) - startMs;
  if (!(elapsed > 0) || !(endMs > startMs)) return null;
  return divideHalfEven(spent * BigInt(endMs - startMs), BigInt(elapsed));
}
