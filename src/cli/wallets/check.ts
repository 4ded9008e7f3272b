// kt wallets check: the wallets at or past the warn level, under
// --min-balance, or not checkable, for a cron line. Exit 0 when none fails,
// 3 when one does, 1 when no wallet at all could be checked (an alert that
// can never fire must not pass silently); --webhook posts the list (a failed
// post is exit 1, after the list is printed).
import type { Context } from '../context.js';
import { FailureError, ThresholdError, UsageError } from '../../errors.js';
import { listWallets, teamIds, walletKey, walletOfTeam } from '../../api/wallets.js';
import { checkWallet, parsePercent, percentText, PercentError, type CheckLevel, type NotChecked, type Percent, type Thresholds } from '../../domain/budget-check.js';
import { AmountError, formatDecimal, formatMoney, type Money, parseAmount, subtractMoney, ZERO } from '../../domain/money.js';
import { selectColumns, writeRows, type Column } from '../../output/index.js';
import { withSpinner } from '../../output/spinner.js';
import { parseWebhookUrl, readOutputOptions, type RawOutputOptions } from '../flags.js';
import { unknownTeamError } from '../teams.js';
import { dailyByWallet, dailySince, projectWallet } from '../forecast/spend.js';
import { parseScope } from './balance.js';
import { parseTeam } from './options.js';
import { currencyOf, utilization, walletRecord, type WalletRecord } from './records.js';

export interface CheckOptions extends RawOutputOptions {
  team?: string;
  scope?: string;
  warnAt?: string;
  failAt?: string;
  minBalance?: string;
  webhook?: string;
}

interface CheckRow {
  wallet: WalletRecord;
  level: CheckLevel;
  reason: string;
  notChecked: NotChecked[];
  projected: Money | null;
}

const NOT_SENT = '—';

const money = (name: string, get: (r: CheckRow) => Money | null, header?: string): Column<CheckRow> => ({
  name,
  ...(header === undefined ? {} : { header }),
  kind: 'money',
  get,
  currency: (r) => currencyOf(r.wallet),
  missing: NOT_SENT,
});

export const CHECK_COLUMNS: readonly Column<CheckRow>[] = [
  { name: 'team', kind: 'text', get: (r) => r.wallet.raw.team_id, missing: NOT_SENT },
  { name: 'name', kind: 'text', get: (r) => r.wallet.raw.name, missing: NOT_SENT },
  { name: 'scope', kind: 'text', get: (r) => r.wallet.raw.scope, missing: NOT_SENT },
  { name: 'user', kind: 'text', get: (r) => r.wallet.raw.user_id, missing: NOT_SENT },
  { name: 'level', kind: 'text', get: (r) => r.level },
  { name: 'utilization', header: 'USED', kind: 'share', get: (r) => utilization(r.wallet), missing: 'no allocation reported' },
  { name: 'utilization_basis', header: 'BASIS', kind: 'text', get: (r) => (utilization(r.wallet) === null ? null : (r.wallet.usage?.basis ?? null)), missing: NOT_SENT },
  money('allocated', (r) => r.wallet.raw.allocated),
  money('spent', (r) => r.wallet.raw.spent),
  money('total_allocated', (r) => r.wallet.raw.total_allocated, 'TOTAL ALLOCATED'),
  money('total_spent', (r) => r.wallet.raw.total_spent, 'TOTAL SPENT'),
  money('available', (r) => r.wallet.raw.available),
  money('soft_cap', (r) => r.wallet.raw.soft_cap, 'SOFT CAP'),
  money('hard_cap', (r) => r.wallet.raw.hard_cap, 'HARD CAP'),
  money('projected', (r) => r.projected),
  { name: 'reason', kind: 'text', get: (r) => r.reason },
  { name: 'currency', kind: 'text', get: (r) => r.wallet.raw.currency, missing: NOT_SENT },
  { name: 'period_end', kind: 'time', get: (r) => r.wallet.raw.period_end, missing: NOT_SENT },
];
export const CHECK_FIELD_LIST = CHECK_COLUMNS.map((c) => c.name).join(', ');
const CHECK_FIELDS = CHECK_COLUMNS.map((c) => c.name);
const CHECK_TABLE = ['team', 'level', 'utilization', 'utilization_basis', 'allocated', 'spent', 'total_allocated', 'available', 'soft_cap', 'hard_cap', 'projected', 'reason'];

