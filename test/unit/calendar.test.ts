// The text side of kt's one calendar (src/domain/periods.ts): dates and
// months as text, weeks from Monday, cap periods, UTC months. The zone side
// (local days across DST) is in periods.test.ts.
import { describe, expect, it } from 'vitest';
import { addDays, addMonths, capPeriodKey, daysInMonth, formatWithOffset, isCapPeriod, mondayOf, monthLastDay, utcMonth, weekdayName, weekdayOf } from '../../src/domain/periods.js';
import { lastFullMonth } from '../../src/domain/savings/recommend.js';

describe('dates and months as text', () => {
  it('month ends and leap years', () => {
    expect(daysInMonth('2028-02')).toBe(29);
    expect(daysInMonth('2026-02')).toBe(28);
    expect(daysInMonth('2100-02')).toBe(28);
    expect(daysInMonth('2000-02')).toBe(29);
    expect(monthLastDay('2026-04')).toBe('2026-04-30');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });

  it('months across year ends, both ways', () => {
    expect(addMonths('2026-11', 2)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-03', -15)).toBe('2024-12');
  });

  it('weekdays and the Monday of a week, across a year end', () => {
    expect(weekdayOf('2026-11-06')).toBe(5);
    expect(weekdayName('2026-11-06')).toBe('Fri');
    expect(mondayOf('2027-01-01')).toBe('2026-12-28');
    expect(mondayOf('2026-12-28')).toBe('2026-12-28');
    expect(mondayOf('2027-01-03')).toBe('2026-12-28');
  });
});

describe('cap periods', () => {
  const at = (iso: string): number => Date.parse(iso);
  it('changes key exactly when a period starts, on the UTC calendar', () => {
    expect(capPeriodKey(at('2027-01-03T23:59:59.999Z'), 'weekly')).toBe('W2026-12-28');
    expect(capPeriodKey(at('2027-01-04T00:00:00Z'), 'weekly')).toBe('W2027-01-04');
    expect(capPeriodKey(at('2026-03-31T23:59:59Z'), 'quarterly')).toBe('2026-Q1');
    expect(capPeriodKey(at('2026-04-01T00:00:00Z'), 'quarterly')).toBe('2026-Q2');
    expect(capPeriodKey(at('2026-12-31T12:00:00Z'), 'yearly')).toBe('2026');
    expect(capPeriodKey(at('2026-02-28T12:00:00Z'), 'monthly')).toBe('2026-02');
    expect(capPeriodKey(at('2026-02-28T12:00:00Z'), 'daily')).toBe('2026-02-28');
  });
  it('knows its period names', () => {
    expect(['daily', 'weekly', 'monthly', 'quarterly', 'yearly'].every(isCapPeriod)).toBe(true);
    expect(isCapPeriod('hourly')).toBe(false);
  });
});

describe('UTC months', () => {
  it('a month as instants, and the last full month before an instant', () => {
    expect(utcMonth('2026-12')).toEqual({ month: '2026-12', start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
    expect(lastFullMonth(new Date('2027-01-15T10:00:00Z')).month).toBe('2026-12');
    // an instant at a month's first moment ends the month before
    expect(lastFullMonth(new Date('2026-03-01T00:00:00Z'))).toEqual(utcMonth('2026-02'));
  });
});

describe('times with the zone offset', () => {
  it('keeps milliseconds on request, across a DST change', () => {
    expect(formatWithOffset(new Date('2026-03-29T00:59:59.250Z'), 'Europe/Berlin', { millis: true })).toBe('2026-03-29T01:59:59.250+01:00');
    expect(formatWithOffset(new Date('2026-03-29T01:00:00.000Z'), 'Europe/Berlin', { millis: true })).toBe('2026-03-29T03:00:00+02:00');
    expect(formatWithOffset(new Date('2026-11-01T09:00:00.5Z'), 'America/Los_Angeles')).toBe('2026-11-01T01:00:00-08:00');
  });
});
