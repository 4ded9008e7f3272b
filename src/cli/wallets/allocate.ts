// kt wallets allocate: sets a team's allocation per period with the product
// document's body {team_id, amount, currency, period} (+ parent_id).
import type { Context } from '../context.js';
import type { Money } from '../../domain/money.js';
import { allocate, WALLET_PATHS, type AllocateBody } from '../../api/wallets.js';
import { isWalletPeriod, periodUnit } from '../../domain/periods.js';
import { parseAmountFlag, parseCurrency, parseIdempotencyKey, parsePeriod, parseTeam } from './options.js';
import { money, runMutation, type MutationFlags } from './mutate.js';

export interface AllocateOptions extends MutationFlags {
  team?: string;
  amount?: string;
  currency?: string;
  period?: string;
  parent?: string;
  name?: string;
  softCap?: string;
  hardCap?: string;
}

export function allocateBody(opts: AllocateOptions): { body: AllocateBody; amount: Money } {
  const team = parseTeam(opts.team);
  const amount = parseAmountFlag(opts.amount);
  const currency = parseCurrency(opts.currency) ?? 'USD';
  const period = parsePeriod(opts.period);
  const body: AllocateBody = { team_id: team, amount, currency, period };
  if (opts.parent !== undefined) body.parent_id = parseTeam(opts.parent, '--parent');
  if (opts.name !== undefined) body.name = opts.name;
  if (opts.softCap !== undefined) body.soft_cap = parseAmountFlag(opts.softCap, '--soft-cap');
  if (opts.hardCap !== undefined) body.hard_cap = parseAmountFlag(opts.hardCap, '--hard-cap');
  return { body, amount };
}

export default async function walletsAllocate(ctx: Context, opts: AllocateOptions): Promise<void> {
  const { body, amount } = allocateBody(opts);
  const key = parseIdempotencyKey(opts.idempotencyKey);
  const team = body.team_id;
  const fmt = (amount: Money): string => money(amount, body.currency);
  const unitOf = (): string => periodUnit(body.period);
  await runMutation(ctx, opts, key, {
    team,
    path: WALLET_PATHS.allocate,
    body: { ...body },
    requested: amount,
    allowsNewWallet: true,
    prepare: (before) => {
      // An existing wallet keeps its period and currency unless the flags say otherwise.
      if (before === undefined) return;
      if (opts.period === undefined && isWalletPeriod(before.raw.period)) body.period = before.raw.period;
      if (opts.currency === undefined) body.currency = before.raw.currency;
    },
    preview: (before) =>
      before === undefined
        ? `${team}: new wallet under ${body.parent_id ?? 'org'}, allocation ${fmt(amount)} per ${unitOf()}`
        : `${team}: allocation ${fmt(before.allocated)} → ${fmt(amount)} per ${unitOf()}${before.allocated === amount ? ' (unchanged)' : ''}`,
    question: () => `Allocate ${fmt(amount)} to ${team} (${body.period})?`,
    send: (api, idempotencyKey) => allocate(api, body, idempotencyKey),
    summary: (_before, result) => {
      const after = result.wallet;
      if (result.transaction === null) return `no change: ${team} is already allocated ${fmt(amount)} per ${unitOf()}`;
      const previous = result.previous_allocated ?? null;
      const from = previous === null ? 'new wallet' : money(previous, after.currency);
      return `allocated: ${team} ${from} → ${money(after.allocated, after.currency)} per ${unitOf()} · available ${money(after.available, after.currency)} · transaction ${result.transaction.id}`;
    },
  });
}
