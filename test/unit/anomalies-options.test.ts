// kt events anomalies flags → the range, the history fetched before it, and
// every refusal (a UsageError: exit 2).
import { describe, expect, it } from 'vitest';
import { parseAnomaliesFlags } from '../../src/cli/events/anomalies-options.js';
import { BASELINE_DAYS } from '../../src/domain/anomalies.js';
import { addDays } from '../../src/domain/periods.js';
import { UsageError } from '../../src/errors.js';

const NOW = new Date('2026-04-15T09:30:00.000Z'); // a Wednesday morning

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseAnomaliesFlags', () => {
  it('defaults: the last 30 days by team at 99 %, today judged as a partial day, 70 days of history before', () => {
    const r = parseAnomaliesFlags({}, NOW);
    expect(r).toMatchObject({ groupBy: ['team'], tz: 'UTC', level: 99, minCost: 1_000_000_000n, from: '2026-03-16', through: '2026-04-14', partialDate: '2026-04-15', chart: false });
    expect(r.fetch.since).toBe(`${addDays('2026-03-16', -BASELINE_DAYS)}T00:00:00.000Z`);
    expect(r.fetch.until).toBeUndefined();
    expect(r.state).toBeUndefined();
    expect(r.webhook).toBeUndefined();
  });

  it('an --until at midnight ends with a complete day; one mid-day cuts its day short', () => {
    const whole = parseAnomaliesFlags({ since: '2026-04-01', until: '2026-04-08' }, NOW);
    expect(whole).toMatchObject({ from: '2026-04-01', through: '2026-04-07', partialDate: undefined });
    expect(whole.fetch.until).toBe('2026-04-08T00:00:00.000Z');
    const cut = parseAnomaliesFlags({ since: '2026-04-01', until: '2026-04-08T12:00:00Z' }, NOW);
    expect(cut).toMatchObject({ through: '2026-04-07', partialDate: '2026-04-08' });
    // An --until after now ends now: later days have not happened.
    expect(parseAnomaliesFlags({ since: '7d', until: '2026-05-01' }, NOW)).toMatchObject({ through: '2026-04-14', partialDate: '2026-04-15' });
  });

  it('--tz: days are local; the history starts at local midnight', () => {
    const r = parseAnomaliesFlags({ since: '2026-04-01T00:00:00+09:00', tz: 'Asia/Tokyo' }, NOW);
    // 09:30 UTC is 18:30 in Tokyo, still the 15th.
    expect(r).toMatchObject({ tz: 'Asia/Tokyo', from: '2026-04-01', through: '2026-04-14', partialDate: '2026-04-15' });
    expect(r.fetch.since).toBe(new Date(`${addDays('2026-04-01', -BASELINE_DAYS)}T00:00:00+09:00`).toISOString());
  });

  it('--group-by, --level, --min-cost, --team, --state, --webhook, --chart', () => {
    const r = parseAnomaliesFlags(
      { groupBy: 'team,model,team', level: '99.9%', minCost: '0', team: ['search,ads'], state: 'state.json', webhook: 'https://hooks.slack.com/services/T/B/x', chart: true },
      NOW,
    );
    expect(r).toMatchObject({ groupBy: ['team', 'model'], level: 99.9, minCost: 0n, state: 'state.json', webhook: 'https://hooks.slack.com/services/T/B/x', chart: true });
    expect(r.fetch.teams).toEqual(['search', 'ads']);
  });

  it.each([
    [{ groupBy: 'team,colour' }, 'invalid --group-by "team,colour": unknown key "colour"; use team, provider, model (a comma list, e.g. team,model)'],
    [{ groupBy: 'team,' }, 'invalid --group-by "team,": unknown key an empty key; use team, provider, model (a comma list, e.g. team,model)'],
    [{ level: '100' }, 'invalid --level "100": expected a percentage strictly between 0 and 100, e.g. --level 99'],
    [{ level: '0' }, 'invalid --level "0": expected a percentage strictly between 0 and 100, e.g. --level 99'],
    [{ level: 'high' }, 'invalid --level "high": expected a percentage strictly between 0 and 100, e.g. --level 99'],
    [{ minCost: '-1' }, 'invalid --min-cost: invalid amount "-1": negative; use a plain decimal such as 2500 or 12.75 (at most 9 decimals)'],
    [{ minCost: '$5' }, 'invalid --min-cost: invalid amount "$5": has a currency symbol; use a plain decimal such as 2500 or 12.75 (at most 9 decimals)'],
    [{ minCost: '0.0000000001' }, 'invalid --min-cost: invalid amount "0.0000000001": more than 9 decimals; amounts are exact to 0.000000001'],
    [{ state: ' ' }, '--state needs a file name'],
    [{ webhook: 'hooks.slack.com' }, 'invalid --webhook "hooks.slack.com": not a URL'],
    [{ webhook: 'ftp://example.com/hook' }, 'invalid --webhook: only http and https URLs are supported, not ftp:'],
    [{ since: 'yesterday' }, 'invalid --since: invalid time "yesterday": use a duration (30d, 12h, 6w, 3mo) or an ISO-8601 date such as 2026-01-31 or 2026-01-31T08:00:00Z'],
    [{ since: '2026-05-01' }, 'invalid --since "2026-05-01": 2026-05-01T00:00:00.000Z is in the future'],
    [{ since: '2026-04-10', until: '2026-04-01' }, '--since (2026-04-10T00:00:00.000Z) must be before --until (2026-04-01T00:00:00.000Z)'],
    [{ tz: 'Mars/Olympus' }, 'invalid --tz "Mars/Olympus": not an IANA time zone'],
    [{ team: ['search,'] }, 'invalid --team "search,": empty name in the list'],
  ])('refuses %j', (flags, message) => {
    expect(usage(() => parseAnomaliesFlags(flags, NOW)).message).toBe(message);
  });
});
