// kt wallets reclaim: return unused current-period funds to the parent.
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import type { Money } from '../../domain/money.js';
import { reclaim, WALLET_PATHS, type ReclaimBody } from '../../api/wallets.js';
import { parseAmountFlag, parseIdempotencyKey, parseTeam } from './options.js';
import { money, runMutation, type MutationFlags } from './mutate.js';

export interface ReclaimOptions extends MutationFlags {
  team?: string;
  amount?: string;
  all?: boolean;
}

export function reclaimBody(opts: ReclaimOptions): { body: ReclaimBody; amount: Money | 'all' } {
  const team = parseTeam(opts.team);
  if (opts.all === true && opts.amount !== undefined) throw new UsageError('pass either --amount or --all, not both');
  if (opts.all === true) return { body: { team_id: team, all: true }, amount: 'all' };
  if (opts.amount === undefined) {
    throw new UsageError('kt wallets reclaim needs --amount N or --all', 'e.g. kt wallets reclaim --team search --amount 500');
  }
  const amount = parseAmountFlag(opts.amount);
  return { body: { team_id: team, amount }, amount };
}

export default async function walletsReclaim(ctx: Context, opts: ReclaimOptions): Promise<void> {
  const { body, amount } = reclaimBody(opts);
  const key = parseIdempotencyKey(opts.idempotencyKey);
  const team = body.team_id;
  await runMutation(ctx, opts, key, {
    team,
    path: WALLET_PATHS.reclaim,
    body: { ...body },
    requested: amount === 'all' ? undefined : amount,
    allowsNewWallet: false,
    preview: (before) => {
      if (before === undefined) return `${team}: reclaim ${amount === 'all' ? 'all unused funds' : money(amount, undefined)}`;
      const c = before.raw.currency;
      const taken = amount === 'all' ? before.available : amount;
      return `${team}: available ${money(before.available, c)} → ${money(before.available - taken, c)}, returned to ${before.raw.parent_id ?? 'nobody (the organization has no parent)'}`;
    },
    question: (before) => {
      const c = before?.raw.currency;
      const parent = before?.raw.parent_id ?? 'its parent';
      return amount === 'all'
        ? `Reclaim all unused funds of ${team}${before === undefined ? '' : ` (${money(before.available, c)})`} to ${parent}?`
        : `Reclaim ${money(amount, c)} from ${team} to ${parent}?`;
    },
    send: (api, idempotencyKey) => reclaim(api, body, idempotencyKey),
    summary: (_before, result) => {
      const w = result.wallet;
      const moved = result.transaction === null ? 0n : -result.transaction.amount;
      return `reclaimed: ${money(moved, w.currency)} from ${team} · available ${money(w.available, w.currency)}${result.transaction === null ? '' : ` · transaction ${result.transaction.id}`}`;
    },
  });
}
