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

  it.each([
    ['2026-02-30', 'invalid date "2026-02-30": 2026-02 has no day 30'],
    ['2026-02-30T10:00:00+02:00', 'invalid date "2026-02-30T10:00:00+02:00": 2026-02 has no day 30'],
    ['2026-02-29T10:00:00Z', 'invalid date "2026-02-29T10:00:00Z": 2026-02 has no day 29'],
    ['2026-04-31T00:00', 'invalid date "2026-04-31T00:00": 2026-04 has no day 31'],
    ['2026-13-01', 'invalid date "2026-13-01": 2026-13 has no day 01'],
    ['2026-00-10', 'invalid date "2026-00-10": 2026-00 has no day 10'],
    ['2026-01-31T24:00:00Z', 'invalid time of day in "2026-01-31T24:00:00Z": use hours 00–23, minutes and seconds 00–59'],
    ['2026-01-31T10:60Z', 'invalid time of day in "2026-01-31T10:60Z": use hours 00–23, minutes and seconds 00–59'],
    ['2026-01-31T10:00:00+02:75', 'invalid time of day in "2026-01-31T10:00:00+02:75": use hours 00–23, minutes and seconds 00–59'],
  ])('refuses the impossible %s', (text, message) => {
    expect(() => parseInstant(text, now)).toThrow(TimeError);
    expect(() => parseInstant(text, now)).toThrow(message);
  });

  it('accepts a leap day, fractions of a second and compact offsets', () => {
    expect(parseInstant('2028-02-29T10:00:00Z', now).toISOString()).toBe('2028-02-29T10:00:00.000Z');
    expect(parseInstant('2026-01-31T08:00:00.123456789Z', now).toISOString()).toBe('2026-01-31T08:00:00.123Z');
    expect(parseInstant('2026-01-31T08:00:00-0530', now).toISOString()).toBe('2026-01-31T13:30:00.000Z');
  });

  it.each(['30x', 'yesterday', '', '-3d', '3 d', '2026-1-31', '2026-01-31 08:00'])('refuses %j', (text) => {
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
