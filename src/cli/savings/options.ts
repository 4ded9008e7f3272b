// Flags of kt savings → a validated request. Pure: "now" is passed in.
import { UsageError } from '../../errors.js';
import { instantFlag, timeZoneFlag } from '../flags.js';

export interface SavingsFlags {
  since?: string;
  until?: string;
  team?: string;
  policy?: string;
  prices?: string;
  groupBy?: string;
  recommend?: boolean;
  emitPolicy?: string;
  force?: boolean;
  tz?: string;
}

export interface ParsedSavings {
  since: Date;
  until: Date;
  /** Whether --until was given (the range then ends there, not now). */
  untilGiven: boolean;
  teams: string[] | undefined;
  policy: string | undefined;
  prices: string | undefined;
  byTeam: boolean;
  recommend: boolean;
  emitPolicy: string | undefined;
  force: boolean;
}

export function parseSavingsFlags(opts: SavingsFlags, now: Date): ParsedSavings {
  const tz = timeZoneFlag(opts.tz);
  const since = instantFlag('--since', opts.since ?? '30d', now, tz);
  const until = opts.until === undefined ? now : instantFlag('--until', opts.until, now, tz);
  if (since.getTime() >= until.getTime()) {
    throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`, '--until is exclusive: --since 2026-03-01 --until 2026-04-01 is the whole of March');
  }
  let teams: string[] | undefined;
  if (opts.team !== undefined) {
    teams = opts.team.split(',').map((t) => t.trim());
    if (teams.some((t) => t === '')) throw new UsageError(`invalid --team "${opts.team}": empty name in the list`);
  }
  if (opts.groupBy !== undefined && opts.groupBy !== 'team') {
    throw new UsageError(`invalid --group-by "${opts.groupBy}": savings group by team only`, 'use --group-by team');
  }
  if (opts.emitPolicy !== undefined && opts.recommend !== true) {
    throw new UsageError('--emit-policy needs --recommend', 'kt savings --recommend --emit-policy FILE');
  }
  if (opts.emitPolicy !== undefined && opts.emitPolicy.trim() === '') throw new UsageError('--emit-policy needs a file name');
  if (opts.force === true && opts.emitPolicy === undefined) throw new UsageError('--force applies to --emit-policy only');
  if (opts.recommend === true && opts.groupBy !== undefined) throw new UsageError('--group-by does not apply to --recommend (its rows are per team already)');
  for (const [flag, value] of [['--policy', opts.policy], ['--prices', opts.prices]] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} needs a file name`);
  }
  return {
    since,
    until,
    untilGiven: opts.until !== undefined,
    teams,
    policy: opts.policy,
    prices: opts.prices,
    byTeam: opts.groupBy === 'team',
    recommend: opts.recommend === true,
    emitPolicy: opts.emitPolicy,
    force: opts.force === true,
  };
}
