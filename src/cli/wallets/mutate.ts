// The one path every ledger change takes: validate → (dry run: print the
// request, stop) → insist on --yes when nobody can answer → read the wallet
// as it is → show before → after → confirm → POST with one idempotency key
// (reused by the client on every retry) → print the wallet as it now is.
import { randomUUID } from 'node:crypto';
import type { Context } from '../context.js';
import type { ApiClient } from '../../api/client.js';
import { walletBalance, type Transaction, type Wallet } from '../../api/wallets.js';
import { ApiError, ExitCode } from '../../errors.js';
import { AmountError, formatMoney, moneyFromJson, type Money } from '../../domain/money.js';
import { stringifyJson } from '../../domain/json.js';
import { selectColumns, writeRows } from '../../output/index.js';
import { withSpinner } from '../../output/spinner.js';
import { readOutputOptions, type RawOutputOptions } from '../flags.js';
import { confirmMutation, requireConfirmable } from '../confirm.js';
import { explainTeamNotFound, WALLET_COLUMNS, WALLET_DEFAULT_FIELDS, WALLET_TABLE_FIELDS, walletRecord, type WalletRecord } from './records.js';

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

export interface MutationPlan {
  team: string;
  path: string;
  body: Record<string, unknown>;
  /** Allocate may create the wallet; credit and reclaim need an existing one. */
  allowsNewWallet: boolean;
  /** The amount asked for, for a refusal message the server left without numbers. */
  requested?: Money | undefined;
  /** Fills defaults from the wallet as it is (e.g. its period) before anything is shown or sent. */
  prepare?(before: WalletRecord | undefined): void;
  /** `search: allocation $8,000.00 → $10,000.00 per month`, shown before asking. */
  preview(before: WalletRecord | undefined): string;
  /** `Allocate $10,000.00 to search (monthly)?` */
  question(before: WalletRecord | undefined): string;
  send(api: ApiClient, idempotencyKey: string): Promise<MutationResult>;
  /** One line on stderr once the server has answered. */
  summary(before: WalletRecord | undefined, result: MutationResult): string;
}

export async function runMutation(ctx: Context, flags: MutationFlags, idempotencyKey: string | undefined, plan: MutationPlan): Promise<void> {
  const output = readOutputOptions(ctx, flags);
  const columns = selectColumns(WALLET_COLUMNS, output.fields, output.format === 'table' ? WALLET_TABLE_FIELDS : WALLET_DEFAULT_FIELDS);

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
  let before: WalletRecord | undefined;
  try {
    before = walletRecord((await walletBalance(api, plan.team)).wallet);
  } catch (error) {
    const notFound = error instanceof ApiError && (error.code === 'team_not_found' || error.status === 404);
    if (!(notFound && plan.allowsNewWallet)) throw explainTeamNotFound(error, plan.team);
  }

  plan.prepare?.(before);
  const preview = plan.preview(before);
  // The preview is what the person is agreeing to: it is shown even with --quiet when a prompt follows.
  if (flags.yes !== true) ctx.io.stderr.write(`${preview}\n`);
  else ctx.log.info(preview);
  await confirmMutation(ctx, plan.question(before), flags.yes);

  const key = idempotencyKey ?? randomUUID();
  ctx.log.debug(`Idempotency-Key: ${key}`);
  let result: MutationResult;
  try {
    result = await withSpinner(ctx, 'waiting for the ledger', () => plan.send(api, key));
  } catch (error) {
    throw explainRefusal(explainTeamNotFound(error, plan.team), key, idempotencyKey !== undefined, plan.requested);
  }
  ctx.log.info(plan.summary(before, result));
  await writeRows(ctx, [walletRecord(result.wallet)], columns, { format: output.format, header: output.header, output: output.output });
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

/** Ledger refusals (exit 5) get the numbers in the message; an idempotency conflict says why. */
export function explainRefusal(error: unknown, key: string, keyGiven: boolean, requestedMoney?: Money): unknown {
  if (!(error instanceof ApiError)) return error;
  const currency = typeof error.details?.currency === 'string' ? error.details.currency : typeof error.details?.wallet_currency === 'string' ? error.details.wallet_currency : 'USD';
  const fmt = (amount: Money): string => formatMoney(amount, currency);
  if (error.code === 'idempotency_conflict') {
    return new ApiError({
      status: error.status,
      code: error.code,
      message: `idempotency key "${key}" was already used for a different request; nothing was changed`,
      requestId: error.requestId,
      details: error.details,
      hint: keyGiven ? 'pass a new --idempotency-key, or repeat the original request exactly' : undefined,
    });
  }
  if (error.exitCode !== ExitCode.refused) return error;
  let message = `refused by the ledger: ${error.message}`;
  let hint = error.hint;
  if (error.code === 'insufficient_parent_funds') {
    const requested = detailMoney(error.details, 'requested');
    const unallocated = detailMoney(error.details, 'parent_unallocated');
    const parent = typeof error.details?.parent_id === 'string' ? error.details.parent_id : 'the parent';
    if (requested !== undefined && unallocated !== undefined) {
      message = `refused by the ledger: requested ${fmt(requested)} but ${parent} has only ${fmt(unallocated)} unallocated`;
    }
    hint ??= `raise ${parent}'s allocation first (kt wallets allocate --team ${parent} …) or reclaim funds from a sibling`;
  } else if (error.code === 'insufficient_funds') {
    const requested = detailMoney(error.details, 'requested') ?? requestedMoney;
    const available = detailMoney(error.details, 'available');
    if (requested !== undefined && available !== undefined) {
      message = `refused by the ledger: requested ${fmt(requested)} but only ${fmt(available)} is available`;
    }
    hint ??= 'check the balance with kt wallets balance --team …';
  } else if (error.code === 'currency_mismatch') {
    hint ??= "pass --currency matching the wallet's and its parent's currency";
  }
  return new ApiError({ status: error.status, code: error.code, message, requestId: error.requestId, details: error.details, hint });
}

/** `$10,000.00` in the wallet's (or the given) currency. */
export function money(amount: Money, currency: string | undefined): string {
  return formatMoney(amount, currency ?? 'USD');
}
