// A forecast's estimates are statistics (floats, major units); they become
// Money here and nowhere else, through money.ts's moneyFromFloat.
import { type Money, moneyFromFloat, units, ZERO } from '../money.js';

/** The most an estimate may be: 10^15 units, where kt's money stops (far above any budget). */
const LIMIT = 1e15;
const LIMIT_MONEY = units(LIMIT);

/** A statistical estimate (major units) as non-negative Money; 0 for anything not finite. */
export function estimateMoney(value: number): Money {
  if (!(value > 0) || !Number.isFinite(value)) return ZERO;
  return value >= LIMIT ? LIMIT_MONEY : moneyFromFloat(value);
}
