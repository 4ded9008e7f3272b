// Money is a branded bigint: the compiler refuses a plain number or bigint
// where money is expected. The `@ts-expect-error` lines below are checked by
// `npm run typecheck` (CI runs it): if the brand were lost, each would be an
// unused directive and the typecheck would fail. The runtime assertions check
// the helpers that stand in for bigint arithmetic.
import { describe, expect, it } from 'vitest';
import {
  addMoney,
  formatDecimal,
  formatMoney,
  maxMoney,
  minMoney,
  type Money,
  moneyFromDecimal,
  moneyFromFloat,
  moneyToFloat,
  nanos,
  negateMoney,
  subtractMoney,
  sumMoney,
  units,
  ZERO,
} from '../../src/domain/money.js';
import { writeRows, type Column } from '../../src/output/index.js';
import { testContext } from '../helpers/context.js';

describe('the Money brand', () => {
  it('is refused as a plain number or bigint by money functions and money columns', async () => {
    // Never called: these lines are for the compiler, which must reject each.
    const misuses = (): Money[] => {
      // @ts-expect-error a number is not money (once read as micro-units, a silent ×1000)
      formatDecimal(12_500_000);
      // @ts-expect-error a bare bigint is not money either: say nanos(…) or parse it
      formatMoney(12_500_000_000n);
      // @ts-expect-error arithmetic on Money yields bigint, not Money: use addMoney
      const sum: Money = units(1) + units(2);
      return [sum];
    };
    expect(misuses).toBeTypeOf('function');

    interface Row {
      cost: number;
    }
    // @ts-expect-error a money column's getter must return Money
    const column: Column<Row> = { name: 'cost', kind: 'money', get: (r) => r.cost };
    // A caller that casts around the type still cannot print a number as money.
    const f = testContext();
    await expect(writeRows(f.ctx, [{ cost: 12_500_000 }], [column], { format: 'csv' })).rejects.toThrow(
      'column "cost": money cell must be Money (bigint nano-units), got number 12500000',
    );
  });

  it('adds, subtracts, negates, sums and compares exactly', () => {
    const a = moneyFromDecimal('0.1');
    const b = moneyFromDecimal('0.2');
    expect(formatDecimal(addMoney(a, b))).toBe('0.30');
    expect(formatDecimal(subtractMoney(a, b))).toBe('-0.10');
    expect(formatDecimal(negateMoney(a))).toBe('-0.10');
    expect(sumMoney([])).toBe(ZERO);
    expect(formatDecimal(sumMoney(Array.from({ length: 10 }, () => a)))).toBe('1.00');
    // past 2^53 nano-units, where a double stops counting units
    const big = moneyFromDecimal('9007199.254740993');
    expect(formatDecimal(addMoney(big, nanos(1n)), 9)).toBe('9007199.254740994');
    expect(minMoney(a, b)).toBe(a);
    expect(maxMoney(a, b)).toBe(b);
  });

  it('crosses to floats only through moneyToFloat and moneyFromFloat', () => {
    expect(moneyToFloat(units(6000))).toBe(6000);
    expect(moneyFromFloat(1234.5)).toBe(units(1234) + 500_000_000n);
    expect(moneyFromFloat(Number.NaN)).toBe(ZERO);
  });
});
