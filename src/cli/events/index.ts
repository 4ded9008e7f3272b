import { Option, type Command } from 'commander';
import type { ActionFactory } from '../action.js';
import { addOutputOptions, listChoices } from '../flags.js';
import { GROUP_KEYS } from '../../domain/events.js';
import { BUCKET_PERIODS } from '../../domain/periods.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function register(program: Command, action: ActionFactory): void {
  const events = program.command('events').description('spend events: list, filter, aggregate and export');

  const list = events
    .command('list')
    .description('list spend events, or aggregate them per day, week or month (streams every page)')
    .addHelpText(
      'before',
      [
        'Examples:',
        '  $ kt events list --since 30d --format csv --fields team,provider,model,cost,timestamp > monthly-chargeback-$(date +%Y%m).csv',
        '  $ kt events list --team search --since 24h',
        '  $ kt events list --since 2026-03-01 --until 2026-04-01 --aggregate daily --group-by team --tz Europe/Berlin',
        '  $ kt events list --since 90d --aggregate weekly --chart',
        '  $ kt events list --provider openai --model gpt-4o --limit 20 --json',
        '',
      ].join('\n'),
    )
    .addOption(new Option('--since <when>', 'start (inclusive): a duration back from now (30d, 12h, 6w, 3mo) or an ISO date (default: 7d)'))
    .addOption(new Option('--until <when>', 'end (exclusive): a duration back from now or an ISO date; default now'))
    .addOption(new Option('--team <team>', 'only these teams (repeatable or a comma list)').argParser(collect))
    .addOption(new Option('--provider <provider>', 'only these providers (repeatable or a comma list)').argParser(collect))
    .addOption(new Option('--model <model>', 'only these models (repeatable or a comma list)').argParser(collect))
    .addOption(new Option('--limit <n>', 'at most N rows (default: all)'))
    .addOption(new Option('--aggregate <period>', 'one row per period (and group) instead of one per event').choices(BUCKET_PERIODS))
    .addOption(listChoices(new Option('--group-by <keys>', 'with --aggregate: split buckets by these keys (comma list)'), GROUP_KEYS))
    .addOption(new Option('--tz <zone>', 'IANA time zone for buckets and times, e.g. Europe/Berlin (default UTC)'))
    .addOption(new Option('--chart', 'on a terminal, draw the cost per period as a bar chart (daily unless --aggregate)'));
  addOutputOptions(list, {
    fields:
      'columns, in order: timestamp, team, user, provider, model, input_tokens, output_tokens, cached, cost, currency, request_id, id; ' +
      'aggregated: period_start, team, provider, model, requests, input_tokens, output_tokens, cost; ' +
      'default: all in csv/json, timestamp,team,provider,model,input_tokens,output_tokens,cost in a table',
  });
  list.action(action(() => import('./list.js')));
}
