// kt wallets reclaim: return unused current-period funds to the parent. What
// the wallet can give back (neither spent, reserved nor allocated to its
// teams) is checked before asking when the server says it.
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { maxMoney, minMoney, type Money, negateMoney, subtractMoney, ZERO } from '../../domain/money.js';
import { reclaim, WALLET_PATHS, type ReclaimBody, type Wallet } from '../../api/wallets.js';
import { parseAmountFlag, parseIdempotencyKey, parseTeam } from './options.js';
import { money, moneyPair, PrecheckRefusal, runMutation, type MutationFlags } from './mutate.js';

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

/** What a wallet can give back: the smaller of available and unallocated; null when the server does not say. */
function returnable(w: Wallet): Money | null {
  if (w.available === null) return null;
  const free = w.unallocated === null ? w.available : minMoney(w.available, w.unallocated);
  return maxMoney(free, ZERO);
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
    precheck: (b) => {
      const w = b.wallet;
      if (w === undefined) return;
      if (w.scope === 'organization') {
        throw new UsageError(`${team} is the organization's wallet: it has no parent to return funds to`, 'reclaim from a team instead, e.g. kt wallets reclaim --team search --all');
      }
      const free = returnable(w);
      if (free === null) return;
      const c = w.currency ?? 'USD';
      if (amount === 'all' ? free === 0n : amount > free) {
        const asked = amount === 'all' ? 'all unused funds' : moneyPair(amount, free, c)[0];
        throw new PrecheckRefusal(`cannot reclaim ${asked} from ${team}: only ${moneyPair(amount === 'all' ? ZERO : amount, free, c)[1]} is unused this period`, `kt wallets balance --team ${team} shows what is spent, reserved and available`);
      }
    },
    changes: (b) => {
      const w = b.wallet;
      if (w === undefined || w.available === null) return [`${team}: reclaim ${amount === 'all' ? 'all unused funds' : money(amount, w?.currency)}`];
      const c = w.currency;
      const taken = amount === 'all' ? (returnable(w) ?? ZERO) : amount;
      return [`${team}: available ${money(w.available, c)} → ${money(subtractMoney(w.available, taken), c)}, returned to ${w.parent_id ?? 'its parent'}`];
    },
    question: (b) => {
      const w = b.wallet;
      const c = w?.currency;
      const parent = w?.parent_id ?? 'its parent';
      const free = w === undefined ? null : returnable(w);
      return amount === 'all'
        ? `Reclaim all unused funds of ${team}${free === null ? '' : ` (${money(free, c)})`} to ${parent}?`
        : `Reclaim ${money(amount, c)} from ${team} to ${parent}?`;
    },
    send: (api, idempotencyKey) => reclaim(api, body, idempotencyKey),
    summary: (_b, result) => {
      const w = result.wallet;
      const moved = result.transaction === null ? ZERO : negateMoney(result.transaction.amount);
      const parts = [`reclaimed: ${money(moved, w.currency)} from ${team}`];
      if (w.available !== null) parts.push(`available ${money(w.available, w.currency)}`);
      if (result.transaction !== null) parts.push(`transaction ${result.transaction.id}`);
      return parts.join(' · ');
    },
  });
}
