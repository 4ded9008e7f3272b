// Flags of kt events anomalies → a validated request. Pure: "now" is passed
// in. --since, --until, --team and --tz are read by the same code as
// kt events list (parseEventsList), so both commands take the same ranges.
import { UsageError } from '../../errors.js';
import { AmountError, parseAmount, type Money } from '../../domain/money.js';
import { BASELINE_DAYS } from '../../domain/anomalies.js';
import { addDays } from '../../domain/periods.js';
import { GROUP_KEYS, isGroupKey, type GroupKey } from '../../domain/events.js';
import { bucketStart, localDate, nextBucketStart, startOfLocalDay } from '../../domain/periods.js';
import type { EventFilter } from '../../api/events.js';
import { parseWebhookUrl } from '../flags.js';
import { parseEventsList } from './options.js';

export interface AnomaliesFlags {
  since?: string;
  until?: string;
  team?: string[];
  groupBy?: string;
  level?: string;
  minCost?: string;
  tz?: string;
  state?: string;
  webhook?: string;
  chart?: boolean;
}

export interface AnomaliesRequest {
  /** What to fetch: the range and BASELINE_DAYS of history before it. */
  fetch: EventFilter;
  groupBy: GroupKey[];
  tz: string;
  /** First local date reported. */
  from: string;
  /** Last complete local date of the range. */
  through: string;
  /** The range's last day when it is still running (today), or cut short by --until. */
  partialDate: string | undefined;
  level: number;
  minCost: Money;
  state: string | undefined;
  webhook: string | undefined;
  chart: boolean;
}

export const DEFAULT_SINCE = '30d';
export const DEFAULT_LEVEL = 99;
export const DEFAULT_MIN_COST = '1';

function groupByFlag(text: string | undefined): GroupKey[] {
  if (text === undefined) return ['team'];
  const keys = text.split(',').map((k) => k.trim());
  const unknown = keys.filter((k) => !isGroupKey(k));
  if (unknown.length > 0) {
    const named = unknown.map((k) => (k === '' ? 'an empty key' : `"${k}"`)).join(', ');
    throw new UsageError(`invalid --group-by "${text}": unknown key ${named}; use ${GROUP_KEYS.join(', ')} (a comma list, e.g. team,model)`);
  }
  return [...new Set(keys)] as GroupKey[];
}

function levelFlag(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LEVEL;
  const trimmed = text.trim().replace(/%$/, '');
  const value = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(value > 0 && value < 100)) {
    throw new UsageError(`invalid --level "${text}": expected a percentage strictly between 0 and 100, e.g. --level 99`, 'a higher level flags fewer, larger anomalies');
  }
  return value;
}

function minCostFlag(text: string | undefined): Money {
  try {
    return parseAmount(text ?? DEFAULT_MIN_COST, { allowZero: true });
  } catch (error) {
    if (error instanceof AmountError) throw new UsageError(`invalid --min-cost: ${error.message}`, 'days below this spend are never flagged, e.g. --min-cost 5');
    throw error;
  }
}

/** Flags → a validated request. Every rejection is a UsageError (exit 2). */
export function parseAnomaliesFlags(opts: AnomaliesFlags, now: Date): AnomaliesRequest {
  const range = parseEventsList({ since: opts.since, until: opts.until, team: opts.team, tz: opts.tz }, now, { since: DEFAULT_SINCE });
  const groupBy = groupByFlag(opts.groupBy);
  const level = levelFlag(opts.level);
  const minCost = minCostFlag(opts.minCost);
  if (opts.state !== undefined && opts.state.trim() === '') throw new UsageError('--state needs a file name', 'e.g. --state ~/.local/state/kt-anomalies.json');
  const webhook = opts.webhook === undefined ? undefined : parseWebhookUrl(opts.webhook);
  const tz = range.tz ?? 'UTC';

  // The range ends at --until or now, whichever is first: later days have not happened.
  const until = range.filter.until === undefined ? now.getTime() : Math.min(Date.parse(range.filter.until), now.getTime());
  const last = new Date(until - 1);
  const lastDate = localDate(last, tz);
  const complete = nextBucketStart(bucketStart(last, 'daily', tz), 'daily', tz).getTime() <= until;
  const from = localDate(new Date(range.filter.since), tz);
  const [y, m, d] = addDays(from, -BASELINE_DAYS).split('-').map(Number) as [number, number, number];
  return {
    fetch: { ...range.filter, since: startOfLocalDay(y, m, d, tz).toISOString() },
    groupBy,
    tz,
    from,
    through: complete ? lastDate : addDays(lastDate, -1),
    partialDate: complete ? undefined : lastDate,
    level,
    minCost,
    state: opts.state,
    webhook,
    chart: opts.chart === true,
  };
}
