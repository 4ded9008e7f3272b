// kt wallets credit: one-off funds for the current period.
import type { Context } from '../context.js';
import { credit, WALLET_PATHS, type CreditBody } from '../../api/wallets.js';
import { parseAmountFlag, parseCurrency, parseIdempotencyKey, parseTeam } from './options.js';
import { money, runMutation, type MutationFlags } from './mutate.js';

export interface CreditOptions extends MutationFlags {
  team?: string;
  amount?: string;
  currency?: string;
}

export default async function walletsCredit(ctx: Context, opts: CreditOptions): Promise<void> {
  const team = parseTeam(opts.team);
  const amount = parseAmountFlag(opts.amount);
  const currency = parseCurrency(opts.currency);
  const key = parseIdempotencyKey(opts.idempotencyKey);
  const body: CreditBody = { team_id: team, amount };
  if (currency !== undefined) body.currency = currency;
  await runMutation(ctx, opts, key, {
    team,
    path: WALLET_PATHS.credit,
    body: { ...body },
    requested: amount,
    allowsNewWallet: false,
    preview: (before) => {
      const c = before?.raw.currency ?? currency;
      return before === undefined
        ? `${team}: credit ${money(amount, c)}`
        : `${team}: allocated this period ${money(before.allocated, c)} → ${money(before.allocated + amount, c)}, available ${money(before.available, c)} → ${money(before.available + amount, c)}`;
    },
    question: (before) => `Credit ${money(amount, before?.raw.currency ?? currency)} to ${team} for the current period?`,
    send: (api, idempotencyKey) => credit(api, body, idempotencyKey),
    summary: (_before, result) => {
      const w = result.wallet;
      return `credited: ${team} +${money(amount, w.currency)} · allocated ${money(w.allocated, w.currency)} · available ${money(w.available, w.currency)}${result.transaction === null ? '' : ` · transaction ${result.transaction.id}`}`;
    },
  });
}
