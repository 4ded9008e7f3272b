// `kt __complete-teams`: team ids for the completion scripts. Prints nothing
// (and succeeds) when no credentials are configured or the API fails: a
// completion must never print an error into the user's prompt.
import type { Context } from '../context.js';

export default async function completeTeams(ctx: Context): Promise<void> {
  try {
    const config = await ctx.config();
    if ((await config.token()).value === undefined) return;
    const { listWallets } = await import('../../api/wallets.js');
    const wallets = await listWallets(await ctx.api());
    const ids = [...new Set(wallets.map((w) => w.team_id))].sort();
    if (ids.length > 0) ctx.io.stdout.write(`${ids.join('\n')}\n`);
  } catch {
    // silent by design
  }
}
