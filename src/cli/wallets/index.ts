import { Option, type Command } from 'commander';
import type { ActionFactory } from '../action.js';
import { addOutputOptions, listChoices } from '../flags.js';
import { TRANSACTION_TYPES } from '../../domain/ledger.js';
import { WALLET_PERIODS } from '../../domain/periods.js';

const WALLET_FIELDS =
  'team, name, scope, user, parent, currency, period, allocated, spent, total_allocated, total_spent, reserved, available, soft_cap, hard_cap, status, utilization, utilization_basis, period_start, period_end, unallocated, id';

const SCOPES = ['organization', 'team', 'user'];

/** How the wallet commands read what a server sends: said once, under every command that shows wallets. */
const READING = [
  '',
  'A field the server did not send is empty in CSV, null in JSON and — in a table; nothing is taken as zero.',
  "USED is (spent + reserved) / allocated for this period (kt's contract); where a server reports only",
  "cumulative totals (the product console's Total Allocated and Balance) it is the share of the pool used,",
  '(total allocated − balance) / total allocated, and the utilization_basis column says which.',
  '',
].join('\n');

function examples(lines: string[]): string {
  return ['Examples:', ...lines.map((l) => `  $ ${l}`), '', ''].join('\n');
}

/** --yes, --dry-run and --idempotency-key: every command that changes the ledger has them. */
function addMutationOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)'))
    .addOption(new Option('--dry-run', 'print the request that would be sent (method, path, JSON body) and send nothing'))
    .addOption(new Option('--idempotency-key <key>', 'reuse this key so a retried command applies at most once (default: a new key per run)'));
}

