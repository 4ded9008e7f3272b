// Reservation ids sort in the order they were made (their primary key index
// then grows at its end), within a millisecond and across one set back.
import { describe, expect, it } from 'vitest';
import { orderedHex } from '../../src/emulator/ids.js';

describe('orderedHex', () => {
  it('gives 20 hex characters that sort in the order they were made', () => {
    const at = Date.parse('2026-12-06T12:00:00Z');
    const ids = [orderedHex(at), orderedHex(at), orderedHex(at), orderedHex(at + 1), orderedHex(at + 1000)];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{20}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]?.slice(0, 12)).toBe(at.toString(16).padStart(12, '0'));
  });

  it('keeps the order when the clock goes back or one millisecond runs out of counter', () => {
    const at = Date.parse('2026-12-07T12:00:00Z');
    const ids = [orderedHex(at)];
    ids.push(orderedHex(at - 5_000));
    for (let i = 0; i < 70_000; i += 1) ids.push(orderedHex(at));
    ids.push(orderedHex(at + 10_000));
    for (let i = 1; i < ids.length; i += 1) expect((ids[i - 1] as string) < (ids[i] as string)).toBe(true);
  });
});
