// kt wallets allocate: sets a team's allocation per period with the product
// document's body {team_id, amount, currency, period} (+ parent_id, name,
// caps). Before asking, it lists every change, refuses what the ledger would
// refuse (a parent short of funds, a wallet moving parent, a period or
// currency that differs) and warns about caps that defeat the allocation.
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { maxMoney, minMoney, type Money, negateMoney, subtractMoney, ZERO } from '../../domain/money.js';
import { allocate, teamIds, walletOfTeam, WALLET_PATHS, type AllocateBody, type Wallet } from '../../api/wallets.js';
import { isWalletPeriod, periodUnit } from '../../domain/periods.js';
import { ORG_TEAM } from '../../domain/teams.js';
import { unknownTeamError } from '../teams.js';
import { parseAmountFlag, parseCurrency, parseIdempotencyKey, parsePeriod, parseTeam } from './options.js';
import { money, moneyPair, parentHint, parentShortMessage, PrecheckRefusal, runMutation, type Before, type MutationFlags } from './mutate.js';

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
  if (body.soft_cap !== undefined && body.hard_cap !== undefined && body.soft_cap > body.hard_cap) {
    const [soft, hard] = moneyPair(body.soft_cap, body.hard_cap, currency);
    throw new UsageError(`--soft-cap ${soft} is above --hard-cap ${hard}: the soft cap warns before the hard cap blocks`, 'pass a soft cap at or below the hard cap');
  }
  return { body, amount };
}

/** `none` for an absent cap. */
const capText = (cap: Money | null | undefined, currency: string): string => (cap === null || cap === undefined ? 'none' : money(cap, currency));

