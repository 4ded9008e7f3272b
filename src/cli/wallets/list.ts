// kt wallets list: every wallet, one flat row each; --scope keeps one scope.
import type { Context } from '../context.js';
import type { RawOutputOptions } from '../flags.js';
import { showWallets } from './balance.js';

export default async function walletsList(ctx: Context, opts: RawOutputOptions & { scope?: string }): Promise<void> {
  await showWallets(ctx, { ...opts, team: undefined, tree: false }, { bars: false });
}
