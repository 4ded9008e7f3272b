import { describe, expect, it } from 'vitest';
import { durationMs, isTimeZone, parseDuration, parseInstant, TimeError } from '../../src/domain/time.js';

const now = new Date('2026-11-28T12:00:00Z');

describe('parseInstant', () => {
  it.each([
    ['30d', '2026-10-29T12:00:00.000Z'],
    ['12h', '2026-11-28T00:00:00.000Z'],
    ['6w', '2026-10-17T12:00:00.000Z'],
    ['3mo', '2026-08-28T12:00:00.000Z'],
    ['1y', '2025-11-28T12:00:00.000Z'],
    ['now', '2026-11-28T12:00:00.000Z'],
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2026-01-31T08:00:00Z', '2026-01-31T08:00:00.000Z'],
    ['2026-01-31T08:00', '2026-01-31T08:00:00.000Z'],
    ['2026-01-31T08:00:00+02:00', '2026-01-31T06:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseInstant(text, now).toISOString()).toBe(iso);
  });

  it('clamps month arithmetic to the end of shorter months', () => {
    expect(parseInstant('1mo', new Date('2026-03-31T00:00:00Z')).toISOString()).toBe('2026-02-28T00:00:00.000Z');
  });

  it.each(['30x', 'yesterday', '2026-02-30', '2026-13-01', '', '-3d', '3 d'])('refuses %j', (text) => {
    expect(() => parseInstant(text, now)).toThrow(TimeError);
    expect(() => parseInstant(text, now)).toThrow('use a duration (30d, 12h, 6w, 3mo) or an ISO-8601 date');
  });
});

describe('durations', () => {
  it('parses fixed durations', () => {
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs('2s')).toBe(2000);
    expect(durationMs('5m')).toBe(300_000);
    expect(parseDuration('3mo')).toEqual({ amount: 3, unit: 'mo' });
  });

  it('refuses calendar units where a fixed length is needed', () => {
    expect(() => durationMs('1mo')).toThrow('invalid duration "1mo"');
    expect(() => durationMs('fast')).toThrow('invalid duration "fast"');
  });
});

describe('isTimeZone', () => {
  it('knows IANA zones and refuses others', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
