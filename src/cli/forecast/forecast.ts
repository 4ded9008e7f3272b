// kt forecast: monthly actual / forecast / variance (the product document's
// Budget Forecasting table) for the whole organisation (the default: every
// event, whatever the wallets are called) or one team's subtree, with
// intervals, the projected end of this month and of the wallet's period,
// and the dates its caps will be crossed; or one row per team.
import type { Context } from '../context.js';
import { ApiError } from '../../errors.js';
import { formatMoney, type Money, moneyToFloat, ZERO } from '../../domain/money.js';
import { addMonths } from '../../domain/periods.js';
import { MIN_MODEL_HISTORY, MIN_SPREAD_DAYS, RELATIVE_SPREAD_FLOOR, type ModelName } from '../../domain/forecast.js';
import { allWallets, spendBuckets, type SpendBucket } from '../../api/forecast.js';
import { teamIds, walletKey, walletOfTeam, type Wallet } from '../../api/wallets.js';
import { ORG_TEAM, subtree, teamForest } from '../../domain/teams.js';
import type { ApiClient } from '../../api/client.js';
import { selectColumns, writeRows, type Column } from '../../output/index.js';
import { withSpinner } from '../../output/spinner.js';
import { readOutputOptions, type RawOutputOptions } from '../flags.js';
import { unknownTeamError } from '../teams.js';
import { parseForecastFlags, type ForecastFlags, type ForecastSettings } from './options.js';
import { buildTeamForecast, type CapOutlook, type ForecastRow, type TeamForecast } from './report.js';
import { dailySince, dayStartIso, rollUp } from './spend.js';
import { forecastChart } from './chart.js';
import { localDate } from '../../domain/periods.js';

