import { Option, type Command } from 'commander';
import type { ActionFactory } from '../action.js';
import { addOutputOptions } from '../flags.js';

export function register(program: Command, action: ActionFactory): void {
  const forecast = program
    .command('forecast')
    .description("monthly spend: actual vs forecast with variance, prediction intervals, this month's projection and cap-crossing dates")
    .addHelpText(
      'before',
      [
        'Examples:',
        '  $ kt forecast',
        '  $ kt forecast --team search',
        '  $ kt forecast --team search --months-ahead 6 --level 95 --chart',
        '  $ kt forecast --all-teams',
        '  $ kt forecast --team engineering --history 24 --tz Europe/Berlin --format csv > forecast.csv',
        '',
        '',
      ].join('\n'),
    )
    .addHelpText(
      'after',
      [
        '',
        "Without --team (or with --team org) the forecast is the whole organisation's spend, from every event,",
        'whatever its wallets are called; the allocation line appears only when the server reports one.',
        "The current month's row, the summary's projections and --all-teams' PROJECTED are one projection:",
        'spend to date plus a weekday-weighted daily run rate, the same figure kt wallets check prints.',
        'Under 14 days of spend history the daily spread is taken as at least 20% of the daily rate, and said.',
        '',
      ].join('\n'),
    )
    .addOption(new Option('--team <team>', 'the team (with every team below it); default: the whole organisation'))
    .addOption(new Option('--all-teams', 'one row per team, sorted by projected overrun of its allocation'))
    .addOption(new Option('--months-ahead <n>', 'months to forecast after the current one (default: 3)'))
    .addOption(new Option('--history <n>', 'full months of history to fit the model on (default: 12)'))
    .addOption(new Option('--level <pct>', 'prediction interval level, a percentage in (0, 100) (default: 80)'))
    .addOption(new Option('--tz <zone>', 'IANA time zone for months and days, e.g. Europe/Berlin (default UTC)'))
    .addOption(new Option('--chart', 'on a terminal, draw history, forecast and interval as a chart'));
  addOutputOptions(forecast, {
    fields:
      'month, kind (actual|projection|forecast), actual, forecast, lower, upper, variance, to_date, soft_cap_date, soft_cap_status, hard_cap_date, hard_cap_status, model (what made the forecast), label, actual_or_to_date, interval; ' +
      'with --all-teams: team, currency, allocated, to_date, projected, lower, upper, interval, overrun, next_month, soft_cap, hard_cap, soft_cap_date, soft_cap_status, hard_cap_date, hard_cap_status, method, model',
  });
  forecast.action(action(() => import('./forecast.js')));
}
