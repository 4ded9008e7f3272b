// The two column kinds the FOCUS export added: exact decimals at any scale,
// and JSON object text (FOCUS Tags).
import { describe, expect, it } from 'vitest';
import { CellRenderer } from '../../src/output/cells.js';
import type { Column } from '../../src/output/index.js';
import { formatScaled } from '../../src/domain/money.js';

describe('decimal and json cells', () => {
  const r = new CellRenderer(undefined);
  const qty: Column<{ v: bigint | null }> = { name: 'qty', kind: 'decimal', scale: 6, get: (x) => x.v };
  const tags: Column<{ t: string | null }> = { name: 'tags', kind: 'json', get: (x) => x.t };

  it('writes a decimal exactly, without trailing zeros, in csv, json and tables', () => {
    expect(r.csv(qty, { v: 250n })).toBe('0.00025');
    expect(r.json(qty, { v: 1_000_000n })).toBe('1');
    expect(r.table(qty, { v: 123_456_789_012n })).toBe('123456.789012');
    expect(r.csv(qty, { v: null })).toBe('');
    expect(r.json(qty, { v: null })).toBe('null');
    expect(() => r.csv(qty, { v: 1.5 as unknown as bigint })).toThrow('decimal cell must be a bigint');
  });

  it('writes JSON object text as it is: a string in csv, an object in json', () => {
    const text = '{"kt/user_id":"ada","kt/request_id":"r1"}';
    expect(r.csv(tags, { t: text })).toBe(text);
    expect(JSON.parse(`{"tags":${r.json(tags, { t: text })}}`)).toEqual({ tags: { 'kt/user_id': 'ada', 'kt/request_id': 'r1' } });
    expect(r.json(tags, { t: null })).toBe('null');
  });

  it('formatScaled: exact text of a scaled bigint', () => {
    expect(formatScaled(0n, 6)).toBe('0');
    expect(formatScaled(-250n, 6)).toBe('-0.00025');
    expect(formatScaled(3n, 0)).toBe('3');
    expect(formatScaled(10n ** 30n + 1n, 9)).toBe('1000000000000000000000.000000001');
  });
});
