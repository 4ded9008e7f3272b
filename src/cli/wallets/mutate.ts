// The one path every ledger change takes: validate → (dry run: print the
// request, stop) → insist on --yes when nobody can answer → read the wallets
// as they are → refuse what the ledger's rules already refuse (nothing is
// asked, nothing sent) → list every change, warn about what will not work as
// meant → confirm → POST with one idempotency key (reused by the client on
// every retry) → print the wallet as it now is.
import { randomUUID } from 'node:crypto';
import type { Context } from '../context.js';
import type { ApiClient } from '../../api/client.js';
import { listWallets, teamIds, walletOfTeam, type Transaction, type Wallet } from '../../api/wallets.js';
import { ApiError, ExitCode, KtError } from '../../errors.js';
import { AmountError, formatMoney, formatMoneyPair, moneyFromJson, type Money } from '../../domain/money.js';
import { stringifyJson } from '../../domain/json.js';
import { selectColumns, writeRows } from '../../output/index.js';
import { withSpinner } from '../../output/spinner.js';
import { readOutputOptions, type RawOutputOptions } from '../flags.js';
import { confirmMutation, requireConfirmable } from '../confirm.js';
import { mayBeUnknownTeam, unknownTeamError } from '../teams.js';
import { WALLET_COLUMNS, WALLET_DEFAULT_FIELDS, walletRecord, walletTableFields } from './records.js';

export interface MutationFlags extends RawOutputOptions {
  yes?: boolean;
  dryRun?: boolean;
  idempotencyKey?: string;
}

export interface MutationResult {
  wallet: Wallet;
  transaction: Transaction | null;
  previous_allocated?: Money | null;
}

/** The wallets as they are before the change. */
export interface Before {
  /** The team's wallet; undefined for a wallet allocate is about to create. */
  wallet: Wallet | undefined;
  /** Every wallet, for the parent and the other teams under it. */
  wallets: readonly Wallet[];
}

export interface MutationPlan {
  team: string;
  path: string;
  body: Record<string, unknown>;
  /** Allocate may create the wallet; credit and reclaim need an existing one. */
  allowsNewWallet: boolean;
  /** The amount asked for, for a refusal message the server left without numbers. */
  requested?: Money | undefined;
  /** Fills defaults from the wallet as it is (e.g. its period) before anything is shown or sent. */
  prepare?(before: Before): void;
  /** Throws what the ledger would refuse, known from the wallets as they are (exit 5), before anything is asked. */
  precheck?(before: Before): void;
  /** Every change the request makes, one line each: `search: allocation $8,000.00 → $10,000.00 per month`. */
  changes(before: Before): string[];
  /** What will not work as the person may mean it, one line each. */
  warnings?(before: Before): string[];
  /** `Allocate $10,000.00 to search (monthly)?` */
  question(before: Before): string;
  send(api: ApiClient, idempotencyKey: string): Promise<MutationResult>;
  /** One line on stderr once the server has answered. */
  summary(before: Before, result: MutationResult): string;
}

export async function runMutation(ctx: Context, flags: MutationFlags, idempotencyKey: string | undefined, plan: MutationPlan): Promise<void> {
  const output = readOutputOptions(ctx, flags);
  const chosen = output.fields === undefined ? undefined : selectColumns(WALLET_COLUMNS, output.fields, WALLET_DEFAULT_FIELDS);

  if (flags.dryRun === true) {
    const lines = [`POST ${plan.path}`];
    if (idempotencyKey !== undefined) lines.push(`Idempotency-Key: ${idempotencyKey}`);
    lines.push(stringifyJson(plan.body, { moneyDecimals: 0, indent: 2 }));
    ctx.io.stdout.write(`${lines.join('\n')}\n`);
    ctx.log.info('dry run: nothing was sent');
    return;
  }

  requireConfirmable(ctx, flags.yes);
  const api = await ctx.api();
  const wallets = await withSpinner(ctx, 'reading the wallets', () => listWallets(api));
  const before: Before = { wallet: walletOfTeam(wallets, plan.team), wallets };
  if (before.wallet === undefined && !plan.allowsNewWallet) throw unknownTeamError(plan.team, teamIds(wallets));

  plan.prepare?.(before);
  plan.precheck?.(before);
  // What the person is agreeing to is shown even with --quiet when a prompt follows.
  const say = (line: string): void => {
    if (flags.yes !== true) ctx.io.stderr.write(`${line}\n`);
    else ctx.log.info(line);
  };
  for (const line of plan.changes(before)) say(line);
  for (const line of plan.warnings?.(before) ?? []) ctx.log.warn(line);
  await confirmMutation(ctx, plan.question(before), flags.yes);

  const key = idempotencyKey ?? randomUUID();
  ctx.log.debug(`Idempotency-Key: ${key}`);
  let result: MutationResult;
  try {
    result = await withSpinner(ctx, 'waiting for the ledger', () => plan.send(api, key));
  } catch (error) {
    throw explainRefusal(error, { key, keyGiven: idempotencyKey !== undefined, team: plan.team, requested: plan.requested, wallets });
  }
  ctx.log.info(plan.summary(before, result));
  const rows = [walletRecord(result.wallet)];
  const columns = chosen ?? selectColumns(WALLET_COLUMNS, undefined, output.format === 'table' ? walletTableFields(rows) : WALLET_DEFAULT_FIELDS);
  await writeRows(ctx, rows, columns, { format: output.format, header: output.header, output: output.output });
}

