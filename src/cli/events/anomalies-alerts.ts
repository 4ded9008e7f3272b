// kt events anomalies for cron: the --state file (read, written atomically)
// and the --webhook messages (posted by api/webhook.ts, the poster kt
// wallets check uses, with its retries and its rule that a URL's path is
// never printed).
import { readFile } from 'node:fs/promises';
import { FailureError, UsageError } from '../../errors.js';
import { formatDecimal, formatMoney } from '../../domain/money.js';
import { RUN_DAYS, type DayVerdict } from '../../domain/anomalies.js';
import { emptyState, formatState, parseState, stateMismatch, StateError, type AnomalyState, type GroupKeyValues } from '../../domain/anomaly-state.js';
import { weekdayName } from '../../domain/periods.js';

export interface AnomalyRow {
  group: GroupKeyValues;
  verdict: DayVerdict & { direction: 'spike' | 'drop' };
}

export interface ResolvedRow {
  group: GroupKeyValues;
  /** The day back inside its interval, and the last anomaly reported before it. */
  verdict: DayVerdict;
  lastReported: string;
}


/** `search`, `search / gpt-4o`; a group without a value shows as (none). */
export function groupLabel(group: GroupKeyValues, groupBy: readonly string[]): string {
  return groupBy.map((k) => group[k] ?? '(none)').join(' / ');
}

/** Reads --state; a missing file is a first run. A file kt cannot use is exit 2, naming it. */
export async function readStateFile(path: string, groupBy: readonly string[], tz: string): Promise<AnomalyState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(groupBy, tz);
    throw new FailureError(`cannot read --state ${path}: ${(error as Error).message}`);
  }
  let state: AnomalyState;
  try {
    state = parseState(text);
  } catch (error) {
    if (!(error instanceof StateError)) throw error;
    throw new UsageError(
      `--state ${path} is not a kt anomalies state file: ${error.message}`,
      'pass another file, or delete this one to start afresh (every anomaly in range is then reported again)',
    );
  }
  const mismatch = stateMismatch(state, groupBy, tz);
  if (mismatch !== undefined) throw new UsageError(`--state ${path} does not fit this run: ${mismatch}`, 'keep one state file per --group-by and --tz');
  return state;
}

/** Writes --state atomically (temp file + rename): a failed run leaves the previous state whole. */
export async function writeStateFile(path: string, state: AnomalyState): Promise<void> {
  const { atomicFileSink } = await import('../../output/sink.js');
  const sink = await atomicFileSink(path);
  try {
    await sink.write(formatState(state));
    await sink.close();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

function dayName(date: string): string {
  return `${date} (${weekdayName(date)})`;
}

function rowJson(group: GroupKeyValues, v: DayVerdict): Record<string, unknown> {
  return {
    date: v.date,
    ...group,
    actual: formatDecimal(v.actual),
    expected: formatDecimal(v.expected),
    lower: formatDecimal(v.lower),
    upper: formatDecimal(v.upper),
    direction: v.direction,
    kind: v.kind,
    score: roundScore(v.score),
    requests: v.requests,
    partial: v.partial,
  };
}

export function roundScore(score: number): number {
  return Number.isFinite(score) ? Math.round(score * 10) / 10 : 0;
}

/** The message for new anomalies: Slack's `text`, and the rows as data. */
export function anomaliesMessage(rows: readonly AnomalyRow[], groupBy: readonly string[], level: number): Record<string, unknown> {
  const head = `kt events anomalies: ${rows.length} new spend anomal${rows.length === 1 ? 'y' : 'ies'} (outside the ${level}% interval)`;
  const lines = rows.map(({ group, verdict: v }) => {
    const what = v.kind === 'run' ? `${v.direction}, with the ${RUN_DAYS - 1} days before it` : v.direction;
    const sofar = v.partial ? ' so far today' : '';
    return (
      `• ${groupLabel(group, groupBy)} on ${dayName(v.date)}: ${formatMoney(v.actual)}${sofar}, expected ${formatMoney(v.expected)} ` +
      `(${formatMoney(v.lower)} – ${formatMoney(v.upper)}) — ${what}, score ${roundScore(v.score)}`
    );
  });
  return { text: [head, ...lines].join('\n'), level, anomalies: rows.map((r) => rowJson(r.group, r.verdict)) };
}

/** The message for groups back to normal. */
export function resolvedMessage(rows: readonly ResolvedRow[], groupBy: readonly string[], level: number): Record<string, unknown> {
  const head = `kt events anomalies: ${rows.length} group${rows.length === 1 ? '' : 's'} back inside the ${level}% interval (resolved)`;
  const lines = rows.map(
    ({ group, verdict: v, lastReported }) =>
      `• ${groupLabel(group, groupBy)}: ${formatMoney(v.actual)} on ${dayName(v.date)}, expected ${formatMoney(v.expected)} ` +
      `(${formatMoney(v.lower)} – ${formatMoney(v.upper)}); last anomaly ${lastReported}`,
  );
  return {
    text: [head, ...lines].join('\n'),
    level,
    resolved: rows.map((r) => ({ ...rowJson(r.group, r.verdict), last_anomaly: r.lastReported })),
  };
}
