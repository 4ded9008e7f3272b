// kt wallets transactions: a team's ledger rows, streamed page by page, with
// exact amounts and the running balance (balance_after) the server computed.
import type { Context } from '../context.js';
import { transactionPages, type Transaction } from '../../api/wallets.js';
import { RowPages, selectColumns, writeRows } from '../../output/index.js';
import { rateLine } from '../../output/progress.js';
import { readOutputOptions, type RawOutputOptions } from '../flags.js';
import { parseRange, parseTeam, parseTypes } from './options.js';
import { teamChain } from '../teams.js';
import { TRANSACTION_COLUMNS, TRANSACTION_DEFAULT_FIELDS, TRANSACTION_TABLE_FIELDS, transactionRecord, type TransactionRecord } from './records.js';

export interface TransactionsOptions extends RawOutputOptions {
  team?: string;
  since?: string;
  until?: string;
  type?: string;
}

async function* recordPages(pages: AsyncGenerator<Transaction[], void, undefined>, currency: string): AsyncGenerator<TransactionRecord[]> {
  for await (const page of pages) yield page.map((raw) => transactionRecord(raw, currency));
}

export default async function walletsTransactions(ctx: Context, opts: TransactionsOptions): Promise<void> {
  const team = parseTeam(opts.team);
  const range = parseRange(opts.since, opts.until, ctx.now());
  const types = parseTypes(opts.type);
  const output = readOutputOptions(ctx, opts);
  const columns = selectColumns(TRANSACTION_COLUMNS, output.fields, output.format === 'table' ? TRANSACTION_TABLE_FIELDS : TRANSACTION_DEFAULT_FIELDS);
  const api = await ctx.api();
  // Reading the wallet first turns an unknown team into a clear error (an
  // empty ledger would look like "no transactions") and gives the currency.
  const { wallet } = await teamChain(api, team);
  const currency = wallet.currency ?? 'USD';
  const walletId = wallet.id;
  const pages = transactionPages(api, { teamId: wallet.team_id ?? team, walletId, since: range.since, until: range.until, types });
  await writeRows(ctx, new RowPages(recordPages(pages, currency)), columns, {
    format: output.format,
    header: output.header,
    output: output.output,
    emptyNotice: `no transactions for ${team} since ${range.since}`,
    progress: { waiting: `fetching the ledger of ${team}`, line: (rows, ms) => `${rateLine(rows, ms, 'transactions')}` },
  });
}
