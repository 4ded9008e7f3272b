// kt wallets balance: one team's wallet and its parent chain, or every wallet.
// On a terminal the table is followed by a utilization bar per wallet;
// --tree draws the hierarchy instead.
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { listWallets, walletBalance } from '../../api/wallets.js';
import { selectColumns, writeRows } from '../../output/index.js';
import { levelColor, stdoutStyle } from '../../output/style.js';
import { withSpinner } from '../../output/spinner.js';
import { readOutputOptions, type RawOutputOptions } from '../flags.js';
import { parseTeam } from './options.js';
import { explainTeamNotFound, WALLET_COLUMNS, WALLET_DEFAULT_FIELDS, WALLET_TABLE_FIELDS, walletRecord, type WalletRecord } from './records.js';
import { renderBars, renderTree } from './tree.js';

export interface BalanceOptions extends RawOutputOptions {
  team?: string;
  tree?: boolean;
}

const BAR_WIDTH = 20;

/** Wallets for --team (the wallet, then its parents up to the organization) or all of them. */
export async function fetchWallets(ctx: Context, team: string | undefined): Promise<WalletRecord[]> {
  const api = await ctx.api();
  if (team === undefined) return (await listWallets(api)).map(walletRecord);
  try {
    const balance = await walletBalance(api, team);
    return [balance.wallet, ...balance.parents].map(walletRecord);
  } catch (error) {
    throw explainTeamNotFound(error, team);
  }
}

export async function showWallets(ctx: Context, opts: BalanceOptions, mode: { bars: boolean }): Promise<void> {
  const output = readOutputOptions(ctx, opts);
  const team = opts.team === undefined ? undefined : parseTeam(opts.team);
  if (opts.tree === true) {
    if (output.format !== 'table') {
      throw new UsageError(`--tree draws the hierarchy for people and works with the table format only, not --format ${output.format}`, 'drop --tree: the rows carry a parent column to rebuild the tree');
    }
    if (output.fields !== undefined) throw new UsageError('--fields does not apply to --tree', 'drop --tree to choose columns');
  }
  const columns = selectColumns(WALLET_COLUMNS, output.fields, output.format === 'table' ? WALLET_TABLE_FIELDS : WALLET_DEFAULT_FIELDS);
  const wallets = await withSpinner(ctx, team === undefined ? 'fetching wallets' : `fetching the wallet of ${team}`, () => fetchWallets(ctx, team));
  const style = stdoutStyle(ctx);
  const color = (bar: string, level: Parameters<typeof levelColor>[1]): string => levelColor(style, level)(bar);

  if (opts.tree === true) {
    // The chain comes nearest-first; the tree wants the organization at the top.
    const ordered = team === undefined ? wallets : [...wallets].reverse();
    const lines = renderTree(ordered, { barWidth: BAR_WIDTH, color });
    if (lines.length === 0) {
      ctx.log.info('no wallets');
      return;
    }
    await writeText(ctx, output.output, `${lines.join('\n')}\n`);
    return;
  }

  await writeRows(ctx, wallets, columns, {
    format: output.format,
    header: output.header,
    output: output.output,
    emptyNotice: 'no wallets: allocate the organization budget with kt wallets allocate --team org --amount N',
  });
  if (mode.bars && output.format === 'table' && output.output === undefined && ctx.io.isStdoutTTY && wallets.length > 0) {
    ctx.io.stdout.write(`\n${renderBars(wallets, { barWidth: BAR_WIDTH, color }).join('\n')}\n`);
  }
}

async function writeText(ctx: Context, file: string | undefined, text: string): Promise<void> {
  if (file === undefined) {
    ctx.io.stdout.write(text);
    return;
  }
  const { atomicFileSink } = await import('../../output/sink.js');
  const sink = await atomicFileSink(file);
  try {
    await sink.write(text);
    await sink.close();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

export default async function walletsBalance(ctx: Context, opts: BalanceOptions): Promise<void> {
  await showWallets(ctx, opts, { bars: true });
}