export interface ForecastOptions extends RawOutputOptions, ForecastFlags {}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-04` → `Apr 2026`. */
export function monthName(month: string): string {
  const [y, m] = month.split('-');
  return `${MONTH_NAMES[Number(m) - 1] ?? m} ${y}`;
}

export function rowLabel(row: ForecastRow): string {
  if (row.kind === 'projection') return `${monthName(row.month)} (to date)`;
  if (row.kind === 'forecast') return `${monthName(row.month)} (forecast)`;
  return monthName(row.month);
}

function interval(lower: Money | null, upper: Money | null, currency: string): string | null {
  if (lower === null || upper === null) return null;
  return `${formatMoney(lower, currency)} – ${formatMoney(upper, currency)}`;
}

/** For tables: the date, or why there is none; null without a wallet (no caps to speak of). */
function capCell(outlook: CapOutlook | null): string | null {
  if (outlook === null) return null;
  if (outlook.status === 'no_cap') return 'none';
  if (outlook.status === 'not_this_period') return 'not this period';
  return outlook.status === 'crossed' ? `crossed ${outlook.date ?? ''}`.trim() : (outlook.date ?? '');
}

export const MONTH_COLUMNS: readonly Column<ForecastRow>[] = [
  { name: 'month', kind: 'text', get: (r) => r.month },
  { name: 'kind', kind: 'text', get: (r) => r.kind },
  { name: 'label', header: 'MONTH', kind: 'text', get: rowLabel },
  { name: 'actual', kind: 'money', get: (r) => r.actual, currency: (r) => r.currency },
  // In tables the current month's row shows its spend so far in the Actual column (labelled "to date").
  { name: 'actual_or_to_date', header: 'ACTUAL', kind: 'money', get: (r) => r.actual ?? r.toDate, currency: (r) => r.currency },
  { name: 'forecast', kind: 'money', get: (r) => r.forecast, currency: (r) => r.currency },
  { name: 'lower', kind: 'money', get: (r) => r.lower, currency: (r) => r.currency },
  { name: 'upper', kind: 'money', get: (r) => r.upper, currency: (r) => r.currency },
  { name: 'variance', kind: 'percent', get: (r) => r.variance },
  { name: 'interval', kind: 'text', get: (r) => interval(r.lower, r.upper, r.currency) },
  { name: 'to_date', kind: 'money', get: (r) => r.toDate, currency: (r) => r.currency },
  { name: 'soft_cap_date', kind: 'text', get: (r) => r.softCapDate },
  { name: 'soft_cap_status', kind: 'text', get: (r) => r.softCapStatus },
  { name: 'hard_cap_date', kind: 'text', get: (r) => r.hardCapDate },
  { name: 'hard_cap_status', kind: 'text', get: (r) => r.hardCapStatus },
  { name: 'model', kind: 'text', get: (r) => r.model },
];
const MONTH_TABLE_DEFAULT = ['label', 'actual_or_to_date', 'forecast', 'variance', 'interval'];
const MONTH_MACHINE_DEFAULT = [
  'month',
  'kind',
  'actual',
  'forecast',
  'lower',
  'upper',
  'variance',
  'to_date',
  'soft_cap_date',
  'soft_cap_status',
  'hard_cap_date',
  'hard_cap_status',
  'model',
];

export const TEAM_COLUMNS: readonly Column<TeamForecast>[] = [
  { name: 'team', kind: 'text', get: (t) => t.team },
  { name: 'currency', kind: 'text', get: (t) => t.currency },
  { name: 'allocated', kind: 'money', get: (t) => t.allocated, currency: (t) => t.currency, missing: '—' },
  { name: 'to_date', header: 'TO DATE', kind: 'money', get: (t) => t.toDate, currency: (t) => t.currency },
  { name: 'projected', header: 'PROJECTED', kind: 'money', get: (t) => t.projectedPeriodEnd, currency: (t) => t.currency },
  { name: 'lower', kind: 'money', get: (t) => t.period.lower, currency: (t) => t.currency },
  { name: 'upper', kind: 'money', get: (t) => t.period.upper, currency: (t) => t.currency },
  { name: 'interval', kind: 'text', get: (t) => interval(t.period.lower, t.period.upper, t.currency) },
  { name: 'overrun', kind: 'money', get: (t) => t.overrun, currency: (t) => t.currency, missing: '—' },
  { name: 'next_month', header: 'NEXT MONTH', kind: 'money', get: (t) => t.rows.find((r) => r.kind === 'forecast')?.forecast ?? null, currency: (t) => t.currency },
  { name: 'soft_cap', header: 'SOFT CAP', kind: 'text', get: (t) => capCell(t.soft), missing: '—' },
  { name: 'hard_cap', header: 'HARD CAP', kind: 'text', get: (t) => capCell(t.hard), missing: '—' },
  { name: 'soft_cap_date', kind: 'text', get: (t) => t.soft?.date ?? null },
  { name: 'soft_cap_status', kind: 'text', get: (t) => t.soft?.status ?? null },
  { name: 'hard_cap_date', kind: 'text', get: (t) => t.hard?.date ?? null },
  { name: 'hard_cap_status', kind: 'text', get: (t) => t.hard?.status ?? null },
  { name: 'method', kind: 'text', get: (t) => t.method },
  { name: 'model', kind: 'text', get: (t) => t.model },
];
const TEAM_TABLE_DEFAULT = ['team', 'allocated', 'to_date', 'projected', 'interval', 'overrun', 'soft_cap', 'hard_cap'];
const TEAM_MACHINE_DEFAULT = [
  'team',
  'currency',
  'allocated',
  'to_date',
  'projected',
  'lower',
  'upper',
  'overrun',
  'next_month',
  'soft_cap_date',
  'soft_cap_status',
  'hard_cap_date',
  'hard_cap_status',
  'method',
  'model',
];

export default async function forecastCommand(ctx: Context, opts: ForecastOptions): Promise<void> {
  const settings = parseForecastFlags(opts);
  const output = readOutputOptions(ctx, opts);
  const drawing = settings.chart && ctx.io.isStdoutTTY && output.output === undefined && output.format === 'table';
  if (settings.chart && !drawing) ctx.log.warn('--chart draws on a terminal only (table format); writing the rows instead');
  const api = await ctx.api();
  const now = ctx.now();
  const writeOptions = { format: output.format, header: output.header, output: output.output, tz: settings.tz };

  if (settings.team === null) {
    const teams = await withSpinner(ctx, 'fetching spend and forecasting every wallet', () => forecastAllTeams(ctx, api, settings, now));
    teamNotices(ctx, teams);
    const columns = selectColumns(TEAM_COLUMNS, output.fields, output.format === 'table' ? TEAM_TABLE_DEFAULT : TEAM_MACHINE_DEFAULT);
    await writeRows(ctx, teams, columns, { ...writeOptions, emptyNotice: 'no wallets' });
    return;
  }

  const team = settings.team;
  const organization = team === ORG_TEAM;
  const report = await withSpinner(ctx, organization ? "fetching the organisation's spend and forecasting it" : `fetching spend and forecasting ${team}`, async () => {
    const wallets = await readWallets(api, organization);
    const wallet = walletOfTeam(wallets, team) ?? null;
    if (wallet === null && !organization) throw unknownTeamError(team, teamIds(wallets));
    const { monthly, daily } = await fetchSpend(ctx, api, settings, now, organization ? undefined : (wallet?.team_id ?? team), wallets, [wallet]);
    return buildTeamForecast({
      team: organization ? null : team,
      wallet,
      monthly,
      daily,
      now,
      tz: settings.tz,
      history: settings.history,
      monthsAhead: settings.monthsAhead,
      level: settings.level,
    });
  });
  fallbackNotice(ctx, [report]);
  const columns = selectColumns(MONTH_COLUMNS, output.fields, output.format === 'table' ? MONTH_TABLE_DEFAULT : MONTH_MACHINE_DEFAULT);
  await writeRows(ctx, report.rows, columns, writeOptions);
  if (output.format === 'table') {
    // The summary belongs to the human table: on stdout with it, unless the table went to a file.
    const lines = [...(drawing ? ['', ...chartLines(ctx, report)] : []), '', ...summaryLines(report)];
    const stream = output.output === undefined ? ctx.io.stdout : ctx.io.stderr;
    stream.write(`${lines.join('\n')}\n`);
  } else {
    for (const line of noteLines(report)) ctx.log.info(line);
  }
}

/**
 * The wallet list: the organisation's forecast needs none (its spend is every
 * event), so a control plane without a wallet list is no failure there.
 */
async function readWallets(api: ApiClient, optional: boolean): Promise<Wallet[]> {
  try {
    return await allWallets(api);
  } catch (error) {
    if (optional && error instanceof ApiError && error.status === 404) return [];
    throw error;
  }
}

/** Under the model's minimum history the run rate forecasts: said once (for --all-teams, one line for them all). */
function fallbackNotice(ctx: Context, reports: readonly TeamForecast[]): void {
  const short = reports.filter((r) => r.historyMonths < MIN_MODEL_HISTORY);
  if (short.length === 0) return;
  const why = `(the trend model needs ${MIN_MODEL_HISTORY}); forecasts use the run rate instead`;
  if (short.length === 1) {
    const r = short[0] as TeamForecast;
    const n = r.historyMonths;
    const history = n === 0 ? 'no full month of history yet' : `only ${n} full month${n === 1 ? '' : 's'} of history`;
    ctx.log.warn(`${subjectName(r)}: ${history} ${why}`);
    return;
  }
  ctx.log.warn(`${short.map((r) => r.team).join(', ')}: fewer than ${MIN_MODEL_HISTORY} full months of history ${why}`);
}

function teamNotices(ctx: Context, teams: readonly TeamForecast[]): void {
  fallbackNotice(ctx, teams);
  const floored = teams.filter((t) => t.spreadFloored && t.period.projected > 0n);
  if (floored.length > 0) {
    ctx.log.warn(
      `${floored.map((t) => t.team).join(', ')}: fewer than ${MIN_SPREAD_DAYS} days of spend history, so the interval takes the daily spread as at least ${RELATIVE_SPREAD_FLOOR * 100}% of the daily rate`,
    );
  }
  for (const t of teams) {
    if (t.walletSpentDiffers !== null) ctx.log.warn(`${t.team}: ${noteLines(t)[0] ?? ''}`);
  }
}

/** Start of the history window and of the daily window, as instants in the zone. */
function windows(settings: ForecastSettings, now: Date, wallets: readonly (Wallet | null)[]): { monthlySince: string; dailySince: string } {
  const month = localDate(now, settings.tz).slice(0, 7);
  const historyStart = `${addMonths(month, -settings.history)}-01`;
  // Daily buckets cover the whole history window too (a few hundred rows): they show where a team's spend began.
  const projectionStart = dailySince(wallets, now, settings.tz);
  const dailyFrom = projectionStart < historyStart ? projectionStart : historyStart;
  return { monthlySince: dayStartIso(historyStart, settings.tz), dailySince: dayStartIso(dailyFrom, settings.tz) };
}

async function fetchSpend(
  ctx: Context,
  api: ApiClient,
  settings: ForecastSettings,
  now: Date,
  team: string | undefined,
  wallets: readonly Wallet[],
  projected: readonly (Wallet | null)[],
  byTeam = false,
): Promise<{ monthly: SpendBucket[]; daily: SpendBucket[] }> {
  const { monthlySince, dailySince: dailyFrom } = windows(settings, now, projected);
  let told = false;
  const hooks = {
    // Only a control plane without aggregates needs these: kt sums the events itself.
    subtreeTeams: () => Promise.resolve(subtreeIds(wallets, team ?? '')),
    // Monthly and daily both fall back; the daily window holds every event the monthly one does.
    onClientSide: (events: number) => {
      if (told) return;
      told = true;
      ctx.log.info(`the control plane has no spend aggregates; kt summed ${events.toLocaleString('en-US')} events itself`);
    },
  };
  const [monthly, daily] = await Promise.all([
    spendBuckets(api, { aggregate: 'monthly', team, byTeam, since: monthlySince, tz: settings.tz }, hooks),
    spendBuckets(api, { aggregate: 'daily', team, byTeam, since: dailyFrom, tz: settings.tz }, hooks),
  ]);
  return { monthly, daily };
}

/** The team and every team below it (user wallets aside). */
function subtreeIds(wallets: readonly Wallet[], team: string): string[] {
  const teams = wallets.filter((w) => w.scope !== 'user');
  const forest = teamForest(teams, walletKey, (w) => w.parent_id);
  const root = walletOfTeam(teams, team);
  return root === undefined ? [team] : subtree(forest, root, walletKey).map((w) => w.team_id ?? walletKey(w));
}

/** Two aggregate calls for the whole organization, rolled up per subtree: no call per team. */
async function forecastAllTeams(ctx: Context, api: ApiClient, settings: ForecastSettings, now: Date): Promise<TeamForecast[]> {
  const wallets = (await allWallets(api)).filter((w) => w.scope !== 'user');
  const spend = await fetchSpend(ctx, api, settings, now, undefined, wallets, wallets, true);
  const monthlyByTeam = rollUp(wallets, spend.monthly);
  const dailyByTeam = rollUp(wallets, spend.daily);
  const teams = wallets.map((wallet) =>
    buildTeamForecast({
      team: wallet.scope === 'organization' ? null : walletKey(wallet),
      wallet,
      monthly: monthlyByTeam.get(walletKey(wallet)) ?? [],
      daily: dailyByTeam.get(walletKey(wallet)) ?? [],
      now,
      tz: settings.tz,
      history: settings.history,
      monthsAhead: settings.monthsAhead,
      level: settings.level,
    }),
  );
  // Largest projected overrun first (those without an allocation last); ties by team id so the order is stable.
  return teams.sort((a, b) => {
    const x = a.overrun;
    const y = b.overrun;
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return y > x ? 1 : -1;
    }
    return a.team < b.team ? -1 : a.team > b.team ? 1 : 0;
  });
}

function capLine(name: string, outlook: CapOutlook | null, currency: string): string | undefined {
  if (outlook === null || outlook.cap === null) return undefined;
  const cap = formatMoney(outlook.cap, currency);
  if (outlook.status === 'crossed') return `${name} ${cap}: crossed on ${outlook.date ?? 'an earlier day'}`;
  if (outlook.status === 'projected') return `${name} ${cap}: projected to be crossed on ${outlook.date ?? ''}`;
  return `${name} ${cap}: not this period`;
}

const MODEL_NAMES: Record<ModelName, string> = {
  'run-rate': 'run rate, the mean of the last 3 months',
  ses: 'simple exponential smoothing',
  holt: 'Holt linear trend',
  damped: 'damped trend',
};

/** `Model: damped trend (AICc over 12 months; alpha 0.52, beta 0.05, phi 0.93)`. */
export function modelLine(report: TeamForecast): string {
  // Under the minimum history the run rate may be this month's daily pace rather than a mean of months.
  if (report.criterion === 'short-history') return `Model: run rate (fewer than ${MIN_MODEL_HISTORY} full months of history)`;
  const name = MODEL_NAMES[report.model];
  const n = report.historyMonths;
  const why =
    report.criterion === 'exact-fit'
      ? `fits all ${n} months exactly`
      : report.criterion === 'few-months'
        ? `${n} months: too few for AICc to rank the smoothing models`
        : `AICc over ${n} months`;
  const p = report.params;
  if (p === null) return `Model: ${name} (${why})`;
  const params = [`alpha ${p.alpha.toFixed(2)}`];
  if (report.model !== 'ses') params.push(`beta ${p.beta.toFixed(2)}`);
  if (report.model === 'damped') params.push(`phi ${p.phi.toFixed(2)}`);
  return `Model: ${name} (${why}; ${params.join(', ')})`;
}

function subjectName(report: TeamForecast): string {
  return report.organization ? 'the organisation' : report.team;
}

/** The lines beside the numbers: a wallet that disagrees with its events, an interval on short history. */
export function noteLines(report: TeamForecast): string[] {
  const c = report.currency;
  const lines: string[] = [];
  if (report.walletSpentDiffers !== null) {
    lines.push(
      `The wallet reports ${formatMoney(report.walletSpentDiffers, c)} spent this period; its events sum to ${formatMoney(report.period.toDate, c)}. ` +
        'The wallet may include spend that is not in the events, such as user wallets or fall-through to the organization.',
    );
  }
  if (report.spreadFloored && report.month.projected > 0n) {
    const n = report.historyDays;
    lines.push(
      `Interval: ${n === 0 ? 'no complete day' : `only ${n} complete day${n === 1 ? '' : 's'}`} of spend history (fewer than ${MIN_SPREAD_DAYS}), so the daily spread is taken as at least ${RELATIVE_SPREAD_FLOOR * 100}% of the daily rate.`,
    );
  }
  return lines;
}

export function summaryLines(report: TeamForecast): string[] {
  const c = report.currency;
  const month = report.rows.find((r) => r.kind === 'projection')?.month ?? '';
  const m = report.month;
  const lines = [
    report.organization ? 'Organisation: every team (all events)' : `Team: ${report.team}`,
    `This month (${monthName(month)}) to date: ${formatMoney(report.toDate, c)}`,
    `Projected month-end: ${formatMoney(m.projected, c)} (${report.level}% interval ${formatMoney(m.lower, c)} – ${formatMoney(m.upper, c)})`,
  ];
  const p = report.period;
  if (p.firstDay !== m.firstDay || p.lastDay !== m.lastDay) {
    lines.push(
      `Projected period-end (${p.firstDay} to ${p.lastDay}): ${formatMoney(p.projected, c)} (${report.level}% interval ${formatMoney(p.lower, c)} – ${formatMoney(p.upper, c)})`,
    );
  }
  const w = report.wallet;
  if (report.allocated !== null) {
    lines.push(`Allocated this period: ${formatMoney(report.allocated, c)}`);
  } else if (w !== null && w.total_allocated !== null) {
    lines.push(`Allocated in total (cumulative): ${formatMoney(w.total_allocated, c)}${w.available === null ? '' : `; balance ${formatMoney(w.available, c)}`}`);
  }
  lines.push(...noteLines(report));
  for (const line of [capLine('Soft cap', report.soft, c), capLine('Hard cap', report.hard, c)]) if (line !== undefined) lines.push(line);
  lines.push(modelLine(report), 'Variance = (actual − forecast) / forecast');
  return lines;
}

/** A bar's length needs no exactness. */
const asNumber = (money: Money | null): number | null => (money === null ? null : moneyToFloat(money));

function chartLines(ctx: Context, report: TeamForecast): string[] {
  const width = (ctx.io.stdout as { columns?: number }).columns ?? 80;
  return forecastChart(
    report.rows.map((r) => ({
      label: rowLabel(r),
      actual: asNumber(r.actual ?? r.toDate),
      forecast: asNumber(r.forecast),
      lower: asNumber(r.lower),
      upper: asNumber(r.upper),
      display: formatMoney(r.actual ?? r.forecast ?? ZERO, r.currency),
    })),
    width,
    report.level,
  );
}

