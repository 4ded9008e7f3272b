import { Option, type Command } from 'commander';
import type { ActionFactory } from '../action.js';
import { addOutputOptions, LOCAL_DATES_HELP } from '../flags.js';

export function register(program: Command, action: ActionFactory): void {
  const savings = program
    .command('savings')
    .description("what model routing, caching, spend caps and a model allowlist would have saved, from your own events (the product document's ROI summary)")
    .addHelpText(
      'before',
      [
        'Examples:',
        '  $ kt savings',
        '  $ kt savings --since 2026-03-01 --until 2026-04-01 --group-by team',
        '  $ kt savings --policy policy-config.yaml --prices prices.yaml --format csv > savings.csv',
        '  $ kt savings --team search --json',
        '  $ kt savings --recommend --since 90d',
        '  $ kt savings --recommend --emit-policy proposed-caps.yaml && kt policy validate proposed-caps.yaml',
        '',
        '',
      ].join('\n'),
    )
    .addHelpText(
      'after',
      [
        '',
        'Rules (docs/savings.md): routing re-prices charged events on a cost-priority group model at its',
        "priority-1 model when the output fits its max_tokens; caps replay each team's spend per period against",
        'its hard cap; the allowlist moves other models to the cheapest allowed one. These rows are potential',
        "savings: cost before is the range's recorded spend, and the total counts each event once (allowlist,",
        'then routing, then caps). Caching is delivered: what cache hits already saved, priced at list prices,',
        'as a share of what the range would have cost without them; never added to the total.',
        '--recommend: soft caps at 80% of each team\'s spend in the last full calendar month (fetched from the',
        "aggregates when the range does not hold it), hard caps at the team's allocation.",
        '',
      ].join('\n'),
    )
    .addOption(new Option('--since <when>', `start (inclusive): a duration back from now (30d, 12h, 6w, 3mo) or an ISO date; ${LOCAL_DATES_HELP}`).default(undefined, '30d'))
    .addOption(new Option('--until <when>', 'end (exclusive): a duration back from now or an ISO date; default now'))
    .addOption(new Option('--tz <zone>', 'IANA time zone the dates in --since/--until are read in, e.g. America/Los_Angeles (default UTC)'))
    .addOption(new Option('--team <teams>', 'only these teams (comma list)'))
    .addOption(new Option('--policy <file>', "a policy-config.yaml: its cost-priority model_groups, spend_controls and model_allowlist replace the document's routing group and the wallets' caps"))
    .addOption(new Option('--prices <file>', 'YAML or JSON prices per 1M tokens that add to or override the built-in matrix, e.g. {gpt-4o: {input: 2.5, output: 10}}'))
    .addOption(new Option('--group-by <key>', 'one set of rows per team').choices(['team']))
    .addOption(new Option('--recommend', 'the top 3 teams by spend with their model mix and proposed spend caps'))
    .addOption(new Option('--emit-policy <file>', 'with --recommend: write the proposed spend_controls as a policy file (atomically)'))
    .addOption(new Option('--force', 'with --emit-policy: replace an existing file'));
  addOutputOptions(savings, {
    fields:
      'team, optimization, kind, requests, cost_before, cost_after, savings, savings_pct, hit_rate, soft_cap_crossed_at; ' +
      'with --recommend: rank, team, team_spend, team_requests, model, requests, request_share, cost, cost_share, last_full_month, last_full_month_spend, soft_cap, hard_cap, note',
  });
  savings.action(action(() => import('./savings.js')));
}