export function register(program: Command, action: ActionFactory): void {
  const wallets = program.command('wallets').description('team wallets: balances, the budget hierarchy, allocations and the ledger');

  const balance = wallets
    .command('balance')
    .description("a team's wallet and its parent chain, or every wallet; --tree draws the hierarchy")
    .addHelpText(
      'before',
      examples([
        'kt wallets balance --team search',
        'kt wallets balance --tree',
        'kt wallets balance --format csv > wallets.csv',
        'kt wallets balance --team search --json --fields team,available,status',
      ]),
    )
    .addHelpText('after', READING)
    .addOption(new Option('--team <team>', 'team id (e.g. search; org is the organization-scope wallet); without it, every wallet'))
    .addOption(listChoices(new Option('--scope <scope>', 'without --team: only wallets of this scope'), SCOPES))
    .addOption(new Option('--tree', 'draw the hierarchy (Organization → Engineering → Search …) with spent, available and bars; table format only'));
  addOutputOptions(balance, { fields: WALLET_FIELDS });
  balance.action(action(() => import('./balance.js')));

  const list = wallets
    .command('list')
    .description('every wallet, one row each (flat); --scope organization|team|user keeps one scope')
    .addHelpText('before', examples(['kt wallets list', 'kt wallets list --scope user', 'kt wallets list --format csv --fields team,scope,allocated,spent,available']))
    .addHelpText('after', READING)
    .addOption(listChoices(new Option('--scope <scope>', 'only wallets of this scope: organization, team or user'), SCOPES));
  addOutputOptions(list, { fields: WALLET_FIELDS });
  list.action(action(() => import('./list.js')));

  const allocate = wallets
    .command('allocate')
    .description("set a team's allocation per period (declarative: the same allocation twice changes nothing); creates the wallet if new")
    .addHelpText(
      'before',
      examples([
        'kt wallets allocate --team org --amount 50000 --yes',
        'kt wallets allocate --team engineering --amount 25000',
        'kt wallets allocate --team search --amount 10000 --currency USD --period monthly --parent engineering',
        'kt wallets allocate --team search --amount 12000 --dry-run',
      ]),
    )
    .addOption(new Option('--team <team>', 'team id; "org" is the organization').makeOptionMandatory())
    .addOption(new Option('--amount <amount>', 'allocation per period in the major unit, a plain decimal such as 10000 or 2500.50').makeOptionMandatory())
    .addOption(new Option('--currency <code>', 'currency code (default USD)'))
    .addOption(new Option('--period <period>', 'budget period (default monthly)').choices(WALLET_PERIODS))
    .addOption(new Option('--parent <team>', 'parent team for a new wallet (default org); an existing wallet keeps its parent'))
    .addOption(new Option('--name <name>', 'display name for a new wallet, e.g. "Search Team"'))
    .addOption(new Option('--soft-cap <amount>', 'warn past this spend per period'))
    .addOption(new Option('--hard-cap <amount>', 'block requests past this spend per period'));
  addMutationOptions(allocate);
  addOutputOptions(allocate, { fields: WALLET_FIELDS });
  allocate.action(action(() => import('./allocate.js')));

  const credit = wallets
    .command('credit')
    .description("add one-off funds to a team's wallet for the current period (carved from its parent's unallocated budget)")
    .addHelpText('before', examples(['kt wallets credit --team search --amount 500', 'kt wallets credit --team org --amount 10000 --yes']))
    .addOption(new Option('--team <team>', 'team id; "org" is the organization').makeOptionMandatory())
    .addOption(new Option('--amount <amount>', 'amount in the major unit, a plain decimal such as 500 or 12.75').makeOptionMandatory())
    .addOption(new Option('--currency <code>', "currency code (default: the wallet's)"));
  addMutationOptions(credit);
  addOutputOptions(credit, { fields: WALLET_FIELDS });
  credit.action(action(() => import('./credit.js')));

  const reclaim = wallets
    .command('reclaim')
    .description("return a team's unused current-period funds to its parent")
    .addHelpText('before', examples(['kt wallets reclaim --team search --amount 500', 'kt wallets reclaim --team search --all --yes']))
    .addOption(new Option('--team <team>', 'team id').makeOptionMandatory())
    .addOption(new Option('--amount <amount>', 'amount in the major unit, a plain decimal').conflicts('all'))
    .addOption(new Option('--all', "everything the team has available this period"));
  addMutationOptions(reclaim);
  addOutputOptions(reclaim, { fields: WALLET_FIELDS });
  reclaim.action(action(() => import('./reclaim.js')));

  const check = wallets
    .command('check')
    .description('budget alerts for cron: wallets at or past --warn-at, exit 3 when one reaches --fail-at or falls under --min-balance')
    .addHelpText(
      'before',
      examples([
        'kt wallets check',
        'kt wallets check --warn-at 75 --fail-at 95 --format csv',
        'kt wallets check --min-balance 100',
        'kt wallets check --team search --json',
        '*/30 * * * * kt wallets check --quiet --webhook "$SLACK_WEBHOOK_URL" || echo "budget alert (exit $?)"',
      ]),
    )
    .addHelpText(
      'after',
      [
        '',
        'Levels are percentages of the allocation (or, for a server with only cumulative totals, of the total',
        'allocated: the share of the pool used). A wallet at or past its soft cap is at least at the warn level,',
        'at or past its hard cap, or under --min-balance (the low-balance alert), at the fail level.',
        '--min-balance alone checks balances only; add --warn-at/--fail-at to check both.',
        'A wallet whose figures cannot answer a threshold is listed at level "unknown" and named on stderr.',
        'PROJECTED is the period-end spend from the events, the same figure kt forecast prints.',
        'Exit status: 0 no wallet at the fail level, 3 some wallet at it, 1 no wallet could be checked at all',
        '(or the --webhook post failed).',
        '',
      ].join('\n'),
    )
    .addOption(new Option('--team <team>', "only this team's wallet (org: the organization's)"))
    .addOption(listChoices(new Option('--scope <scope>', 'only wallets of this scope'), SCOPES))
    .addOption(new Option('--warn-at <pct>', 'list wallets at or past this percentage of their allocation (default 80)'))
    .addOption(new Option('--fail-at <pct>', 'exit 3 when a wallet is at or past this percentage (default 100)'))
    .addOption(new Option('--min-balance <amount>', 'exit 3 when a balance (available) is below this amount, e.g. 100'))
    .addOption(new Option('--webhook <url>', 'POST one JSON message (Slack-compatible text plus the rows) when a wallet is past a threshold, or none could be checked'));
  addOutputOptions(check, {
    fields: 'team, name, scope, user, level (warn|fail|unknown), utilization, utilization_basis, allocated, spent, total_allocated, total_spent, available, soft_cap, hard_cap, projected, reason, currency, period_end',
  });
  check.action(action(() => import('./check.js')));

  const transactions = wallets
    .command('transactions')
    .description("a team's ledger rows with a running balance (streams every page)")
    .addHelpText(
      'before',
      examples([
        'kt wallets transactions --team search --since 90d',
        'kt wallets transactions --team search --type allocate,credit,reclaim --format csv',
        'kt wallets transactions --team search --since 2026-03-01 --until 2026-04-01 --ndjson',
      ].map((l) => l.replace('--ndjson', '--format ndjson'))),
    )
    .addOption(new Option('--team <team>', 'team id').makeOptionMandatory())
    .addOption(new Option('--since <when>', 'start (inclusive): a duration back from now (90d, 12h, 6w, 3mo) or an ISO date').default(undefined, '90d'))
    .addOption(new Option('--until <when>', 'end (exclusive): a duration back from now or an ISO date; default now'))
    .addOption(listChoices(new Option('--type <types>', 'only these types (comma list)'), TRANSACTION_TYPES));
  addOutputOptions(transactions, {
    fields: 'id, created_at, team, type, amount, balance_after, reservation_id, event_id, wallet_id',
  });
  transactions.action(action(() => import('./transactions.js')));
}
