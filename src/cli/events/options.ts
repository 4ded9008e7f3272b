// Flags of kt events list → a validated request. Pure: "now" is passed in.
import { UsageError } from '../../errors.js';
import type { EventFilter } from '../../api/events.js';
import { GROUP_KEYS, isGroupKey, normalizeVerdict, VERDICT_WORDS, VERDICTS, type GroupKey, type Verdict } from '../../domain/events.js';
import { BUCKET_PERIODS, isBucketPeriod, type BucketPeriod } from '../../domain/periods.js';
import { instantFlag, suggestion, timeZoneFlag } from '../flags.js';

export interface EventsFilterOptions {
  since?: string;
  until?: string;
  team?: string[];
  provider?: string[];
  model?: string[];
  verdict?: string[];
  limit?: string;
  aggregate?: string;
  groupBy?: string;
  tz?: string;
  chart?: boolean;
}

function splitList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const items = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (items.some((v) => v === '')) return undefined;
  return items;
}

function listFlag(name: string, values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const items = splitList(values);
  if (items === undefined) throw new UsageError(`invalid --${name} "${values.join(',')}": empty name in the list`);
  return [...new Set(items)];
}

/** --verdict: the CLI's words or the product's synonyms (blocked, pass, modified, …), as the CLI's words. */
function verdictFlag(values: readonly string[] | undefined): Verdict[] | undefined {
  const items = listFlag('verdict', values);
  if (items === undefined) return undefined;
  const verdicts: Verdict[] = [];
  for (const item of items) {
    const verdict = normalizeVerdict(item);
    if (verdict === undefined) {
      throw new UsageError(
        `invalid --verdict "${values?.join(',') ?? ''}": unknown verdict "${item}"; use ${VERDICTS.join(', ')} (the product's words such as blocked, pass or modified match too)`,
        suggestion(item, VERDICT_WORDS),
      );
    }
    if (!verdicts.includes(verdict)) verdicts.push(verdict);
  }
  return verdicts;
}

export interface ParsedEventsList {
  filter: EventFilter;
  limit: number | undefined;
  aggregate: BucketPeriod | undefined;
  groupBy: GroupKey[];
  tz: string | undefined;
}

/** Flags → a validated request. Every rejection is a UsageError (exit 2). */
export function parseEventsList(opts: EventsFilterOptions, now: Date, defaults: { since: string } = { since: '7d' }): ParsedEventsList {
  // The zone first: a bare date in --since/--until is local to it.
  const tz = timeZoneFlag(opts.tz);
  const since = instantFlag('--since', opts.since ?? defaults.since, now, tz);
  if (since.getTime() > now.getTime()) {
    throw new UsageError(`invalid --since "${opts.since ?? ''}": ${since.toISOString()} is in the future`, 'use a past date or a duration such as 30d');
  }
  let until: Date | undefined;
  if (opts.until !== undefined) {
    until = instantFlag('--until', opts.until, now, tz);
    if (since.getTime() >= until.getTime()) {
      throw new UsageError(
        `--since (${since.toISOString()}) must be before --until (${until.toISOString()})`,
        '--until is exclusive: --since 2026-03-01 --until 2026-04-01 is the whole of March',
      );
    }
  }

  let limit: number | undefined;
  if (opts.limit !== undefined) {
    const text = opts.limit.trim();
    limit = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(limit) || limit <= 0) {
      throw new UsageError(`invalid --limit "${opts.limit}": use a whole number greater than zero`, 'leave --limit out to export every event');
    }
  }

  let aggregate: BucketPeriod | undefined;
  if (opts.aggregate !== undefined) {
    if (!isBucketPeriod(opts.aggregate)) {
      throw new UsageError(`invalid --aggregate "${opts.aggregate}": use one of ${BUCKET_PERIODS.join(', ')}`, suggestion(opts.aggregate, BUCKET_PERIODS));
    }
    aggregate = opts.aggregate;
  }

  let groupBy: GroupKey[] = [];
  if (opts.groupBy !== undefined) {
    const keys = splitList([opts.groupBy]) ?? [''];
    const unknown = keys.filter((k) => !isGroupKey(k));
    if (unknown.length > 0) {
      throw new UsageError(
        `invalid --group-by "${opts.groupBy}": unknown key ${unknown.map((k) => `"${k}"`).join(', ')}; use ${GROUP_KEYS.join(', ')}`,
        suggestion(unknown[0] ?? '', GROUP_KEYS),
      );
    }
    groupBy = [...new Set(keys)] as GroupKey[];
    if (aggregate === undefined && opts.chart !== true) {
      throw new UsageError('--group-by needs --aggregate', 'e.g. kt events list --aggregate monthly --group-by team');
    }
  }

  return {
    filter: {
      since: since.toISOString(),
      until: until?.toISOString(),
      teams: listFlag('team', opts.team),
      providers: listFlag('provider', opts.provider),
      models: listFlag('model', opts.model),
      verdicts: verdictFlag(opts.verdict),
    },
    limit,
    aggregate,
    groupBy,
    tz,
  };
}

