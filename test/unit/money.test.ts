import { describe, expect, it } from 'vitest';
import {
  AmountError,
  addMicros,
  formatDecimal,
  formatMoney,
  microsFromJson,
  microsFromShortestText,
  microsToJson,
  parseAmount,
} from '../../src/domain/money.js';

describe('parseAmount', () => {
  it.each([
    ['10000', 10_000_000_000],
    ['12.5', 12_500_000],
    ['0.000001', 1],
    ['0.1', 100_000],
    ['  7 ', 7_000_000],
    ['1234567.123456', 1_234_567_123_456],
  ])('parses %s exactly', (text, micros) => {
    expect(parseAmount(text)).toBe(micros);
  });

  it.each([
    ['0', 'must be greater than zero'],
    ['-5', 'negative'],
    ['abc', 'not a number'],
    ['', 'not a number'],
    ['1.0000001', 'more than 6 decimals'],
    ['$10', 'currency symbol'],
    ['10,000', 'thousands separators'],
    ['1e3', 'exponent'],
    ['99999999999999', 'too large'],
  ])('refuses %j (%s)', (text, why) => {
    expect(() => parseAmount(text)).toThrow(AmountError);
    expect(() => parseAmount(text)).toThrow(why);
  });

  it('names the accepted form', () => {
    expect(() => parseAmount('ten')).toThrow('use a plain decimal such as 2500 or 12.75 (at most 6 decimals)');
  });

  it('allows zero only when asked', () => {
    expect(parseAmount('0', { allowZero: true })).toBe(0);
  });
});

describe('microsFromJson / microsToJson', () => {
  it.each([
    [0.1, 100_000],
    [0.3, 300_000],
    [2.5, 2_500_000],
    [1e-6, 1],
    [1e21, 1e27],
    [-12.25, -12_250_000],
    [50000, 50_000_000_000],
  ])('converts %s exactly', (value, micros) => {
    if (micros > Number.MAX_SAFE_INTEGER) {
      expect(() => microsFromJson(value)).toThrow('too large');
    } else {
      expect(microsFromJson(value)).toBe(micros);
    }
  });

  it('refuses more than 6 decimals and non-numbers', () => {
    expect(() => microsFromJson(0.0000001)).toThrow('more than 6 decimals');
    expect(() => microsFromJson('1')).toThrow('not a finite number');
    expect(() => microsFromJson(Number.NaN)).toThrow('not a finite number');
  });

  it('round-trips through JSON numbers', () => {
    for (const micros of [1, 100_000, 123_456_789, 9_999_999_999_999, -42]) {
      expect(microsFromJson(JSON.parse(JSON.stringify(microsToJson(micros))))).toBe(micros);
    }
  });

  it('the string-free fast path agrees with the shortest-text reference, refusals included', () => {
    // Deterministic pseudo-random values: 6-decimal amounts of every magnitude
    // up to the fast path's 2^31 limit and past it, 7-decimal ones, and raw doubles.
    let seed = 12345;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const outcome = (fn: () => number): string => {
      try {
        return `ok ${fn()}`;
      } catch (error) {
        return `error ${(error as Error).message}`;
      }
    };
    const values: number[] = [0, -0, 1e-6, -1e-6, 2 ** 31 - 1e-6, 2 ** 31, -(2 ** 31), 4294967295.999999, 0.1 + 0.2, 1e-7];
    for (let i = 0; i < 50_000; i++) {
      const scale = 10 ** Math.floor(next() * 16);
      values.push(Math.round(next() * scale) / 1e6);
      values.push(-Math.round(next() * scale) / 1e6);
      values.push(Math.round(next() * scale) / 1e7);
      values.push(next() * scale);
    }
    let fast = 0;
    for (const value of values) {
      const expected = outcome(() => microsFromShortestText(value));
      expect(outcome(() => microsFromJson(value)), String(value)).toBe(expected);
      if (expected.startsWith('ok') && Math.abs(value) < 2 ** 31) fast += 1;
    }
    expect(fast).toBeGreaterThan(50_000);
    expect(microsFromJson(-0)).toBe(0);
    expect(Object.is(microsFromJson(-0), -0)).toBe(false);
  });

  it('sums 0.1 ten times to exactly 1 in micros', () => {
    let total = 0;
    for (let i = 0; i < 10; i++) total = addMicros(total, microsFromJson(0.1));
    expect(total).toBe(1_000_000);
  });
});

describe('formatDecimal', () => {
  it.each([
    [12_500_000, '12.50'],
    [123, '0.000123'],
    [-3_000_000, '-3.00'],
    [0, '0.00'],
    [1_234_567_890_123, '1234567.890123'],
  ])('%d → %s', (micros, text) => {
    expect(formatDecimal(micros)).toBe(text);
  });

  it('trims to a chosen minimum', () => {
    expect(formatDecimal(12_500_000, 0)).toBe('12.5');
    expect(formatDecimal(12_000_000, 0)).toBe('12');
  });
});

describe('formatMoney', () => {
  it.each([
    [12_345_670_000, 'USD', '$12,345.67'],
    [0, 'USD', '$0.00'],
    [4_200, 'USD', '$0.0042'],
    [1, 'USD', '$0.000001'],
    [-1_500_000, 'USD', '-$1.50'],
    [50_000_000_000, 'EUR', '€50,000.00'],
    [5_000_000, 'XYZ', 'XYZ 5.00'],
    [9_995_000, 'USD', '$10.00'],
  ])('%d %s → %s', (micros, currency, text) => {
    expect(formatMoney(micros, currency)).toBe(text);
  });
});

describe('addMicros', () => {
  it('refuses to overflow into floats', () => {
    expect(() => addMicros(Number.MAX_SAFE_INTEGER, 1)).toThrow('overflow');
  });
});