function detailMoney(details: Record<string, unknown> | undefined, key: string): Money | undefined {
  const value = details?.[key];
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  try {
    return moneyFromJson(value);
  } catch (error) {
    if (error instanceof AmountError) return undefined;
    throw error;
  }
}

/** Two amounts as a person compares them; see formatMoneyPair. */
export function moneyPair(a: Money, b: Money, currency: string): [string, string] {
  return formatMoneyPair(a, b, currency);
}

/** Where the parent's funds can come from: its own parent, or the other teams under it. */
export function parentHint(parent: string, team: string, wallets: readonly Wallet[]): string {
  const others = wallets.filter((w) => w.parent_id === parent && w.team_id !== team && w.scope !== 'user');
  const raise = `raise the allocation of ${parent} first (kt wallets allocate --team ${parent} --amount N)`;
  if (others.length === 0) return raise;
  return `${raise}, or reclaim unused funds from another team under ${parent} (kt wallets reclaim --team ${others[0]?.team_id ?? 'T'} --amount N)`;
}

/** The parent cannot give `requested`: the same words whether kt or the ledger found it. */
export function parentShortMessage(parent: string, requested: Money, unallocated: Money, currency: string): string {
  const [r, u] = moneyPair(requested, unallocated, currency);
  return `requested ${r} but ${parent} has only ${u} unallocated`;
}

/** A refusal kt found from the wallets as they are, before asking: exit 5 like the ledger's, with nothing sent. */
export class PrecheckRefusal extends KtError {
  constructor(message: string, hint?: string) {
    super(`refused: ${message} (nothing was sent)`, ExitCode.refused, hint);
  }
}

interface RefusalContext {
  key: string;
  keyGiven: boolean;
  team: string;
  requested?: Money | undefined;
  wallets: readonly Wallet[];
}

/**
 * Ledger refusals (exit 5) get the numbers in the message as money, and a
 * hint that fits; an idempotency conflict says why; a 404 for a team is the
 * unknown-team message, for the parent when it was the parent.
 */
export function explainRefusal(error: unknown, c: RefusalContext): unknown {
  if (!(error instanceof ApiError)) return error;
  if (mayBeUnknownTeam(error)) {
    const named = typeof error.details?.team_id === 'string' ? error.details.team_id : c.team;
    if (walletOfTeam(c.wallets, named) === undefined) return unknownTeamError(named, teamIds(c.wallets), named === c.team ? 'team' : 'parent team');
    return error;
  }
  const currency = typeof error.details?.currency === 'string' ? error.details.currency : typeof error.details?.wallet_currency === 'string' ? error.details.wallet_currency : 'USD';
  if (error.code === 'idempotency_conflict') {
    return new ApiError({
      status: error.status,
      code: error.code,
      message: `idempotency key "${c.key}" was already used for a different request; nothing was changed`,
      requestId: error.requestId,
      details: error.details,
      hint: c.keyGiven ? 'pass a new --idempotency-key, or repeat the original request exactly' : undefined,
    });
  }
  if (error.exitCode !== ExitCode.refused) return error;
  let message = `refused by the ledger: ${error.message}`;
  let hint = error.hint;
  const balanceHint = `kt wallets balance --team ${c.team} shows what is spent, reserved and available`;
  if (error.code === 'insufficient_parent_funds') {
    const requested = detailMoney(error.details, 'requested');
    const unallocated = detailMoney(error.details, 'parent_unallocated');
    const parent = typeof error.details?.parent_id === 'string' ? error.details.parent_id : 'the parent';
    if (requested !== undefined && unallocated !== undefined) message = `refused by the ledger: ${parentShortMessage(parent, requested, unallocated, currency)}`;
    hint ??= parentHint(parent, c.team, c.wallets);
  } else if (error.code === 'insufficient_funds') {
    const requested = detailMoney(error.details, 'requested') ?? c.requested;
    const returnable = detailMoney(error.details, 'returnable');
    const available = detailMoney(error.details, 'available');
    if (requested !== undefined && returnable !== undefined) {
      const [r, f] = moneyPair(requested, returnable, currency);
      message = `refused by the ledger: cannot lower the allocation of ${c.team} by ${r}: only ${f} is neither spent, reserved nor allocated to its teams`;
    } else if (requested !== undefined && available !== undefined) {
      const [r, a] = moneyPair(requested, available, currency);
      message = `refused by the ledger: requested ${r} but only ${a} is available`;
    }
    hint ??= balanceHint;
  } else if (error.code === 'currency_mismatch') {
    hint ??= "pass --currency matching the wallet's and its parent's currency";
  }
  return new ApiError({ status: error.status, code: error.code, message, requestId: error.requestId, details: error.details, hint });
}

/** `$10,000.00` in the wallet's (or the given) currency. */
export function money(amount: Money, currency: string | null | undefined): string {
  return formatMoney(amount, currency ?? 'USD');
}
