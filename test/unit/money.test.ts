import { describe, expect, it } from 'vitest';
import { addMoney, AmountError, divideHalfEven, formatDecimal, formatMoney, moneyFromDecimal, moneyFromFloat, moneyFromJson, moneyRatio, moneyToFloat, nanos, parseAmount, units, ZERO } from '../../src/domain/money.js';
import { parseJsonExact, quoteLongNumbers, stringifyJson } from '../../src/domain/json.js';

describe('parseAmount', () => {
  it.each([
    ['10000', 10_000_000_000_000n],
    ['12.5', 12_500_000_000n],
    ['0.000000001', 1n],
    ['0.0000375', 37_500n],
    ['0.1', 100_000_000n],
    ['  7 ', 7_000_000_000n],
    ['1234567.123456789', 1_234_567_123_456_789n],
    ['999999999999999.999999999', 999_999_999_999_999_999_999_999n],
  ])('parses %s exactly', (text, money) => {
    expect(parseAmount(text)).toBe(money);
  });

  it.each([
    ['0', 'must be greater than zero'],
    ['-5', 'negative'],
    ['abc', 'not a number'],
    ['', 'not a number'],
    ['1.0000000001', 'more than 9 decimals'],
    ['$10', 'currency symbol'],
    ['10,000', 'thousands separators'],
    ['1e3', 'exponent'],
    ['1000000000000000', 'too large'],
  ])('refuses %j (%s)', (text, why) => {
    expect(() => parseAmount(text)).toThrow(AmountError);
    expect(() => parseAmount(text)).toThrow(why);
  });

  it('names the accepted form', () => {
    expect(() => parseAmount('ten')).toThrow('use a plain decimal such as 2500 or 12.75 (at most 9 decimals)');
  });

  it('allows zero only when asked', () => {
    expect(parseAmount('0', { allowZero: true })).toBe(0n);
  });
});