/** Table columns some row has a value for (team, level, utilization and reason always). */
function tableFields(rows: readonly CheckRow[]): string[] {
  const byName = new Map(CHECK_COLUMNS.map((c) => [c.name, c]));
  return CHECK_TABLE.filter((name) => {
    if (['team', 'level', 'utilization', 'reason'].includes(name)) return true;
    if (name === 'utilization_basis') return rows.some((r) => utilization(r.wallet) !== null && r.wallet.usage?.basis === 'cumulative');
    const column = byName.get(name);
    return column !== undefined && rows.some((r) => column.get(r) !== null);
  });
}

function percentFlag(text: string | undefined, flag: string, fallback: string): Percent {
  try {
    return parsePercent(text ?? fallback, flag);
  } catch (error) {
    if (error instanceof PercentError) throw new UsageError(error.message);
    throw error;
  }
}

function minBalanceFlag(text: string | undefined): Money | null {
  if (text === undefined) return null;
  try {
    return parseAmount(text, { allowZero: true });
  } catch (error) {
    if (error instanceof AmountError) throw new UsageError(`${error.message.replace(/^invalid amount/, 'invalid --min-balance')}`, 'e.g. --min-balance 100 alerts when a balance falls below $100');
    throw error;
  }
}

/** What puts a wallet on the list: `at or past 80%`, `below --min-balance $100.00`, or both. */
function listedText(t: Thresholds): string {
  const parts: string[] = [];
  if (t.percent !== null) parts.push(`at or past ${percentText(t.percent.warnAt)}%`);
  if (t.minBalance !== null) parts.push(`below --min-balance ${formatMoney(t.minBalance)}`);
  return parts.join(' or ');
}

/** What makes exit 3: `at or past 100% of allocation or a hard cap`, `below --min-balance $100.00`, or both. */
function failText(t: Thresholds): string {
  const parts: string[] = [];
  if (t.percent !== null) parts.push(`at or past ${percentText(t.percent.failAt)}% of allocation or a hard cap`);
  if (t.minBalance !== null) parts.push(`below --min-balance ${formatMoney(t.minBalance)}`);
  return parts.join(' or ');
}

/** The thresholds asked for, for "could not be checked against …". */
function thresholdsText(t: Thresholds): string {
  const parts: string[] = [];
  if (t.percent !== null) parts.push(`${percentText(t.percent.warnAt)}%/${percentText(t.percent.failAt)}%`);
  if (t.minBalance !== null) parts.push(`--min-balance ${formatMoney(t.minBalance)}`);
  return parts.join(' and ');
}

/** How a wallet is named in messages: its team, else its user. */
const who = (w: WalletRecord): string => w.raw.team_id ?? w.raw.user_id ?? w.label;

const WHY_NOT: Record<NotChecked, string> = {
  percent: 'no allocation reported',
  'min-balance': 'no balance reported',
};

/** One line for the people reading a cron mail or a Slack channel. */
function rowLine(r: CheckRow): string {
  const w = r.wallet;
  const c = currencyOf(w);
  const used = utilization(w);
  const pct = used === null ? null : Number.isFinite(used) ? `${(used * 100).toFixed(1)}%` : '∞';
  let figures: string;
  if (pct !== null && w.usage?.basis === 'period') figures = `${pct} used, ${formatMoney(subtractMoney(w.usage.used, w.raw.reserved ?? ZERO), c)} of ${formatMoney(w.usage.base, c)}`;
  else if (pct !== null && w.usage?.basis === 'cumulative') figures = `${pct} of the pool used, balance ${formatMoney(w.raw.available ?? ZERO, c)} of ${formatMoney(w.usage.base, c)} allocated in total`;
  else figures = w.raw.available === null ? 'no allocation or balance reported' : `balance ${formatMoney(w.raw.available, c)}`;
  return `• ${who(w)}: ${r.level} — ${figures} (${r.reason})`;
}

