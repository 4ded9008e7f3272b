// kt wallets check: the wallets at or past the warn level, for a cron line.
// Exit 0 when none reaches --fail-at, 3 when one does; --webhook posts the
// list (a failed post is exit 1, after the list is printed).
import type { Context } from '../context.js';
import { ThresholdError, UsageError } from '../../errors.js';
import { listWallets } from '../../api/wallets.js';
import { checkWallet, parsePercent, percentText, PercentError, projectPeriodEnd, type CheckLevel, type Percent } from '../../domain/budget-check.js';
import { formatDecimal, formatMoney, type Money } from '../../domain/money.js';
import { isWalletPeriod, walletPeriodBounds } from '../../domain/periods.js';
import { selectColumns, writeRows, type Column } from '../../output/index.js';
import { withSpinner } from '../../output/spinner.js';
import { parseWebhookUrl, readOutputOptions, type RawOutputOptions } from '../flags.js';
import { parseTeam } from './options.js';
import { utilization, walletRecord, type WalletRecord } from './records.js';

export interface CheckOptions extends RawOutputOptions {
  team?: string;
  warnAt?: string;
  failAt?: string;
  webhook?: string;
}

interface CheckRow {
  wallet: WalletRecord;
  level: CheckLevel;
  reason: string;
  projected: Money | null;
}

const money = (name: string, get: (r: CheckRow) => Money | null, header?: string): Column<CheckRow> => ({
  name,
  ...(header === undefined ? {} : { header }),
  kind: 'money',
  get,
  currency: (r) => r.wallet.raw.currency,
});

export const CHECK_COLUMNS: readonly Column<CheckRow>[] = [
  { name: 'team', kind: 'text', get: (r) => r.wallet.raw.team_id },
  { name: 'name', kind: 'text', get: (r) => r.wallet.raw.name },
  { name: 'level', kind: 'text', get: (r) => r.level },
  { name: 'utilization', header: 'USED', kind: 'share', get: (r) => utilization(r.wallet) },
  money('allocated', (r) => r.wallet.allocated),
  money('spent', (r) => r.wallet.spent),
  money('available', (r) => r.wallet.available),
  money('soft_cap', (r) => r.wallet.softCap, 'SOFT CAP'),
  money('hard_cap', (r) => r.wallet.hardCap, 'HARD CAP'),
  money('projected', (r) => r.projected),
  { name: 'reason', kind: 'text', get: (r) => r.reason },
  { name: 'currency', kind: 'text', get: (r) => r.wallet.raw.currency },
  { name: 'period_end', kind: 'time', get: (r) => r.wallet.raw.period_end },
];
const CHECK_FIELDS = CHECK_COLUMNS.map((c) => c.name);
const CHECK_TABLE = ['team', 'level', 'utilization', 'allocated', 'spent', 'soft_cap', 'hard_cap', 'projected', 'reason'];

function percentFlag(text: string | undefined, flag: string, fallback: string): Percent {
  try {
    return parsePercent(text ?? fallback, flag);
  } catch (error) {
    if (error instanceof PercentError) throw new UsageError(error.message);
    throw error;
  }
}

function projection(w: WalletRecord, now: Date): Money | null {
  const start = w.raw.period_start === null ? Number.NaN : Date.parse(w.raw.period_start);
  const end = w.raw.period_end === null ? Number.NaN : Date.parse(w.raw.period_end);
  if (Number.isFinite(start) && Number.isFinite(end)) return projectPeriodEnd(w.spent, start, end, now.getTime());
  if (!isWalletPeriod(w.raw.period)) return null;
  const bounds = walletPeriodBounds(now, w.raw.period);
  return projectPeriodEnd(w.spent, bounds.start.getTime(), bounds.end.getTime(), now.getTime());
}

