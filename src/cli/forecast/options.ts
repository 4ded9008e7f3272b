// Flag validation for kt forecast: pure, so every bad input is unit-tested
// without spawning anything.
import { UsageError } from '../../errors.js';
import { isTimeZone } from '../../domain/time.js';
import { isTeamId, ORG_TEAM, TEAM_ID_RULE } from '../../domain/teams.js';

export interface ForecastFlags {
  team?: string | undefined;
  allTeams?: boolean | undefined;
  monthsAhead?: string | undefined;
  history?: string | undefined;
  level?: string | undefined;
  tz?: string | undefined;
  chart?: boolean | undefined;
}

export interface ForecastSettings {
  /** A team (with its subtree); `org` for the whole organisation (the default); null with --all-teams. */
  team: string | null;
  monthsAhead: number;
  history: number;
  /** Interval level as a percentage, strictly between 0 and 100. */
  level: number;
  tz: string;
  chart: boolean;
}

/** Without --team: the whole organisation, forecast from every event whatever its wallets are called. */
export const DEFAULT_TEAM = ORG_TEAM;
/** A forecast a decade out is noise; a longer history than ten years is never fetched. */
const MAX_MONTHS_AHEAD = 120;
const MAX_HISTORY = 120;

function positiveInt(flag: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1) {
    throw new UsageError(`invalid ${flag} "${text}": expected a positive whole number of months, e.g. ${flag} ${fallback}`);
  }
  const value = Number(trimmed);
  if (value > max) throw new UsageError(`invalid ${flag} "${text}": at most ${max} months`);
  return value;
}

export function parseForecastFlags(flags: ForecastFlags): ForecastSettings {
  if (flags.allTeams === true && flags.team !== undefined) {
    throw new UsageError('--team and --all-teams cannot be combined; pass one of them');
  }
  if (flags.team !== undefined && flags.team.trim() === '') throw new UsageError('--team needs a team id, e.g. --team search');
  if (flags.team !== undefined && !isTeamId(flags.team.trim())) {
    throw new UsageError(`invalid --team "${flags.team}": use the team id (${TEAM_ID_RULE}), e.g. search`, 'run `kt wallets list` to see every team');
  }
  let level = 80;
  if (flags.level !== undefined) {
    const text = flags.level.trim().replace(/%$/, '');
    const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!(value > 0 && value < 100)) {
      throw new UsageError(`invalid --level "${flags.level}": expected a percentage strictly between 0 and 100, e.g. --level 80`);
    }
    level = value;
  }
  const tz = flags.tz ?? 'UTC';
  if (!isTimeZone(tz)) throw new UsageError(`invalid --tz "${tz}": expected an IANA time zone such as UTC or Europe/Berlin`);
  return {
    team: flags.allTeams === true ? null : (flags.team?.trim() ?? DEFAULT_TEAM),
    monthsAhead: positiveInt('--months-ahead', flags.monthsAhead, 3, MAX_MONTHS_AHEAD),
    history: positiveInt('--history', flags.history, 12, MAX_HISTORY),
    level,
    tz,
    chart: flags.chart === true,
  };
}
