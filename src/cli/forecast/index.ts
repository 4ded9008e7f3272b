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
        '  $ kt forecast --team search',
        '  $ kt forecast --team search --months-ahead 6 --level 95 --chart',
        '  $ kt forecast --all-teams',
        '  $ kt forecast --team engineering --history 24 --tz Europe/Berlin --format csv > forecast.csv',
        '',
        '',
      ].join('\n'),
    )
    .addOption(new Option('--team <team>', 'the team (with every team below it); default: org'))
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
