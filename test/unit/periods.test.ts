import { isPartialBucket } from '../../src/domain/buckets.js';
import { describe, expect, it } from 'vitest';
import { bucketStart, dayElapsed, formatWithOffset, localDate, nextBucketStart, offsetAt, startOfLocalDay, walletPeriodBounds } from '../../src/domain/periods.js';

const at = (iso: string): Date => new Date(iso);
const startIso = (iso: string, period: 'daily' | 'weekly' | 'monthly', tz: string): string => bucketStart(at(iso), period, tz).toISOString();
const local = (iso: string, period: 'daily' | 'weekly' | 'monthly', tz: string): string => formatWithOffset(bucketStart(at(iso), period, tz), tz);

describe('bucketStart in Europe/Berlin across DST', () => {
  const tz = 'Europe/Berlin';
  it('starts the spring-forward day at local midnight (+01:00) and the next at +02:00 (23-hour day)', () => {
    expect(startIso('2026-03-29T12:00:00Z', 'daily', tz)).toBe('2026-03-28T23:00:00.000Z');
    expect(local('2026-03-29T12:00:00Z', 'daily', tz)).toBe('2026-03-29T00:00:00+01:00');
    const next = nextBucketStart(at('2026-03-28T23:00:00Z'), 'daily', tz);
    expect(next.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(formatWithOffset(next, tz)).toBe('2026-03-30T00:00:00+02:00');
  });
  it('makes the fall-back day 25 hours long', () => {
    const start = bucketStart(at('2026-10-25T10:00:00Z'), 'daily', tz);
    expect(start.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(nextBucketStart(start, 'daily', tz).getTime() - start.getTime()).toBe(25 * 3_600_000);
  });
  it('puts the hour just before local midnight in the previous day', () => {
    expect(local('2026-07-01T21:59:59Z', 'daily', tz)).toBe('2026-07-01T00:00:00+02:00');
    expect(local('2026-07-01T22:00:00Z', 'daily', tz)).toBe('2026-07-02T00:00:00+02:00');
  });
  it('starts weeks on Monday, even when the week spans the DST change', () => {
    // 2026-03-29 is a Sunday: its week began Monday 2026-03-23 in winter time
    expect(local('2026-03-29T20:00:00Z', 'weekly', tz)).toBe('2026-03-23T00:00:00+01:00');
    expect(local('2026-03-29T22:30:00Z', 'weekly', tz)).toBe('2026-03-30T00:00:00+02:00');
    expect(nextBucketStart(at('2026-03-22T23:00:00Z'), 'weekly', tz).toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });
  it('starts months on the 1st at local midnight', () => {
    expect(local('2026-10-31T23:30:00Z', 'monthly', tz)).toBe('2026-11-01T00:00:00+01:00');
    expect(local('2026-10-31T22:30:00Z', 'monthly', tz)).toBe('2026-10-01T00:00:00+02:00');
  });
});

describe('bucketStart in America/New_York across DST', () => {
  const tz = 'America/New_York';
  it('handles the spring-forward day (2026-03-08)', () => {
    expect(startIso('2026-03-08T15:00:00Z', 'daily', tz)).toBe('2026-03-08T05:00:00.000Z');
    expect(nextBucketStart(at('2026-03-08T05:00:00Z'), 'daily', tz).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(local('2026-03-09T03:59:59Z', 'daily', tz)).toBe('2026-03-08T00:00:00-05:00');
  });
  it('handles the fall-back day (2026-11-01) and the month boundary', () => {
    expect(local('2026-11-01T12:00:00Z', 'daily', tz)).toBe('2026-11-01T00:00:00-04:00');
    expect(nextBucketStart(at('2026-11-01T04:00:00Z'), 'daily', tz).toISOString()).toBe('2026-11-02T05:00:00.000Z');
    // 03:30Z on Nov 1 is still October 31 in New York
    expect(local('2026-11-01T03:30:00Z', 'monthly', tz)).toBe('2026-10-01T00:00:00-04:00');
    expect(local('2026-11-01T03:30:00Z', 'weekly', tz)).toBe('2026-10-26T00:00:00-04:00');
  });
});

describe('edge zones', () => {
  it('starts a day at 01:00 where the zone skips midnight (America/Santiago, 2026-09-06)', () => {
    expect(startOfLocalDay(2026, 9, 6, 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
    expect(local('2026-09-06T12:00:00Z', 'daily', 'America/Santiago')).toBe('2026-09-06T01:00:00-03:00');
  });
  it('handles half-hour offsets (Asia/Kolkata)', () => {
    expect(local('2026-05-10T18:29:00Z', 'daily', 'Asia/Kolkata')).toBe('2026-05-10T00:00:00+05:30');
    expect(local('2026-05-10T18:30:00Z', 'daily', 'Asia/Kolkata')).toBe('2026-05-11T00:00:00+05:30');
  });
  it('formats UTC with +00:00 and defaults to UTC', () => {
    expect(formatWithOffset(bucketStart(at('2026-02-14T13:00:00Z'), 'daily'))).toBe('2026-02-14T00:00:00+00:00');
    expect(offsetAt(Date.UTC(2026, 0, 1), 'Europe/Berlin')).toBe(3_600_000);
  });
});

describe('local dates and the elapsed part of today', () => {
  it('finds local dates, day starts and the elapsed part of today', () => {
    expect(localDate(new Date('2026-11-28T23:30:00Z'), 'Europe/Berlin')).toBe('2026-11-29');
    expect(localDate(new Date('2026-11-28T23:30:00Z'), 'UTC')).toBe('2026-11-28');
    expect(startOfLocalDay(2026, 3, 29, 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfLocalDay(2026, 3, 30, 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(dayElapsed(new Date('2026-11-28T06:00:00Z'), 'UTC')).toBe(0.25);
    // 2026-03-29 in Berlin is 23 hours long; at 11:30 UTC, 12.5 of them have gone.
    expect(dayElapsed(new Date('2026-03-29T11:30:00Z'), 'Europe/Berlin')).toBeCloseTo(12.5 / 23, 9);
  });
  it('measures a day that skips midnight from 01:00 (America/Santiago, 2026-09-06, 23 hours)', () => {
    expect(localDate(new Date('2026-09-06T04:00:00Z'), 'America/Santiago')).toBe('2026-09-06');
    expect(localDate(new Date('2026-09-06T03:59:59Z'), 'America/Santiago')).toBe('2026-09-05');
    expect(dayElapsed(new Date('2026-09-06T04:00:00Z'), 'America/Santiago')).toBe(0);
    expect(dayElapsed(new Date('2026-09-06T15:30:00Z'), 'America/Santiago')).toBe(0.5);
  });
});

describe('buckets tile time', () => {
  for (const tz of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'UTC']) {
    for (const period of ['daily', 'weekly', 'monthly'] as const) {
      it(`every 3 hours of 2026 fall in exactly one ${period} bucket in ${tz}`, () => {
        let t = Date.UTC(2026, 0, 1);
        let current = bucketStart(new Date(t), period, tz);
        let next = nextBucketStart(current, period, tz);
        for (; t < Date.UTC(2027, 0, 1); t += 3 * 3_600_000) {
          if (t >= next.getTime()) {
            current = next;
            next = nextBucketStart(current, period, tz);
          }
          const start = bucketStart(new Date(t), period, tz);
          expect(start.getTime()).toBe(current.getTime());
        }
      });
    }
  }
});

describe('walletPeriodBounds', () => {
  it('uses UTC calendar months, quarters and years', () => {
    const t = at('2026-11-28T15:00:00Z');
    expect(walletPeriodBounds(t, 'monthly')).toEqual({ start: at('2026-11-01T00:00:00Z'), end: at('2026-12-01T00:00:00Z') });
    expect(walletPeriodBounds(t, 'quarterly')).toEqual({ start: at('2026-10-01T00:00:00Z'), end: at('2027-01-01T00:00:00Z') });
    expect(walletPeriodBounds(t, 'yearly')).toEqual({ start: at('2026-01-01T00:00:00Z'), end: at('2027-01-01T00:00:00Z') });
  });
});

describe('isPartialBucket', () => {
  const now = new Date('2026-12-06T15:00:00Z');
  const range = (since: string, until?: string): { since: Date; until: Date | undefined; now: Date } => ({ since: at(since), until: until === undefined ? undefined : at(until), now });

  it('marks the week a 3-day range cuts, and the one still in progress', () => {
    // --since 3d on Sunday 2026-12-06: the week of Monday 2026-11-30 holds only Dec 3–6
    expect(isPartialBucket('2026-11-30T00:00:00Z', 'weekly', 'UTC', range('2026-12-03T15:00:00Z'))).toBe(true);
    expect(isPartialBucket('2026-11-23T00:00:00Z', 'weekly', 'UTC', range('2026-11-23T00:00:00Z', '2026-11-30T00:00:00Z'))).toBe(false);
    expect(isPartialBucket('2026-12-06T00:00:00Z', 'daily', 'UTC', range('2026-12-01T00:00:00Z'))).toBe(true);
    expect(isPartialBucket('2026-12-05T00:00:00Z', 'daily', 'UTC', range('2026-12-01T00:00:00Z'))).toBe(false);
    // an --until in the future does not make the running period whole
    expect(isPartialBucket('2026-12-01T00:00:00Z', 'monthly', 'UTC', range('2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z'))).toBe(true);
  });

  it('measures the period in the zone: November in Los Angeles is whole from its local first to its local last instant', () => {
    const nov = range('2026-11-01T07:00:00Z', '2026-12-01T08:00:00Z');
    expect(isPartialBucket('2026-11-01T00:00:00-07:00', 'monthly', 'America/Los_Angeles', nov)).toBe(false);
    // the same instants read on the UTC calendar cut two months
    expect(isPartialBucket('2026-11-01T00:00:00Z', 'monthly', 'UTC', nov)).toBe(true);
    // Berlin's 25-hour day when clocks fall back is whole only with all 25 hours
    expect(isPartialBucket('2026-10-25T00:00:00+02:00', 'daily', 'Europe/Berlin', range('2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z'))).toBe(false);
    expect(isPartialBucket('2026-10-25T00:00:00+02:00', 'daily', 'Europe/Berlin', range('2026-10-24T22:00:00Z', '2026-10-25T22:00:00Z'))).toBe(true);
  });
});
