// kt forecast: monthly actual / forecast / variance for a team (the product
// document's Budget Forecasting table), intervals, this month's projected
// end and the dates its caps will be crossed; or one row per team.
import type { Context } from '../context.js';
import { ApiError, KtError, ExitCode } from '../../errors.js';
import { formatMoney, type Money } from '../../domain/money.js';
import { addDays, addMonths, MIN_MODEL_HISTORY, type ModelName } from '../../domain/forecast.js';
import { allWallets, spendBuckets, teamWallet, type SpendBucket } from '../../api/forecast.js';
import { subtree, teamForest } from '../../domain/teams.js';
import type { Wallet } from '../../api/wallets.js';
import type { ApiClient } from '../../api/client.js';
import { selectColumns, writeRows, type Column } from '../../output/index.js';
import { withSpinner } from '../../output/spinner.js';
import { readOutputOptions, type RawOutputOptions } from '../flags.js';
import { parseForecastFlags, type ForecastFlags, type ForecastSettings } from './options.js';
import { buildTeamForecast, PATTERN_DAYS, rollUp, type CapOutlook, type ForecastRow, type TeamForecast } from './report.js';
import { forecastChart } from './chart.js';
import { localDate, startOfLocalDay } from '../../domain/periods.js';

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

/** This month's row: spend to date and the projected month end. */
function projectionRow(t: TeamForecast): ForecastRow | undefined {
  return t.rows.find((r) => r.kind === 'projection');
}