export default async function walletsAllocate(ctx: Context, opts: AllocateOptions): Promise<void> {
  const { body, amount } = allocateBody(opts);
  const key = parseIdempotencyKey(opts.idempotencyKey);
  const team = body.team_id;
  const fmt = (m: Money): string => money(m, body.currency);
  const unit = (): string => periodUnit(body.period);
  /** The parent a new wallet goes under: --parent, else the organization (none for the organization itself). */
  const newParent = (): string | null => body.parent_id ?? (team === ORG_TEAM ? null : ORG_TEAM);

  const parentWallet = (b: Before, parent: string): Wallet => {
    const w = walletOfTeam(b.wallets, parent);
    if (w === undefined) throw unknownTeamError(parent, teamIds(b.wallets), 'parent team');
    return w;
  };
  const caps = (b: Before): Array<[string, Money | null | undefined, Money | undefined]> => [
    ['soft cap', b.wallet?.soft_cap, body.soft_cap],
    ['hard cap', b.wallet?.hard_cap, body.hard_cap],
  ];

  await runMutation(ctx, opts, key, {
    team,
    path: WALLET_PATHS.allocate,
    body: { ...body },
    requested: amount,
    allowsNewWallet: true,
    prepare: (b) => {
      // An existing wallet keeps its period and currency unless the flags say otherwise.
      const w = b.wallet;
      if (w === undefined) return;
      if (opts.period === undefined && w.period !== null && isWalletPeriod(w.period)) body.period = w.period;
      if (opts.currency === undefined && w.currency !== null) body.currency = w.currency;
    },
    precheck: (b) => {
      const w = b.wallet;
      if (w === undefined) {
        const parent = newParent();
        if (parent === null) return;
        const p = parentWallet(b, parent);
        if (p.currency !== null && p.currency !== body.currency) {
          throw new PrecheckRefusal(`${parent} is in ${p.currency}, not ${body.currency}`, `pass --currency ${p.currency}`);
        }
        if (p.unallocated !== null && amount > p.unallocated) {
          throw new PrecheckRefusal(parentShortMessage(parent, amount, p.unallocated, body.currency), parentHint(parent, team, b.wallets));
        }
        return;
      }
      if (body.parent_id !== undefined && w.parent_id !== null && body.parent_id !== w.parent_id) {
        throw new PrecheckRefusal(`${team} already sits under ${w.parent_id}; a wallet cannot move to another parent`, `drop --parent, or use --parent ${w.parent_id}`);
      }
      if (w.currency !== null && w.currency !== body.currency) {
        throw new PrecheckRefusal(`the wallet of ${team} is in ${w.currency}, not ${body.currency}`, `drop --currency, or pass --currency ${w.currency}`);
      }
      if (opts.period !== undefined && w.period !== null && w.period !== body.period) {
        throw new PrecheckRefusal(`the wallet of ${team} is ${w.period}, not ${body.period}`, `drop --period, or pass --period ${w.period}`);
      }
      const delta = w.allocated === null ? null : subtractMoney(amount, w.allocated);
      if (delta !== null && delta > 0n && w.parent_id !== null) {
        const p = walletOfTeam(b.wallets, w.parent_id);
        if (p?.unallocated !== null && p?.unallocated !== undefined && delta > p.unallocated) {
          throw new PrecheckRefusal(parentShortMessage(w.parent_id, delta, p.unallocated, body.currency), parentHint(w.parent_id, team, b.wallets));
        }
      }
      if (delta !== null && delta < 0n && w.available !== null && w.unallocated !== null) {
        const free = minMoney(w.available, w.unallocated);
        if (negateMoney(delta) > free) {
          const [by, only] = moneyPair(negateMoney(delta), maxMoney(free, ZERO), body.currency);
          throw new PrecheckRefusal(
            `cannot lower the allocation of ${team} by ${by}: only ${only} is neither spent, reserved nor allocated to its teams`,
            `kt wallets balance --team ${team} shows what is spent, reserved and available`,
          );
        }
      }
    },
    changes: (b) => {
      const w = b.wallet;
      if (w === undefined) {
        const parent = newParent();
        const lines = [`${team}: new wallet${parent === null ? '' : ` under ${parent}`}, allocation ${fmt(amount)} per ${unit()}`];
        if (body.name !== undefined) lines.push(`${team}: name "${body.name}"`);
        for (const [label, , to] of caps(b)) if (to !== undefined) lines.push(`${team}: ${label} ${fmt(to)}`);
        return lines;
      }
      const lines =
        w.allocated === null
          ? [`${team}: allocation ${fmt(amount)} per ${unit()} (the server did not report the current one)`]
          : [`${team}: allocation ${fmt(w.allocated)} → ${fmt(amount)} per ${unit()}${w.allocated === amount ? ' (unchanged)' : ''}`];
      if (body.name !== undefined && body.name !== w.name) lines.push(`${team}: name "${w.name ?? ''}" → "${body.name}"`);
      for (const [label, from, to] of caps(b)) {
        if (to !== undefined && to !== from) lines.push(`${team}: ${label} ${capText(from, body.currency)} → ${fmt(to)}`);
      }
      return lines;
    },
    warnings: (b) => {
      const out: string[] = [];
      const hard = body.hard_cap ?? b.wallet?.hard_cap ?? null;
      const soft = body.soft_cap ?? b.wallet?.soft_cap ?? null;
      if (hard !== null && amount > hard) {
        const [a, h] = moneyPair(amount, hard, body.currency);
        out.push(`the allocation ${a} is above the hard cap ${h} of ${team}: spend stops at the cap, so ${fmt(subtractMoney(amount, hard))} of it can never be spent`);
      }
      if (soft !== null && hard !== null && soft > hard) {
        const [s, h] = moneyPair(soft, hard, body.currency);
        out.push(`the soft cap ${s} of ${team} is above its hard cap ${h}: the hard cap blocks spend before the soft cap can warn`);
      }
      return out;
    },
    question: (b) => {
      const extras: string[] = [];
      for (const [label, from, to] of caps(b)) if (to !== undefined && to !== from) extras.push(`${label} ${fmt(to)}`);
      if (body.name !== undefined && body.name !== b.wallet?.name) extras.push(`name "${body.name}"`);
      const where = b.wallet === undefined && newParent() !== null ? ` under ${newParent() ?? ''}` : '';
      return `Allocate ${fmt(amount)} to ${team} (${body.period})${where}${extras.length === 0 ? '' : ` and set ${extras.join(', ')}`}?`;
    },
    send: (api, idempotencyKey) => allocate(api, body, idempotencyKey),
    summary: (_b, result) => {
      const after = result.wallet;
      const c = after.currency ?? body.currency;
      if (result.transaction === null) return `no change: ${team} is already allocated ${fmt(amount)} per ${unit()}`;
      const previous = result.previous_allocated ?? null;
      const from = previous === null ? 'new wallet' : money(previous, c);
      const to = after.allocated === null ? fmt(amount) : money(after.allocated, c);
      const available = after.available === null ? '' : ` · available ${money(after.available, c)}`;
      return `allocated: ${team} ${from} → ${to} per ${unit()}${available} · transaction ${result.transaction.id}`;
    },
  });
}
