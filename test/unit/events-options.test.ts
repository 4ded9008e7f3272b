import { describe, expect, it } from 'vitest';
import { parseEventsList } from '../../src/cli/events/options.js';
import { UsageError } from '../../src/errors.js';

const NOW = new Date('2026-11-28T12:00:00.000Z');

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseEventsList', () => {
  it('defaults to the last 7 days, sent as exact ISO instants', () => {
    const p = parseEventsList({}, NOW);
    expect(p.filter.since).toBe('2026-11-21T12:00:00.000Z');
    expect(p.filter.until).toBeUndefined();
    expect(p.limit).toBeUndefined();
    expect(p.aggregate).toBeUndefined();
    expect(p.groupBy).toEqual([]);
  });

  it('resolves durations and dates client-side', () => {
    const p = parseEventsList({ since: '30d', until: '2026-11-28' }, NOW);
    expect(p.filter.since).toBe('2026-10-29T12:00:00.000Z');
    expect(p.filter.until).toBe('2026-11-28T00:00:00.000Z');
  });

  it('splits repeated and comma-listed filters and drops duplicates', () => {
    const p = parseEventsList({ team: ['search,ads', 'search'], provider: ['openai'], model: ['a,b'] }, NOW);
    expect(p.filter.teams).toEqual(['search', 'ads']);
    expect(p.filter.providers).toEqual(['openai']);
    expect(p.filter.models).toEqual(['a', 'b']);
  });

  it('rejects an empty name in a list', () => {
    expect(usage(() => parseEventsList({ team: ['search,'] }, NOW)).message).toBe('invalid --team "search,": empty name in the list');
  });

  it('rejects --since in the future', () => {
    expect(usage(() => parseEventsList({ since: '2027-01-01' }, NOW)).message).toContain('is in the future');
  });

  it('rejects --since not before --until', () => {
    expect(usage(() => parseEventsList({ since: '2026-11-01', until: '2026-11-01' }, NOW)).message).toBe(
      '--since (2026-11-01T00:00:00.000Z) must be before --until (2026-11-01T00:00:00.000Z)',
    );
    expect(usage(() => parseEventsList({ since: '1d', until: '2d' }, NOW)).message).toContain('must be before --until');
  });

  it('rejects unparseable times', () => {
    expect(usage(() => parseEventsList({ since: 'yesterday' }, NOW)).message).toMatch(/^invalid --since: invalid time "yesterday"/);
    expect(usage(() => parseEventsList({ until: '2026-02-30' }, NOW)).message).toBe('invalid --until: invalid date "2026-02-30": 2026-02 has no day 30 (it has 28 days)');
  });

  it.each(['0', '-5', '2.5', 'ten', ''])('rejects --limit %j', (limit) => {
    expect(usage(() => parseEventsList({ limit }, NOW)).message).toBe(`invalid --limit "${limit}": use a whole number greater than zero`);
  });

  it('accepts a positive --limit', () => {
    expect(parseEventsList({ limit: '25' }, NOW).limit).toBe(25);
  });

  it('rejects an unknown --aggregate, listing the valid ones', () => {
    expect(usage(() => parseEventsList({ aggregate: 'hourly' }, NOW)).message).toBe('invalid --aggregate "hourly": use one of daily, weekly, monthly');
  });

  it('validates --group-by keys and needs --aggregate', () => {
    expect(usage(() => parseEventsList({ aggregate: 'daily', groupBy: 'team,user' }, NOW)).message).toBe(
      'invalid --group-by "team,user": unknown key "user"; use team, provider, model',
    );
    expect(usage(() => parseEventsList({ groupBy: 'team' }, NOW)).message).toBe('--group-by needs --aggregate');
    expect(parseEventsList({ aggregate: 'weekly', groupBy: 'model, team,model' }, NOW).groupBy).toEqual(['model', 'team']);
  });

  it('reads a bare --since/--until date in --tz: November in Los Angeles and in Berlin, across their DST changes', () => {
    const la = parseEventsList({ since: '2026-11-01', until: '2026-12-01', tz: 'America/Los_Angeles' }, new Date('2026-12-06T15:00:00Z'));
    expect(la.filter).toMatchObject({ since: '2026-11-01T07:00:00.000Z', until: '2026-12-01T08:00:00.000Z' });
    const berlin = parseEventsList({ since: '2026-10-01', until: '2026-11-01', tz: 'Europe/Berlin' }, new Date('2026-12-06T15:00:00Z'));
    expect(berlin.filter).toMatchObject({ since: '2026-09-30T22:00:00.000Z', until: '2026-10-31T23:00:00.000Z' });
    // an explicit offset or Z wins
    const explicit = parseEventsList({ since: '2026-11-01T00:00:00Z', until: '2026-11-02T00:00:00-05:00', tz: 'Europe/Berlin' }, new Date('2026-12-06T15:00:00Z'));
    expect(explicit.filter).toMatchObject({ since: '2026-11-01T00:00:00.000Z', until: '2026-11-02T05:00:00.000Z' });
  });

  it("takes the product's verdict words as synonyms, sent in the CLI's words", () => {
    expect(parseEventsList({ verdict: ['blocked'] }, NOW).filter.verdicts).toEqual(['block']);
    expect(parseEventsList({ verdict: ['allowed,pass', 'Modified', 'escalated'] }, NOW).filter.verdicts).toEqual(['allow', 'redact', 'escalate']);
  });

  it('suggests the nearest word of every closed vocabulary', () => {
    const verdict = usage(() => parseEventsList({ verdict: ['allow,blokced'] }, NOW));
    expect(verdict.message).toBe(
      'invalid --verdict "allow,blokced": unknown verdict "blokced"; use allow, block, redact, escalate (the product\'s words such as blocked, pass or modified match too)',
    );
    expect(verdict.hint).toBe('did you mean "blocked"?');
    const aggregate = usage(() => parseEventsList({ aggregate: 'weekley' }, NOW));
    expect([aggregate.message, aggregate.hint]).toEqual(['invalid --aggregate "weekley": use one of daily, weekly, monthly', 'did you mean "weekly"?']);
    const group = usage(() => parseEventsList({ aggregate: 'daily', groupBy: 'team,modle' }, NOW));
    expect([group.message, group.hint]).toEqual(['invalid --group-by "team,modle": unknown key "modle"; use team, provider, model', 'did you mean "model"?']);
    const tz = usage(() => parseEventsList({ tz: 'America/Los_Angles' }, NOW));
    expect([tz.message, tz.hint]).toEqual(['invalid --tz "America/Los_Angles": not an IANA time zone', 'did you mean "America/Los_Angeles"?']);
    expect(usage(() => parseEventsList({ verdict: ['xyzzy'] }, NOW)).hint).toBeUndefined();
  });

  it('validates --tz against the IANA database', () => {
    expect(usage(() => parseEventsList({ tz: 'Mars/Olympus' }, NOW)).message).toBe('invalid --tz "Mars/Olympus": not an IANA time zone');
    expect(parseEventsList({ tz: 'Europe/Berlin' }, NOW).tz).toBe('Europe/Berlin');
  });
});