/** For tables: the date, or why there is none. */
function capCell(outlook: CapOutlook): string {
  if (outlook.status === 'no_cap') return '—';
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
  { name: 'allocated', kind: 'money', get: (t) => t.allocated, currency: (t) => t.currency },
  { name: 'to_date', header: 'TO DATE', kind: 'money', get: (t) => t.toDate, currency: (t) => t.currency },
  { name: 'projected', header: 'PROJECTED', kind: 'money', get: (t) => t.projectedPeriodEnd, currency: (t) => t.currency },
  { name: 'lower', kind: 'money', get: (t) => projectionRow(t)?.lower ?? null, currency: (t) => t.currency },
  { name: 'upper', kind: 'money', get: (t) => projectionRow(t)?.upper ?? null, currency: (t) => t.currency },
  { name: 'interval', kind: 'text', get: (t) => interval(projectionRow(t)?.lower ?? null, projectionRow(t)?.upper ?? null, t.currency) },
  { name: 'overrun', kind: 'money', get: (t) => t.overrun, currency: (t) => t.currency },
  { name: 'next_month', header: 'NEXT MONTH', kind: 'money', get: (t) => t.rows.find((r) => r.kind === 'forecast')?.forecast ?? null, currency: (t) => t.currency },
  { name: 'soft_cap', header: 'SOFT CAP', kind: 'text', get: (t) => capCell(t.soft) },
  { name: 'hard_cap', header: 'HARD CAP', kind: 'text', get: (t) => capCell(t.hard) },
  { name: 'soft_cap_date', kind: 'text', get: (t) => t.soft.date },
  { name: 'soft_cap_status', kind: 'text', get: (t) => t.soft.status },
  { name: 'hard_cap_date', kind: 'text', get: (t) => t.hard.date },
  { name: 'hard_cap_status', kind: 'text', get: (t) => t.hard.status },
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
    for (const t of teams) if (t.historyMonths < MIN_MODEL_HISTORY) fallbackNotice(ctx, t);
    const columns = selectColumns(TEAM_COLUMNS, output.fields, output.format === 'table' ? TEAM_TABLE_DEFAULT : TEAM_MACHINE_DEFAULT);
    await writeRows(ctx, teams, columns, { ...writeOptions, emptyNotice: 'no wallets' });
    return;
  }

  const team = settings.team;
  const report = await withSpinner(ctx, `fetching spend and forecasting ${team}`, async () => {
    const wallet = await findWallet(api, team);
    const { monthly, daily } = await fetchSpend(ctx, api, settings, now, team);
    return buildTeamForecast({
    team,
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
  if (report.historyMonths < MIN_MODEL_HISTORY) fallbackNotice(ctx, report);
  const columns = selectColumns(MONTH_COLUMNS, output.fields, output.format === 'table' ? MONTH_TABLE_DEFAULT : MONTH_MACHINE_DEFAULT);
  await writeRows(ctx, report.rows, columns, writeOptions);
  if (output.format === 'table') {
    // The summary belongs to the human table: on stdout with it, unless the table went to a file.
    const lines = [...(drawing ? ['', ...chartLines(ctx, report)] : []), '', ...summaryLines(report)];
    const stream = output.output === undefined ? ctx.io.stdout : ctx.io.stderr;
    stream.write(`${lines.join('\n')}\n`);
  }
}

function fallbackNotice(ctx: Context, report: TeamForecast): void {
  const n = report.historyMonths;
  ctx.log.warn(
    `${report.team}: only ${n} full month${n === 1 ? '' : 's'} of history (the trend model needs ${MIN_MODEL_HISTORY}); forecasts use the run rate instead`,
  );
}

async function findWallet(api: ApiClient, team: string): Promise<Wallet> {
  try {
    return await teamWallet(api, team);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.code === 'team_not_found')) {
      throw new KtError(`unknown team "${team}"`, ExitCode.failure, 'list the teams with `kt wallets list`');
    }
    throw error;
  }
}

/** The instant a local date (YYYY-MM-DD) begins in the zone, as ISO text. */
function dayStartIso(date: string, tz: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return startOfLocalDay(y, m, d, tz).toISOString();
}

/** Start of the history window and of the daily pattern window, as instants in the zone. */
function windows(settings: ForecastSettings, now: Date): { monthlySince: string; dailySince: string } {
  const today = localDate(now, settings.tz);
  const month = today.slice(0, 7);
  const historyStart = `${addMonths(month, -settings.history)}-01`;
  const monthlySince = dayStartIso(historyStart, settings.tz);
  // Daily buckets cover the whole window too (a few hundred rows): they show where a team's spend began.
  const patternStart = addDays(today, -PATTERN_DAYS);
  const dailyFrom = patternStart < historyStart ? patternStart : historyStart;
  return { monthlySince, dailySince: dayStartIso(dailyFrom, settings.tz) };
}

async function fetchSpend(
  ctx: Context,
  api: ApiClient,
  settings: ForecastSettings,
  now: Date,
  team: string | undefined,
): Promise<{ monthly: SpendBucket[]; daily: SpendBucket[] }> {
  const { monthlySince, dailySince } = windows(settings, now);
  // Only a control plane without aggregates needs these: kt sums the events itself.
  let subtreeTeams: Promise<readonly string[]> | undefined;
  let told = false;
  const hooks = {
    subtreeTeams: () => (subtreeTeams ??= allWallets(api).then((wallets) => subtreeIds(wallets, team ?? ''))),
    // Monthly and daily both fall back; the daily window holds every event the monthly one does.
    onClientSide: (events: number) => {
      if (told) return;
      told = true;
      ctx.log.info(`the control plane has no spend aggregates; kt summed ${events.toLocaleString('en-US')} events itself`);
    },
  };
  const [monthly, daily] = await Promise.all([
    spendBuckets(api, { aggregate: 'monthly', team, since: monthlySince, tz: settings.tz }, hooks),
    spendBuckets(api, { aggregate: 'daily', team, since: dailySince, tz: settings.tz }, hooks),
  ]);
  return { monthly, daily };
}

/** The team and every team below it. */
function subtreeIds(wallets: readonly Wallet[], team: string): string[] {
  const forest = teamForest(wallets, (w) => w.team_id, (w) => w.parent_id);
  const root = wallets.find((w) => w.team_id === team);
  return root === undefined ? [team] : subtree(forest, root, (w) => w.team_id).map((w) => w.team_id);
}

/** Two aggregate calls for the whole organization, rolled up per subtree: no call per team. */
async function forecastAllTeams(ctx: Context, api: ApiClient, settings: ForecastSettings, now: Date): Promise<TeamForecast[]> {
  const [wallets, spend] = await Promise.all([allWallets(api), fetchSpend(ctx, api, settings, now, undefined)]);
  const monthlyByTeam = rollUp(wallets, spend.monthly);
  const dailyByTeam = rollUp(wallets, spend.daily);
  const teams = wallets.map((wallet) =>
    buildTeamForecast({
      team: wallet.team_id,
      wallet,
      monthly: monthlyByTeam.get(wallet.team_id) ?? [],
      daily: dailyByTeam.get(wallet.team_id) ?? [],
      now,
      tz: settings.tz,
      history: settings.history,
      monthsAhead: settings.monthsAhead,
      level: settings.level,
    }),
  );
  // Largest projected overrun first; ties by team id so the order is stable.
  return teams.sort((a, b) => (b.overrun > a.overrun ? 1 : b.overrun < a.overrun ? -1 : 0) || (a.team < b.team ? -1 : a.team > b.team ? 1 : 0));
}

function capLine(name: string, outlook: CapOutlook, currency: string): string {
  if (outlook.cap === null) return `${name}: none set`;
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

export function summaryLines(report: TeamForecast): string[] {
  const c = report.currency;
  const p = report.projection;
  const row = projectionRow(report);
  return [
    `Team: ${report.team}`,
    `This month (${monthName(p.month)}) to date: ${formatMoney(report.toDate, c)}`,
    `Projected month-end: ${formatMoney(row?.forecast ?? 0n, c)} (${report.level}% interval ${formatMoney(row?.lower ?? 0n, c)} – ${formatMoney(row?.upper ?? 0n, c)})`,
    `Allocated this period: ${formatMoney(report.allocated, c)}; projected period-end spend ${formatMoney(report.projectedPeriodEnd, c)}`,
    capLine('Soft cap', report.soft, c),
    capLine('Hard cap', report.hard, c),
    modelLine(report),
    'Variance = (actual − forecast) / forecast',
  ];
}

/** A bar's length needs no exactness. */
const asNumber = (money: Money | null): number | null => (money === null ? null : Number(money));

function chartLines(ctx: Context, report: TeamForecast): string[] {
  const width = (ctx.io.stdout as { columns?: number }).columns ?? 80;
  return forecastChart(
    report.rows.map((r) => ({
      label: rowLabel(r),
      actual: asNumber(r.actual ?? r.toDate),
      forecast: asNumber(r.forecast),
      lower: asNumber(r.lower),
      upper: asNumber(r.upper),
      display: formatMoney(r.actual ?? r.forecast ?? 0n, r.currency),
    })),
    width,
    report.level,
  );
}