function alertText(rows: readonly CheckRow[], warnAt: Percent, failAt: Percent): string {
  const failing = rows.filter((r) => r.level === 'fail').length;
  const head = `kt wallets check: ${rows.length} wallet${rows.length === 1 ? '' : 's'} at or past ${percentText(warnAt)}% (${failing} at or past ${percentText(failAt)}% or a hard cap)`;
  const lines = rows.map((r) => {
    const used = utilization(r.wallet);
    const pct = used === null || !Number.isFinite(used) ? 'no allocation' : `${(used * 100).toFixed(1)}%`;
    return `• ${r.wallet.raw.team_id}: ${r.level} — ${pct} used, ${formatMoney(r.wallet.spent, r.wallet.raw.currency)} of ${formatMoney(r.wallet.allocated, r.wallet.raw.currency)} (${r.reason})`;
  });
  return [head, ...lines].join('\n');
}

export default async function walletsCheck(ctx: Context, opts: CheckOptions): Promise<void> {
  const output = readOutputOptions(ctx, opts);
  const team = opts.team === undefined ? undefined : parseTeam(opts.team);
  const warnAt = percentFlag(opts.warnAt, '--warn-at', '80');
  const failAt = percentFlag(opts.failAt, '--fail-at', '100');
  if (failAt < warnAt) {
    throw new UsageError(`--fail-at ${percentText(failAt)} is below --warn-at ${percentText(warnAt)}`, 'the fail level must be at or above the warn level, e.g. --warn-at 80 --fail-at 100');
  }
  const webhook = opts.webhook === undefined ? undefined : parseWebhookUrl(opts.webhook);
  const columns = selectColumns(CHECK_COLUMNS, output.fields, output.format === 'table' ? CHECK_TABLE : CHECK_FIELDS);
  const now = ctx.now();

  const api = await ctx.api();
  const wallets = await withSpinner(ctx, 'fetching wallets', () => listWallets(api));
  const chosen = team === undefined ? wallets : wallets.filter((w) => w.team_id === team);
  if (team !== undefined && chosen.length === 0) throw new UsageError(`unknown team "${team}"`, 'run `kt wallets list` to see every team');
  const rows: CheckRow[] = [];
  for (const wallet of chosen.map(walletRecord)) {
    const verdict = checkWallet({ allocated: wallet.allocated, spent: wallet.spent + wallet.reserved, soft_cap: wallet.softCap, hard_cap: wallet.hardCap }, warnAt, failAt);
    if (verdict.level === 'ok') continue;
    rows.push({ wallet, level: verdict.level, reason: verdict.reasons.join('; '), projected: projection(wallet, now) });
  }
  rows.sort((a, b) => (a.level === b.level ? 0 : a.level === 'fail' ? -1 : 1) || (utilization(b.wallet) ?? 0) - (utilization(a.wallet) ?? 0));

  await writeRows(ctx, rows, columns, {
    format: output.format,
    header: output.header,
    output: output.output,
    emptyNotice: `no wallet at or past ${percentText(warnAt)}% of its allocation`,
  });

  if (webhook !== undefined && rows.length > 0) {
    const { postWebhook } = await import('../../api/webhook.js');
    const payload = {
      text: alertText(rows, warnAt, failAt),
      warn_at: Number(percentText(warnAt)),
      fail_at: Number(percentText(failAt)),
      wallets: rows.map((r) => ({
        team: r.wallet.raw.team_id,
        name: r.wallet.raw.name,
        level: r.level,
        utilization: utilization(r.wallet),
        currency: r.wallet.raw.currency,
        allocated: formatDecimal(r.wallet.allocated),
        spent: formatDecimal(r.wallet.spent),
        soft_cap: r.wallet.softCap === null ? null : formatDecimal(r.wallet.softCap),
        hard_cap: r.wallet.hardCap === null ? null : formatDecimal(r.wallet.hardCap),
        projected: r.projected === null ? null : formatDecimal(r.projected),
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

  const failing = rows.filter((r) => r.level === 'fail');
  if (failing.length > 0) {
    throw new ThresholdError(
      `${failing.length} wallet${failing.length === 1 ? '' : 's'} at or past ${percentText(failAt)}% of allocation or a hard cap: ${failing.map((r) => r.wallet.raw.team_id).join(', ')}`,
    );
  }
}
