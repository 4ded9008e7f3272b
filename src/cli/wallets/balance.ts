// kt wallets balance: one team's wallet and its parent chain, or every wallet
// (of one scope with --scope). On a terminal the table is followed by a
// utilization bar per wallet; --tree draws the hierarchy instead.
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { listWallets, WALLET_SCOPES, type WalletScope } from '../../api/wallets.js';
import { selectColumns, writeRows } from '../../output/index.js';
import { levelColor, stdoutStyle } from '../../output/style.js';
import { withSpinner } from '../../output/spinner.js';
import { readOutputOptions, type RawOutputOptions } from '../flags.js';
import { teamChain } from '../teams.js';
import { parseTeam } from './options.js';
import { basisNotice, WALLET_COLUMNS, WALLET_DEFAULT_FIELDS, walletRecord, walletTableFields, type WalletRecord } from './records.js';
import { renderBars, renderTree } from './tree.js';

export interface BalanceOptions extends RawOutputOptions {
  team?: string;
  tree?: boolean;
  scope?: string;
}

const BAR_WIDTH = 20;

export function parseScope(text: string | undefined): WalletScope | undefined {
  if (text === undefined) return undefined;
  const scope = text.trim().toLowerCase();
  if (!(WALLET_SCOPES as readonly string[]).includes(scope)) {
    throw new UsageError(`invalid --scope "${text}": use one of ${WALLET_SCOPES.join(', ')}`);
  }
  return scope as WalletScope;
}

/** Wallets for --team (the wallet, then its parents up to the organization) or all of them (of one scope). */
export async function fetchWallets(ctx: Context, team: string | undefined, scope?: WalletScope): Promise<WalletRecord[]> {
  const api = await ctx.api();
  if (team === undefined) {
    const all = await listWallets(api);
    return (scope === undefined ? all : all.filter((w) => w.scope === scope)).map(walletRecord);
  }
  const chain = await teamChain(api, team);
  return [chain.wallet, ...chain.parents].map(walletRecord);
}

export async function showWallets(ctx: Context, opts: BalanceOptions, mode: { bars: boolean }): Promise<void> {
  const output = readOutputOptions(ctx, opts);
  const team = opts.team === undefined ? undefined : parseTeam(opts.team);
  const scope = parseScope(opts.scope);
  if (scope !== undefined && team !== undefined) throw new UsageError('--scope lists wallets of one scope; it does not combine with --team');
  if (opts.tree === true) {
    if (output.format !== 'table') {
      throw new UsageError(`--tree draws the hierarchy for people and works with the table format only, not --format ${output.format}`, 'drop --tree: the rows carry a parent column to rebuild the tree');
    }
    if (output.fields !== undefined) throw new UsageError('--fields does not apply to --tree', 'drop --tree to choose columns');
  }
  // Chosen fields are checked before anything is fetched; default table columns depend on what the server sent.
  const chosen = output.fields === undefined ? undefined : selectColumns(WALLET_COLUMNS, output.fields, WALLET_DEFAULT_FIELDS);
  const wallets = await withSpinner(ctx, team === undefined ? 'fetching wallets' : `fetching the wallet of ${team}`, () => fetchWallets(ctx, team, scope));
  const style = stdoutStyle(ctx);
  const color = (bar: string, level: Parameters<typeof levelColor>[1]): string => levelColor(style, level)(bar);
  const notice = basisNotice(wallets);

  if (opts.tree === true) {
    // The chain comes nearest-first; the tree wants the organization at the top.
    const ordered = team === undefined ? wallets : [...wallets].reverse();
    const lines = renderTree(ordered, { barWidth: BAR_WIDTH, color });
    if (lines.length === 0) {
      ctx.log.info(scope === undefined ? 'no wallets' : `no ${scope}-scope wallets`);
      return;
    }
    await writeText(ctx, output.output, `${lines.join('\n')}\n`);
    if (notice !== undefined) ctx.log.info(notice);
    return;
  }

  const columns = chosen ?? selectColumns(WALLET_COLUMNS, undefined, output.format === 'table' ? walletTableFields(wallets) : WALLET_DEFAULT_FIELDS);
  await writeRows(ctx, wallets, columns, {
    format: output.format,
    header: output.header,
    output: output.output,
    emptyNotice: scope === undefined ? 'no wallets: allocate the organization budget with kt wallets allocate --team org --amount N' : `no ${scope}-scope wallets`,
  });
  if (mode.bars && output.format === 'table' && output.output === undefined && ctx.io.isStdoutTTY && wallets.length > 0) {
    ctx.io.stdout.write(`\n${renderBars(wallets, { barWidth: BAR_WIDTH, color }).join('\n')}\n`);
  }
  if (notice !== undefined && columns.some((c) => c.name === 'utilization')) ctx.log.info(notice);
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
