import { describe, expect, it } from 'vitest';
import { hasNumberRun, parseJsonExact } from '../../src/domain/json.js';

/** A small seeded generator (mulberry32): the same strings on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('hasNumberRun', () => {
  it('agrees with the plain regular expression on 100,000 seeded strings of every run length', () => {
    const next = random(21);
    const alphabet = '0123456789.eE+-a",:{}';
    for (let trial = 0; trial < 100_000; trial += 1) {
      let s = '';
      const len = Math.floor(next() * 60);
      for (let q = 0; q < len; q += 1) s += alphabet[Math.floor(next() * (next() < 0.85 ? 15 : alphabet.length))];
      const k = 1 + Math.floor(next() * 20);
      const expected = new RegExp(`[\\d.eE+-]{${k},}`).test(s);
      if (hasNumberRun(s, k) !== expected) expect({ s, k, got: !expected }).toEqual({ s, k, got: expected });
    }
  });

  it('finds a run at the start, the end, or the whole text, and none one short', () => {
    expect(hasNumberRun('1234567890123456,"a"', 16)).toBe(true);
    expect(hasNumberRun('"a":1234567890123456', 16)).toBe(true);
    expect(hasNumberRun('1234567890123456', 16)).toBe(true);
    expect(hasNumberRun('123456789012345', 16)).toBe(false);
    expect(hasNumberRun('', 16)).toBe(false);
  });
});

describe('parseJsonExact', () => {
  it('keeps a 16-digit number as its text (a double would round it) and parses the rest as JSON.parse', () => {
    expect(parseJsonExact('{"cost":9999999999999999,"n":12}')).toEqual({ cost: '9999999999999999', n: 12 });
    expect(parseJsonExact('{"cost":20000000.000000123}')).toEqual({ cost: '20000000.000000123' });
    expect(parseJsonExact('{"cost":0.0001,"id":"evt_0000000001","t":"2026-01-01T00:00:00.000Z"}')).toEqual({ cost: 0.0001, id: 'evt_0000000001', t: '2026-01-01T00:00:00.000Z' });
  });
});