function alertText(rows: readonly CheckRow[], t: Thresholds, checkedNone: boolean): string {
  const alerting = rows.filter((r) => r.level === 'warn' || r.level === 'fail');
  const failing = rows.filter((r) => r.level === 'fail').length;
  const unknown = rows.filter((r) => r.level === 'unknown');
  const head = checkedNone
    ? `kt wallets check: no wallet could be checked against ${thresholdsText(t)}`
    : `kt wallets check: ${alerting.length} wallet${alerting.length === 1 ? '' : 's'} ${listedText(t)} (${failing} ${failText(t)})`;
  const tail = unknown.length === 0 ? [] : [`not checked: ${unknown.map((r) => who(r.wallet)).join(', ')}`];
  return [head, ...alerting.map(rowLine), ...tail].join('\n');
}

export default async function walletsCheck(ctx: Context, opts: CheckOptions): Promise<void> {
  const output = readOutputOptions(ctx, opts);
  const team = opts.team === undefined ? undefined : parseTeam(opts.team);
  const scope = parseScope(opts.scope);
  if (scope !== undefined && team !== undefined) throw new UsageError('--scope checks wallets of one scope; it does not combine with --team');
  const minBalance = minBalanceFlag(opts.minBalance);
  // --min-balance alone checks balances only; the percentages apply when asked for, or when nothing else is.
  const percentAsked = opts.warnAt !== undefined || opts.failAt !== undefined || minBalance === null;
  const warnAt = percentFlag(opts.warnAt, '--warn-at', '80');
  const failAt = percentFlag(opts.failAt, '--fail-at', '100');
  if (failAt < warnAt) {
    throw new UsageError(`--fail-at ${percentText(failAt)} is below --warn-at ${percentText(warnAt)}`, 'the fail level must be at or above the warn level, e.g. --warn-at 80 --fail-at 100');
  }
  const thresholds: Thresholds = { percent: percentAsked ? { warnAt, failAt } : null, minBalance };
  const webhook = opts.webhook === undefined ? undefined : parseWebhookUrl(opts.webhook);
  const chosenColumns = output.fields === undefined ? undefined : selectColumns(CHECK_COLUMNS, output.fields, CHECK_FIELDS);
  const now = ctx.now();

  const api = await ctx.api();
  const wallets = await withSpinner(ctx, 'fetching wallets', () => listWallets(api));
  let chosen = wallets;
  if (team !== undefined) {
    const w = walletOfTeam(wallets, team);
    if (w === undefined) throw unknownTeamError(team, teamIds(wallets));
    chosen = [w];
  } else if (scope !== undefined) {
    chosen = wallets.filter((w) => w.scope === scope);
  }
  if (chosen.length === 0) {
    throw new FailureError(scope === undefined ? 'no wallets to check: the control plane lists none' : `no ${scope}-scope wallets to check`, 'run `kt wallets list` to see every wallet');
  }

  const rows: CheckRow[] = [];
  let checkedAny = false;
  for (const wallet of chosen.map(walletRecord)) {
    const w = wallet.raw;
    const verdict = checkWallet(
      { usage: wallet.usage, spent: w.spent, soft_cap: w.soft_cap, hard_cap: w.hard_cap, balance: w.available, currency: currencyOf(wallet) },
      thresholds,
    );
    checkedAny ||= verdict.checked;
    if (verdict.level === 'ok') continue;
    const reasons = [...verdict.reasons, ...verdict.notChecked.filter(() => verdict.level === 'unknown').map((n) => `not checked: ${WHY_NOT[n]}`)];
    rows.push({ wallet, level: verdict.level, reason: reasons.join('; '), notChecked: verdict.notChecked, projected: null });
  }
  const rank: Record<CheckLevel, number> = { fail: 0, warn: 1, unknown: 2, ok: 3 };
  rows.sort((a, b) => rank[a.level] - rank[b.level] || (utilization(b.wallet) ?? 0) - (utilization(a.wallet) ?? 0));

  // The projection (the same figure kt forecast prints) needs the events: fetched only when there are rows to show.
  const projectable = rows.filter((r) => r.wallet.raw.scope !== 'user');
  if (projectable.length > 0) await addProjections(ctx, projectable, wallets, now);

  const columns = chosenColumns ?? selectColumns(CHECK_COLUMNS, undefined, output.format === 'table' ? tableFields(rows) : CHECK_FIELDS);
  await writeRows(ctx, rows, columns, {
    format: output.format,
    header: output.header,
    output: output.output,
    emptyNotice: `no wallet ${listedText(thresholds)}${thresholds.percent === null ? '' : ' of its allocation'}`,
  });

  for (const kind of ['percent', 'min-balance'] as const) {
    const missed = rows.filter((r) => r.level === 'unknown' && r.notChecked.includes(kind)).map((r) => who(r.wallet));
    if (missed.length === 0) continue;
    const against = kind === 'percent' ? `${percentText(warnAt)}%/${percentText(failAt)}%` : '--min-balance';
    ctx.log.warn(`not checked against ${against} (${WHY_NOT[kind]}): ${missed.join(', ')}`);
  }

  const alerting = rows.some((r) => r.level === 'warn' || r.level === 'fail');
  if (webhook !== undefined && (alerting || !checkedAny)) {
    const { postWebhook } = await import('../../api/webhook.js');
    const decimal = (m: Money | null): string | null => (m === null ? null : formatDecimal(m));
    const payload = {
      text: alertText(rows, thresholds, !checkedAny),
      warn_at: thresholds.percent === null ? null : Number(percentText(warnAt)),
      fail_at: thresholds.percent === null ? null : Number(percentText(failAt)),
      min_balance: decimal(minBalance),
      wallets: rows.map((r) => ({
        team: r.wallet.raw.team_id,
        name: r.wallet.raw.name,
        scope: r.wallet.raw.scope,
        level: r.level,
        utilization: utilization(r.wallet),
        currency: r.wallet.raw.currency,
        allocated: decimal(r.wallet.raw.allocated),
        spent: decimal(r.wallet.raw.spent),
        total_allocated: decimal(r.wallet.raw.total_allocated),
        available: decimal(r.wallet.raw.available),
        soft_cap: decimal(r.wallet.raw.soft_cap),
        hard_cap: decimal(r.wallet.raw.hard_cap),
        projected: decimal(r.projected),
        reason: r.reason,
      })),
    };
    const sent = await postWebhook(webhook, payload, {
      retries: ctx.globals.retries ?? 3,
      timeoutMs: ctx.globals.timeoutMs ?? 30_000,
      signal: ctx.signal,
      hint: 'check the URL; the wallet list above was printed all the same',
    });
    ctx.log.debug(`webhook: HTTP ${sent.status} after ${sent.attempts} attempt${sent.attempts === 1 ? '' : 's'}`);
  }

  if (!checkedAny) {
    const percentOnly = thresholds.minBalance === null;
    throw new FailureError(
      `no wallet could be checked against ${thresholdsText(thresholds)}: ${percentOnly ? 'none reports an allocation to measure a percentage of' : thresholds.percent === null ? 'none reports a balance' : 'none reports an allocation or a balance'}`,
      percentOnly
        ? 'pass --min-balance AMOUNT to alert when a balance falls below it (the low-balance alert of the product console)'
        : 'run `kt wallets list --json` to see what the control plane reports',
    );
  }
  const failing = rows.filter((r) => r.level === 'fail');
  if (failing.length > 0) {
    throw new ThresholdError(`${failing.length} wallet${failing.length === 1 ? '' : 's'} ${failText(thresholds)}: ${failing.map((r) => who(r.wallet)).join(', ')}`);
  }
}

/** Fills in each row's projected period-end spend; a control plane that will not give the events leaves it empty, said once. */
async function addProjections(ctx: Context, rows: CheckRow[], wallets: Parameters<typeof dailyByWallet>[1], now: Date): Promise<void> {
  const { ApiError } = await import('../../errors.js');
  const tz = 'UTC';
  try {
    const since = dailySince(rows.map((r) => r.wallet.raw), now, tz);
    const daily = await dailyByWallet(await ctx.api(), wallets, since, tz);
    for (const r of rows) r.projected = projectWallet(r.wallet.raw, daily.get(walletKey(r.wallet.raw)) ?? new Map(), now, tz, 80).projected;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    ctx.log.warn(`no projection: the spend events could not be read (${error.message})`);
  }
}
