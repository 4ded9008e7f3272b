import { describe, expect, it } from 'vitest';
import { durationMs, isPlainUtcInstant, isTimeZone, parseDuration, parseInstant, TimeError } from '../../src/domain/time.js';

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
    ['2026-02-30', 'invalid date "2026-02-30": 2026-02 has no day 30 (it has 28 days)'],
    ['2026-02-30T10:00:00+02:00', 'invalid date "2026-02-30T10:00:00+02:00": 2026-02 has no day 30 (it has 28 days)'],
    ['2026-02-29T10:00:00Z', 'invalid date "2026-02-29T10:00:00Z": 2026-02 has no day 29 (it has 28 days)'],
    ['2026-04-31T00:00', 'invalid date "2026-04-31T00:00": 2026-04 has no day 31 (it has 30 days)'],
    ['2026-04-00', 'invalid date "2026-04-00": 2026-04 has no day 00 (it has 30 days)'],
    // the month is what is wrong: the message names it, not the day
    ['2026-13-01', 'invalid date "2026-13-01": there is no month 13; months run 01–12'],
    ['2026-00-10', 'invalid date "2026-00-10": there is no month 00; months run 01–12'],
    ['2026-13-45', 'invalid date "2026-13-45": there is no month 13; months run 01–12'],
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

describe('parseInstant under --tz', () => {
  // Los Angeles falls back on 2026-11-01 (PDT -7 → PST -8); Berlin springs forward on 2026-03-29 and falls back on 2026-10-25.
  it.each([
    ['2026-11-01', 'America/Los_Angeles', '2026-11-01T07:00:00.000Z'],
    ['2026-12-01', 'America/Los_Angeles', '2026-12-01T08:00:00.000Z'],
    ['2026-11-01', 'Europe/Berlin', '2026-10-31T23:00:00.000Z'],
    ['2026-12-01', 'Europe/Berlin', '2026-11-30T23:00:00.000Z'],
    ['2026-03-29', 'Europe/Berlin', '2026-03-28T23:00:00.000Z'],
    ['2026-03-30', 'Europe/Berlin', '2026-03-29T22:00:00.000Z'],
    ['2026-11-01T09:30', 'America/Los_Angeles', '2026-11-01T17:30:00.000Z'],
    ['2026-10-31T09:30:15.250', 'America/Los_Angeles', '2026-10-31T16:30:15.250Z'],
    // an explicit offset or Z wins over --tz
    ['2026-11-01T00:00:00Z', 'America/Los_Angeles', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T00:00:00+01:00', 'America/Los_Angeles', '2026-10-31T23:00:00.000Z'],
    ['2026-11-01', 'UTC', '2026-11-01T00:00:00.000Z'],
  ])('%s in %s → %s', (text, tz, iso) => {
    expect(parseInstant(text, now, tz).toISOString()).toBe(iso);
  });

  it('reads a repeated hour as the earlier one and a skipped hour as after the jump', () => {
    // 01:30 happens twice in Los Angeles on 2026-11-01: first at PDT
    expect(parseInstant('2026-11-01T01:30', now, 'America/Los_Angeles').toISOString()).toBe('2026-11-01T08:30:00.000Z');
    expect(parseInstant('2026-10-25T02:30', now, 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // 02:30 does not exist in Berlin on 2026-03-29: it is read as 03:30 CEST
    expect(parseInstant('2026-03-29T02:30', now, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('starts a day at 01:00 where a zone skips midnight', () => {
    // Santiago springs forward at midnight on 2026-09-06: the local day starts at 01:00 (-03)
    expect(parseInstant('2026-09-06', now, 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });

  it('steps months on the local calendar, keeping the local time of day across DST', () => {
    const at = new Date('2026-11-15T20:00:00Z'); // 12:00 PST in Los Angeles
    expect(parseInstant('1mo', at, 'America/Los_Angeles').toISOString()).toBe('2026-10-15T19:00:00.000Z'); // 12:00 PDT
    expect(parseInstant('1y', at, 'Europe/Berlin').toISOString()).toBe('2025-11-15T20:00:00.000Z');
    // durations in days and hours are fixed lengths in every zone
    expect(parseInstant('7d', at, 'America/Los_Angeles').toISOString()).toBe('2026-11-08T20:00:00.000Z');
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

describe('isPlainUtcInstant', () => {
  it('accepts the plain UTC forms with fields in range, each of which Date.parse reads', () => {
    for (const text of ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z', '2026-12-31T23:59:59.9Z', '2026-02-31T12:30:45.12Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) {
      expect(isPlainUtcInstant(text), text).toBe(true);
      expect(Number.isNaN(Date.parse(text)), text).toBe(false);
    }
  });

  it('leaves every other form to Date.parse', () => {
    for (const text of ['2026-13-01T00:00:00Z', '2026-00-01T00:00:00Z', '2026-01-00T00:00:00Z', '2026-01-32T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z', '2026-01-01T23:59:60Z', '2026-01-01T00:00:00.Z', '2026-01-01T00:00:00.1234Z', '2026-01-01T00:00:00', '2026-01-01T00:00:00+00:00', '2026-01-01 00:00:00Z', '2026-01-01', '', 'x']) {
      expect(isPlainUtcInstant(text), text).toBe(false);
    }
  });

  it('never accepts what Date.parse rejects, on 200,000 seeded near-miss strings', () => {
    let a = 7;
    const next = (): number => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pad = (value: number, width: number): string => String(value).padStart(width, '0');
    // Each field around its range's edges; now and then any character anywhere.
    const field = (max: number): string => pad(Math.floor(next() * (max + 4)), 2);
    const alphabet = '0123456789-T:.Z+ ';
    let accepted = 0;
    for (let trial = 0; trial < 200_000; trial += 1) {
      const fraction = ['', '.5', '.25', '.125', '.1234', '.'][Math.floor(next() * 6)] ?? '';
      const chars = [
        ...`${pad(Math.floor(next() * 10_000), 4)}-${field(12)}-${field(31)}T${field(23)}:${field(59)}:${field(59)}${fraction}Z`,
      ];
      for (let i = 0; i < chars.length; i += 1) if (next() < 0.01) chars[i] = alphabet[Math.floor(next() * alphabet.length)] ?? '';
      const text = chars.join('');
      if (!isPlainUtcInstant(text)) continue;
      accepted += 1;
      if (Number.isNaN(Date.parse(text))) expect(text).toBe('a text Date.parse reads');
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
