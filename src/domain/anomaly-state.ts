// What `kt events anomalies --state FILE` remembers between cron runs: the
// anomalies already reported and the groups since reported back to normal.
// Pure: the command reads and writes the file; this decides what is new,
// what has resolved, and what the next file holds.
//
// An anomaly is one group on one local date. A group is open from its first
// reported anomaly until a run finds its latest complete day back inside the
// interval (after its last reported anomaly): that run reports it resolved
// once. A later anomaly of the same group opens it again.
import { groupId } from './anomalies.js';
import { addDays } from './periods.js';

export { groupId };

export const STATE_VERSION = 1;
/** Entries older than this (by their date) are dropped: no run looks that far back. */
export const STATE_KEEP_DAYS = 400;

export type GroupKeyValues = Readonly<Record<string, string | null>>;

export interface ReportedAnomaly {
  group: GroupKeyValues;
  /** Local date YYYY-MM-DD. */
  date: string;
  direction: 'spike' | 'drop';
  /** Exact decimals, for a person reading the file. */
  actual: string;
  expected: string;
  /** ISO instant of the run that reported it. */
  reported_at: string;
}

export interface ResolvedGroup {
  group: GroupKeyValues;
  /** The complete day found back inside its interval. */
  date: string;
  resolved_at: string;
}

export interface AnomalyState {
  version: typeof STATE_VERSION;
  /** The grouping and zone the dates and groups are in: another run must use the same. */
  group_by: string[];
  tz: string;
  reported: ReportedAnomaly[];
  resolved: ResolvedGroup[];
}

export class StateError extends Error {}

export function emptyState(groupBy: readonly string[], tz: string): AnomalyState {
  return { version: STATE_VERSION, group_by: [...groupBy], tz, reported: [], resolved: [] };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readGroup(v: unknown, groupBy: readonly string[], where: string): GroupKeyValues {
  if (!isObject(v)) throw new StateError(`${where}: "group" is not an object`);
  const group: Record<string, string | null> = {};
  for (const key of groupBy) {
    const value = v[key];
    if (value !== null && typeof value !== 'string') throw new StateError(`${where}: group key "${key}" is missing or not a string`);
    group[key] = value;
  }
  return group;
}

function readDate(v: unknown, field: string, where: string): string {
  if (typeof v !== 'string' || !DATE.test(v)) throw new StateError(`${where}: "${field}" is not a YYYY-MM-DD date`);
  return v;
}

function readText(v: unknown, field: string, where: string): string {
  if (typeof v !== 'string') throw new StateError(`${where}: "${field}" is not a string`);
  return v;
}

/** Parses a state file's JSON; anything malformed is a StateError naming what is wrong. */
export function parseState(text: string): AnomalyState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StateError(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(raw)) throw new StateError('not a JSON object');
  if (raw.version !== STATE_VERSION) throw new StateError(`version ${JSON.stringify(raw.version)}; this kt reads version ${STATE_VERSION}`);
  const groupBy = raw.group_by;
  if (!Array.isArray(groupBy) || groupBy.length === 0 || !groupBy.every((k) => typeof k === 'string')) {
    throw new StateError('"group_by" is not a list of group keys');
  }
  const tz = readText(raw.tz, 'tz', 'the state');
  if (!Array.isArray(raw.reported) || !Array.isArray(raw.resolved)) throw new StateError('"reported" and "resolved" must be lists');
  const reported = raw.reported.map((r: unknown, i): ReportedAnomaly => {
    const where = `reported[${i}]`;
    if (!isObject(r)) throw new StateError(`${where} is not an object`);
    if (r.direction !== 'spike' && r.direction !== 'drop') throw new StateError(`${where}: "direction" is not spike or drop`);
    return {
      group: readGroup(r.group, groupBy, where),
      date: readDate(r.date, 'date', where),
      direction: r.direction,
      actual: readText(r.actual, 'actual', where),
      expected: readText(r.expected, 'expected', where),
      reported_at: readText(r.reported_at, 'reported_at', where),
    };
  });
  const resolved = raw.resolved.map((r: unknown, i): ResolvedGroup => {
    const where = `resolved[${i}]`;
    if (!isObject(r)) throw new StateError(`${where} is not an object`);
    return { group: readGroup(r.group, groupBy, where), date: readDate(r.date, 'date', where), resolved_at: readText(r.resolved_at, 'resolved_at', where) };
  });
  return { version: STATE_VERSION, group_by: groupBy, tz, reported, resolved };
}

export function formatState(state: AnomalyState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/** Why a state cannot serve this run (another grouping or zone gives other groups and dates), or undefined. */
export function stateMismatch(state: AnomalyState, groupBy: readonly string[], tz: string): string | undefined {
  if (state.group_by.join(',') !== groupBy.join(',')) return `it was written with --group-by ${state.group_by.join(',')}, not ${groupBy.join(',')}`;
  if (state.tz !== tz) return `it was written with --tz ${state.tz}, not ${tz}`;
  return undefined;
}

export interface Finding {
  group: GroupKeyValues;
  date: string;
}

/** The findings not reported before. */
export function newFindings<F extends Finding>(state: AnomalyState, findings: readonly F[]): F[] {
  const seen = new Set(state.reported.map((r) => `${groupId(r.group, state.group_by)}\u0000${r.date}`));
  return findings.filter((f) => !seen.has(`${groupId(f.group, state.group_by)}\u0000${f.date}`));
}

export interface OpenGroup {
  group: GroupKeyValues;
  /** The last reported anomaly's date. */
  lastReported: string;
}

/** Groups with a reported anomaly after their last resolution. */
export function openGroups(state: AnomalyState): OpenGroup[] {
  const lastReported = new Map<string, OpenGroup>();
  for (const r of state.reported) {
    const id = groupId(r.group, state.group_by);
    const seen = lastReported.get(id);
    if (seen === undefined || r.date > seen.lastReported) lastReported.set(id, { group: r.group, lastReported: r.date });
  }
  const lastResolved = new Map<string, string>();
  for (const r of state.resolved) {
    const id = groupId(r.group, state.group_by);
    if ((lastResolved.get(id) ?? '') < r.date) lastResolved.set(id, r.date);
  }
  return [...lastReported.entries()].filter(([id, open]) => (lastResolved.get(id) ?? '') < open.lastReported).map(([, open]) => open);
}

export interface LatestDay {
  /** The group's latest complete day, judged. */
  date: string;
  inside: boolean;
}

/**
 * The open groups whose latest complete day is back inside its interval, and
 * later than their last reported anomaly. `latest` is keyed by groupId.
 */
export function resolvedGroups(state: AnomalyState, latest: ReadonlyMap<string, LatestDay>): Array<OpenGroup & { date: string }> {
  const out: Array<OpenGroup & { date: string }> = [];
  for (const open of openGroups(state)) {
    const day = latest.get(groupId(open.group, state.group_by));
    if (day !== undefined && day.inside && day.date > open.lastReported) out.push({ ...open, date: day.date });
  }
  return out;
}

/** The state after a run: what it reported and resolved added, entries older than STATE_KEEP_DAYS before `today` dropped. */
export function nextState(
  state: AnomalyState,
  reported: readonly ReportedAnomaly[],
  resolved: readonly ResolvedGroup[],
  today: string,
): AnomalyState {
  const oldest = addDays(today, -STATE_KEEP_DAYS);
  return {
    ...state,
    reported: [...state.reported, ...reported].filter((r) => r.date >= oldest),
    resolved: [...state.resolved, ...resolved].filter((r) => r.date >= oldest),
  };
}
