// What kt events anomalies --state remembers: new findings, open groups,
// resolutions, the file format and its checks.
import { describe, expect, it } from 'vitest';
import {
  emptyState,
  formatState,
  groupId,
  newFindings,
  nextState,
  openGroups,
  parseState,
  resolvedGroups,
  stateMismatch,
  StateError,
  type AnomalyState,
  type ReportedAnomaly,
} from '../../src/domain/anomaly-state.js';

const reported = (team: string, date: string, extra: Partial<ReportedAnomaly> = {}): ReportedAnomaly => ({
  group: { team },
  date,
  direction: 'spike',
  actual: '900.00',
  expected: '300.00',
  reported_at: '2026-04-10T06:00:00.000Z',
  ...extra,
});

function state(partial: Partial<AnomalyState> = {}): AnomalyState {
  return { ...emptyState(['team'], 'UTC'), ...partial };
}

describe('anomaly state', () => {
  it('a finding is new unless the same group and date were reported', () => {
    const s = state({ reported: [reported('search', '2026-04-09')] });
    const findings = [
      { group: { team: 'search' }, date: '2026-04-09' },
      { group: { team: 'search' }, date: '2026-04-10' },
      { group: { team: 'ads' }, date: '2026-04-09' },
    ];
    expect(newFindings(s, findings)).toEqual(findings.slice(1));
    expect(newFindings(emptyState(['team'], 'UTC'), findings)).toEqual(findings);
  });

  it('a group is open from its last reported anomaly until it is resolved after it', () => {
    const s = state({
      reported: [reported('search', '2026-04-01'), reported('search', '2026-04-03'), reported('ads', '2026-04-02'), reported('ml', '2026-04-08')],
      resolved: [
        { group: { team: 'ads' }, date: '2026-04-04', resolved_at: '2026-04-05T06:00:00.000Z' },
        { group: { team: 'ml' }, date: '2026-04-05', resolved_at: '2026-04-06T06:00:00.000Z' },
      ],
    });
    // ads resolved after its anomaly; ml had a new one after its resolution.
    expect(openGroups(s)).toEqual([
      { group: { team: 'search' }, lastReported: '2026-04-03' },
      { group: { team: 'ml' }, lastReported: '2026-04-08' },
    ]);
  });

  it('resolved: an open group whose latest complete day is inside its interval, after its last anomaly', () => {
    const s = state({ reported: [reported('search', '2026-04-09'), reported('ads', '2026-04-09'), reported('ml', '2026-04-10')] });
    const latest = new Map([
      [groupId({ team: 'search' }, ['team']), { date: '2026-04-10', inside: true }],
      [groupId({ team: 'ads' }, ['team']), { date: '2026-04-10', inside: false }],
      // ml's latest complete day is the anomaly itself: not resolved.
      [groupId({ team: 'ml' }, ['team']), { date: '2026-04-10', inside: true }],
    ]);
    expect(resolvedGroups(s, latest)).toEqual([{ group: { team: 'search' }, lastReported: '2026-04-09', date: '2026-04-10' }]);
  });

  it('nextState adds what a run reported and resolved, and drops entries older than 400 days', () => {
    const s = state({ reported: [reported('old', '2025-01-01'), reported('search', '2026-04-09')] });
    const next = nextState(s, [reported('ads', '2026-04-10')], [{ group: { team: 'search' }, date: '2026-04-10', resolved_at: 'x' }], '2026-04-11');
    expect(next.reported.map((r) => r.group.team)).toEqual(['search', 'ads']);
    expect(next.resolved).toHaveLength(1);
    expect(s.reported).toHaveLength(2); // the input is not changed
  });

  it('the file round-trips, and a file kt cannot read says what is wrong', () => {
    const s = state({ reported: [reported('search', '2026-04-09', { direction: 'drop' })], resolved: [{ group: { team: 'search' }, date: '2026-04-10', resolved_at: 'x' }] });
    expect(parseState(formatState(s))).toEqual(s);
    const bad: Array<[string, RegExp]> = [
      ['not json', /not JSON/],
      ['[]', /not a JSON object/],
      ['{"version":2}', /version 2; this kt reads version 1/],
      ['{"version":1,"group_by":[],"tz":"UTC","reported":[],"resolved":[]}', /"group_by" is not a list of group keys/],
      ['{"version":1,"group_by":["team"],"tz":"UTC","reported":{},"resolved":[]}', /must be lists/],
      ['{"version":1,"group_by":["team"],"tz":"UTC","reported":[{"group":{"team":"a"},"date":"2026-4-1","direction":"spike","actual":"1","expected":"1","reported_at":"x"}],"resolved":[]}', /reported\[0\]: "date" is not a YYYY-MM-DD date/],
      ['{"version":1,"group_by":["team"],"tz":"UTC","reported":[{"group":{"team":1},"date":"2026-04-01","direction":"spike","actual":"1","expected":"1","reported_at":"x"}],"resolved":[]}', /group key "team" is missing or not a string/],
      ['{"version":1,"group_by":["team"],"tz":"UTC","reported":[{"group":{"team":"a"},"date":"2026-04-01","direction":"up","actual":"1","expected":"1","reported_at":"x"}],"resolved":[]}', /"direction" is not spike or drop/],
    ];
    for (const [text, message] of bad) {
      expect(() => parseState(text)).toThrow(StateError);
      expect(() => parseState(text)).toThrow(message);
    }
  });

  it('a state written for another grouping or zone does not fit', () => {
    const s = state();
    expect(stateMismatch(s, ['team'], 'UTC')).toBeUndefined();
    expect(stateMismatch(s, ['team', 'model'], 'UTC')).toBe('it was written with --group-by team, not team,model');
    expect(stateMismatch(s, ['team'], 'Europe/Berlin')).toBe('it was written with --tz UTC, not Europe/Berlin');
  });
});