describe('moneyFromJson', () => {
  it.each<[unknown, bigint]>([
    [0.1, 100_000_000n],
    [0.3, 300_000_000n],
    [2.5, 2_500_000_000n],
    [1e-9, 1n],
    [0.0000375, 37_500n],
    [3.75e-5, 37_500n],
    [0.00000015, 150n],
    [-12.25, -12_250_000_000n],
    [50000, 50_000_000_000_000n],
    [20000.000000123, 20_000_000_000_123n],
    [20000000.000123, 20_000_000_000_123_000n],
    [1e14, 100_000_000_000_000_000_000_000n],
    // float noise beyond the ninth decimal is rounded away once
    [0.0016150000000000001, 1_615_000n],
    [0.1 + 0.2, 300_000_000n],
    // decimal strings (some servers send amounts as text), any form
    ['12.50', 12_500_000_000n],
    ['3.75e-05', 37_500n],
    ['-0.000000001', -1n],
    ['20000000.000000123', 20_000_000_000_000_123n],
  ])('reads %j exactly', (value, money) => {
    expect(moneyFromJson(value)).toBe(money);
  });

  it('rounds half to even at the ninth decimal', () => {
    expect(moneyFromJson('0.0000000005')).toBe(0n);
    expect(moneyFromJson('0.0000000015')).toBe(2n);
    expect(moneyFromJson('0.0000000025')).toBe(2n);
    expect(moneyFromJson('0.00000000251')).toBe(3n);
    expect(moneyFromJson('-0.0000000035')).toBe(-4n);
    expect(moneyFromJson(1.0000000005)).toBe(1_000_000_000n);
    expect(moneyFromJson('1e-30')).toBe(0n);
  });

  it('with exact, refuses non-zero digits past the ninth decimal instead of rounding them (a ledger write)', () => {
    for (const value of [1.1234567891, '1.1234567891', 0.30000000000000004, '0.0000000005', 1e-10, '-3.0000000001', '2.5e-10']) {
      expect(() => moneyFromJson(value, { exact: true }), String(value)).toThrow(/more than 9 decimals; amounts are exact to 0\.000000001/);
    }
    expect(moneyFromJson('1.0000000010', { exact: true })).toBe(1_000_000_001n);
    expect(moneyFromJson(3.75e-5, { exact: true })).toBe(37_500n);
    expect(moneyFromJson('20000000.000000123000', { exact: true })).toBe(20_000_000_000_000_123n);
    expect(moneyFromJson(0.1, { exact: true })).toBe(100_000_000n);
  });

  it('refuses what is not a number, with the reason', () => {
    expect(() => moneyFromJson(Number.NaN)).toThrow('not a finite number');
    expect(() => moneyFromJson(Number.POSITIVE_INFINITY)).toThrow('not a finite number');
    expect(() => moneyFromJson('abc')).toThrow('invalid amount "abc": not a number');
    expect(() => moneyFromJson('')).toThrow('not a number');
    expect(() => moneyFromJson('1,5')).toThrow('not a number');
    expect(() => moneyFromJson(true)).toThrow('invalid amount true: not a number');
    expect(() => moneyFromJson(null)).toThrow('invalid amount null: not a number');
    expect(() => moneyFromJson(undefined)).toThrow('invalid amount undefined: not a number');
    expect(() => moneyFromJson('1e400')).toThrow('too large');
    expect(() => moneyFromJson(1e21)).toThrow('invalid amount 1e+21: too large');
  });

  it('the string-free fast path agrees with the shortest-text route on every kind of double', () => {
    // Deterministic pseudo-random values of every magnitude: 9-decimal amounts,
    // 10-decimal ones (rounded away) and raw doubles.
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values: number[] = [0, -0, 1e-9, -1e-9, 2 ** 22 - 1e-9, 2 ** 22, -(2 ** 22), 0.1 + 0.2, 1e-10, 5e-10];
    for (let i = 0; i < 50_000; i++) {
      const scale = 10 ** Math.floor(next() * 16);
      values.push(Math.round(next() * scale) / 1e9);
      values.push(-Math.round(next() * scale) / 1e9);
      values.push(Math.round(next() * scale) / 1e10);
      values.push(next() * scale);
    }
    for (const value of values) expect(moneyFromJson(value), String(value)).toBe(moneyFromDecimal(String(value)));
  });

  it('sums 0.1 ten times to exactly 1', () => {
    let total = 0n;
    for (let i = 0; i < 10; i++) total += moneyFromJson(0.1);
    expect(total).toBe(units(1));
  });

  it('stays exact past 2^53 nano-units: 1,000 × $20,000.000000123 = $20,000,000.000123', () => {
    let total = ZERO;
    for (let i = 0; i < 1000; i++) total = addMoney(total, moneyFromJson(20000.000000123));
    expect(total > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(formatDecimal(total)).toBe('20000000.000123');
  });
});

describe('divideHalfEven', () => {
  it.each([
    [5n, 10n, 0n],
    [15n, 10n, 2n],
    [25n, 10n, 2n],
    [26n, 10n, 3n],
    [-15n, 10n, -2n],
    [-25n, 10n, -2n],
    [7n, 3n, 2n],
  ])('%d / %d → %d', (a, b, q) => {
    expect(divideHalfEven(a, b)).toBe(q);
  });
});

describe('formatDecimal', () => {
  it.each([
    [12_500_000_000n, '12.50'],
    [37_500n, '0.0000375'],
    [1n, '0.000000001'],
    [-3_000_000_000n, '-3.00'],
    [0n, '0.00'],
    [1_234_567_890_123_456_789n, '1234567890.123456789'],
  ])('%d → %s', (money, text) => {
    expect(formatDecimal(nanos(money))).toBe(text);
  });

  it('trims to a chosen minimum', () => {
    expect(formatDecimal(nanos(12_500_000_000n), 0)).toBe('12.5');
    expect(formatDecimal(nanos(12_000_000_000n), 0)).toBe('12');
  });
});

describe('formatMoney', () => {
  it.each<[bigint, string, string]>([
    [12_345_670_000_000n, 'USD', '$12,345.67'],
    [0n, 'USD', '$0.00'],
    [4_200_000n, 'USD', '$0.0042'],
    [37_500n, 'USD', '$0.000038'],
    [150n, 'USD', '$0.00000015'],
    [1n, 'USD', '$0.000000001'],
    [-1_500_000_000n, 'USD', '-$1.50'],
    [50_000_000_000_000n, 'EUR', '€50,000.00'],
    [5_000_000_000n, 'XYZ', 'XYZ 5.00'],
    [9_995_000_000n, 'USD', '$10.00'],
    [20_000_000_000_123_000n, 'USD', '$20,000,000.00'],
    // cents that would not show 0.00 are cents: the rule is about a false zero only
    [9_950_250n, 'USD', '$0.01'],
    [5_000_000n, 'USD', '$0.01'],
    [-9_950_250n, 'USD', '-$0.01'],
    [4_999_999n, 'USD', '$0.0050'],
    [4_990_000n, 'USD', '$0.0050'],
    [4_940_000n, 'USD', '$0.0049'],
    // rounding up to a new digit keeps two significant digits, not three
    [99_900n, 'USD', '$0.00010'],
    [9_990n, 'USD', '$0.000010'],
    [999n, 'USD', '$0.0000010'],
  ])('%d %s → %s', (money, currency, text) => {
    expect(formatMoney(nanos(money), currency)).toBe(text);
  });
});

describe('floats, only for statistics', () => {
  it('converts both ways to the nearest nano-unit', () => {
    expect(moneyToFloat(nanos(12_500_000_000n))).toBe(12.5);
    expect(moneyFromFloat(12.345678901234)).toBe(12_345_678_901n);
    expect(moneyFromFloat(Number.NaN)).toBe(0n);
    expect(moneyRatio(nanos(737n), nanos(1000n))).toBeCloseTo(0.737, 12);
    expect(moneyRatio(nanos(1n), nanos(0n))).toBeNull();
  });
});

describe('exact JSON text', () => {
  it('hands numbers a double cannot hold over as their source text', () => {
    const parsed = parseJsonExact('{"a":20000000.000000123,"b":0.1,"c":"x 12345678901234567890 y","d":[-123456789012345678,1e-7]}') as Record<string, unknown>;
    expect(parsed).toEqual({ a: '20000000.000000123', b: 0.1, c: 'x 12345678901234567890 y', d: ['-123456789012345678', 1e-7] });
    expect(moneyFromJson(parsed.a)).toBe(20_000_000_000_000_123n);
  });

  it('leaves strings, escapes and short numbers alone', () => {
    const text = '{"s":"a\\"12345678901234567890\\"","n":123456789012345,"z":0.000000000000000001}';
    expect(quoteLongNumbers(text)).toBe(text);
    expect(parseJsonExact('[1,2,3]')).toEqual([1, 2, 3]);
  });

  it('writes money as exact decimal numbers', () => {
    expect(stringifyJson({ team: 'search', cost: 37_500n, total: 20_000_000_000_000_123n, n: 3, x: undefined, list: [1n, null] })).toBe(
      '{"team":"search","cost":0.0000375,"total":20000000.000000123,"n":3,"list":[0.000000001,null]}',
    );
    expect(stringifyJson({ amount: units(10_000) }, { moneyDecimals: 0 })).toBe('{"amount":10000}');
    expect(stringifyJson({ a: [1n] }, { indent: 2 })).toBe('{\n  "a": [\n    0.000000001\n  ]\n}');
    expect(JSON.parse(stringifyJson({ when: new Date('2026-01-01T00:00:00Z') }))).toEqual({ when: '2026-01-01T00:00:00.000Z' });
  });
});
