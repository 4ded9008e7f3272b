// kt wallets credit: one-off funds for the current period, carved from the
// parent's unallocated budget (checked before asking when the server says it).
import type { Context } from '../context.js';
import { credit, walletOfTeam, WALLET_PATHS, type CreditBody } from '../../api/wallets.js';
import { parseAmountFlag, parseCurrency, parseIdempotencyKey, parseTeam } from './options.js';
import { money, parentHint, parentShortMessage, PrecheckRefusal, runMutation, type MutationFlags } from './mutate.js';
import { addMoney } from '../../domain/money.js';

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
    precheck: (b) => {
      const w = b.wallet;
      if (w === undefined) return;
      if (currency !== undefined && w.currency !== null && w.currency !== currency) {
        throw new PrecheckRefusal(`the wallet of ${team} is in ${w.currency}, not ${currency}`, `drop --currency, or pass --currency ${w.currency}`);
      }
      if (w.parent_id === null) return;
      const parent = walletOfTeam(b.wallets, w.parent_id);
      if (parent?.unallocated !== null && parent?.unallocated !== undefined && amount > parent.unallocated) {
        throw new PrecheckRefusal(parentShortMessage(w.parent_id, amount, parent.unallocated, w.currency ?? 'USD'), parentHint(w.parent_id, team, b.wallets));
      }
    },
    changes: (b) => {
      const w = b.wallet;
      const c = w?.currency ?? currency;
      const lines: string[] = [];
      if (w?.allocated !== null && w?.allocated !== undefined) lines.push(`${team}: allocated this period ${money(w.allocated, c)} → ${money(addMoney(w.allocated, amount), c)}`);
      if (w?.available !== null && w?.available !== undefined) lines.push(`${team}: available ${money(w.available, c)} → ${money(addMoney(w.available, amount), c)}`);
      return lines.length === 0 ? [`${team}: credit ${money(amount, c)}`] : [lines.join(', ').replace(`, ${team}: `, ', ')];
    },
    question: (b) => `Credit ${money(amount, b.wallet?.currency ?? currency)} to ${team} for the current period?`,
    send: (api, idempotencyKey) => credit(api, body, idempotencyKey),
    summary: (_b, result) => {
      const w = result.wallet;
      const c = w.currency ?? currency;
      const parts = [`credited: ${team} +${money(amount, c)}`];
      if (w.allocated !== null) parts.push(`allocated ${money(w.allocated, c)}`);
      if (w.available !== null) parts.push(`available ${money(w.available, c)}`);
      if (result.transaction !== null) parts.push(`transaction ${result.transaction.id}`);
      return parts.join(' · ');
    },
  });
}
