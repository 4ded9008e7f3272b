import { Option, type Command } from 'commander';
import type { ActionFactory } from '../action.js';
import { addOutputOptions, listChoices, LOCAL_DATES_HELP, OUTPUT_HELP } from '../flags.js';
import { FORMATS } from '../../output/index.js';
import { EVENT_FIELD_NAMES, GROUP_KEYS, VERDICTS } from '../../domain/events.js';
import { BUCKET_PERIODS } from '../../domain/periods.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function register(program: Command, action: ActionFactory): void {
  const events = program.command('events').description('spend events: list, filter, aggregate, export, and find anomalies');

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
        '  $ kt events list --since 2026-03-01 --until 2026-04-01 --schema focus -o focus-2026-03.parquet',
        '',
      ].join('\n'),
    )
    .addOption(new Option('--since <when>', `start (inclusive): a duration back from now (30d, 12h, 6w, 3mo) or an ISO date; ${LOCAL_DATES_HELP} (default: 7d)`))
    .addOption(new Option('--until <when>', 'end (exclusive): a duration back from now or an ISO date; default now'))
    .addOption(new Option('--team <team>', 'only these teams (repeatable or a comma list)').argParser(collect))
    .addOption(new Option('--provider <provider>', 'only these providers (repeatable or a comma list)').argParser(collect))
    .addOption(new Option('--model <model>', 'only these models (repeatable or a comma list)').argParser(collect))
    .addOption(verdictOption())
    .addOption(new Option('--limit <n>', 'at most N rows (default: all)'))
    .addOption(new Option('--aggregate <period>', 'one row per period (and group) instead of one per event').choices(BUCKET_PERIODS))
    .addOption(listChoices(new Option('--group-by <keys>', 'with --aggregate: split buckets by these keys (comma list)'), GROUP_KEYS))
    .addOption(new Option('--tz <zone>', 'IANA time zone for buckets, times and the dates in --since/--until, e.g. Europe/Berlin (default UTC)'))
    .addOption(new Option('--chart', 'on a terminal, draw the cost per period as a bar chart (daily unless --aggregate)'));
  addExportOptions(list);
  addOutputOptions(list, {
    formats: [...FORMATS, 'parquet'],
    fields:
      `columns, in order: ${EVENT_FIELD_NAMES.join(', ')}; ` +
      'aggregated: period_start, team, provider, model, requests, input_tokens, output_tokens, cost; ' +
      'default: timestamp … id (not verdict, reason_code, event_type, config_version) in csv/json, timestamp,team,provider,model,input_tokens,output_tokens,cost in a table',
  });
  list.action(action(() => import('./list.js')));

  const tail = events
    .command('tail')
    .description('the most recent events, oldest first; --follow prints new ones as they arrive')
    .addHelpText(
      'before',
      [
        'Examples:',
        '  $ kt events tail',
        '  $ kt events tail --since 1h --verdict block',
        '  $ kt events tail --limit 10 --json',
        '  $ kt events tail --follow --team search',
        '',
      ].join('\n'),
    )
    .addOption(new Option('--since <when>', `how far back to look: a duration (5m, 1h, 24h, 7d) or an ISO date; ${LOCAL_DATES_HELP} (default: 24h)`))
    .addOption(verdictOption())
    .addOption(new Option('--limit <n>', `the last N events (default: 50)`))
    .addOption(new Option('--team <team>', 'only these teams (repeatable or a comma list)').argParser(collect))
    .addOption(new Option('--provider <provider>', 'only these providers (repeatable or a comma list)').argParser(collect))
    .addOption(new Option('--model <model>', 'only these models (repeatable or a comma list)').argParser(collect))
    .addOption(new Option('--tz <zone>', 'IANA time zone for times and the dates in --since, e.g. Europe/Berlin (default UTC)'))
    .addOption(new Option('-f, --follow', 'keep polling and print new events until Ctrl-C (JSON becomes one object per line)'))
    .addOption(new Option('--interval <duration>', 'with --follow: how often to poll (default: 2s)'));
  addOutputOptions(tail, {
    fields: `columns: ${EVENT_FIELD_NAMES.join(', ')}; default: timestamp,id,verdict,reason_code in a table, all in csv/json`,
  });
  tail.action(action(() => import('./tail.js')));

  const exp = events
    .command('export')
    .description('every event of a range as JSON (default), CSV, NDJSON or Parquet, to stdout, a file or an incremental dataset')
    .addHelpText(
      'before',
      [
        'Examples:',
        '  $ kt events export --since 24h > events.json',
        '  $ kt events export --since 2026-03-01 --until 2026-04-01 --tz Europe/Berlin -o march.csv',
        '  $ kt events export --since 7d --verdict block --format csv',
        '  $ kt events export --since 2026-03-01 --until 2026-04-01 --format parquet --schema focus -o focus-2026-03.parquet',
        '  $ kt events export --dataset /data/kt-events --since 2026-01-01 --format parquet   # nightly: resumes at the watermark',
        '',
      ].join('\n'),
    )
    .addOption(new Option('--since <when>', `start (inclusive): a duration back from now or an ISO date; ${LOCAL_DATES_HELP} (default: 24h)`))
    .addOption(new Option('--until <when>', 'end (exclusive): a duration back from now or an ISO date (default: now)'))
    .addOption(new Option('--format <format>', 'json (default), csv, ndjson or parquet; default from the -o extension').choices(['json', 'csv', 'ndjson', 'parquet']))
    .addOption(new Option('--json', 'shorthand for --format json'))
    .addOption(new Option('-o, --output <file>', OUTPUT_HELP))
    .addOption(new Option('--fields <list>', `comma-separated columns, in order: ${EVENT_FIELD_NAMES.join(', ')}; default: all`))
    .addOption(new Option('--no-header', 'omit the CSV header row'))
    .addOption(verdictOption())
    .addOption(new Option('--team <team>', 'only these teams (repeatable or a comma list)').argParser(collect))
    .addOption(new Option('--provider <provider>', 'only these providers (repeatable or a comma list)').argParser(collect))
    .addOption(new Option('--model <model>', 'only these models (repeatable or a comma list)').argParser(collect))
    .addOption(new Option('--limit <n>', 'at most N events (default: all)'))
    .addOption(new Option('--tz <zone>', 'IANA time zone for times and the dates in --since/--until (default UTC)'));
  addExportOptions(exp);
  exp.action(action(() => import('./export.js')));

  registerAnomalies(events, action);
}

function registerAnomalies(events: Command, action: ActionFactory): void {
  const anomalies = events
    .command('anomalies')
    .description('days a group spent far more (or less) than the days before it expected; exit 3 on a new one, for cron')
    .addHelpText(
      'before',
      [
        'Examples:',
        '  $ kt events anomalies',
        '  $ kt events anomalies --since 90d --group-by team,model --chart',
        '  $ kt events anomalies --team search --level 99.9 --min-cost 20 --tz Europe/Berlin',
        '  $ kt events anomalies --state ~/.local/state/kt-anomalies.json --webhook "$SLACK_WEBHOOK_URL"   # hourly cron line',
        '',
      ].join('\n'),
    )
    .addHelpText(
      'after',
      [
        '',
        'Each day is judged on the days before it only (weekday-aware, robust to past anomalies);',
        'kt fetches 70 days of history before --since. A running day (today) is a spike only once it',
        'already exceeds a whole day\'s interval, and never a drop. See docs/anomalies.md.',
        'Exit status: 3 when a new anomaly is found (not yet in --state; without --state, any), else 0.',
        '',
      ].join('\n'),
    )
    .addOption(new Option('--since <when>', 'first day judged: a duration back from now (30d, 6w) or an ISO date (default: 30d)'))
    .addOption(new Option('--until <when>', 'end (exclusive): a duration back from now or an ISO date; default now'))
    .addOption(new Option('--team <team>', 'only these teams (repeatable or a comma list)').argParser(collect))
    .addOption(listChoices(new Option('--group-by <keys>', 'judge each group apart: a comma list of keys (default: team)'), GROUP_KEYS))
    .addOption(new Option('--level <percent>', 'interval level: a day outside it is an anomaly (default: 99)'))
    .addOption(new Option('--min-cost <amount>', 'ignore days whose actual and expected spend are both below this (default: 1)'))
    .addOption(new Option('--tz <zone>', 'IANA time zone of the days, e.g. Europe/Berlin (default UTC)'))
    .addOption(new Option('--state <file>', 'remember what was reported in FILE (written atomically): later runs report only new anomalies, and resolutions'))
    .addOption(new Option('--webhook <url>', 'POST new anomalies (and resolutions) as a Slack-compatible message; retried like API calls'))
    .addOption(new Option('--chart', "on a terminal, draw each flagged group's daily spend with its interval and the anomalies marked"));
  addOutputOptions(anomalies, {
    fields:
      'columns: date, day, team, provider, model (the --group-by keys), actual, expected, lower, upper, direction, flag, score, requests, kind, partial; ' +
      'default: day,<keys>,actual,expected,lower,upper,flag,score,requests in a table, date,<keys>,actual,expected,lower,upper,direction,score,requests,kind,partial in csv/json',
  });
  anomalies.action(action(() => import('./anomalies.js')));
}

/** --schema, --prices, --dataset and --lag (docs/exports.md). */
function addExportOptions(cmd: Command): void {
  cmd
    .addOption(new Option('--schema <schema>', 'columns: kt (default) or focus (FinOps FOCUS 1.2 cost and usage rows)').choices(['kt', 'focus']))
    .addOption(new Option('--prices <file>', 'with --schema focus: YAML or JSON list prices per 1M tokens over the built-in catalogue'))
    .addOption(new Option('--dataset <dir>', 'incremental export into a Hive-partitioned dataset DIR/date=YYYY-MM-DD/part-N.ext with _manifest.json; each run resumes at the watermark'))
    .addOption(new Option('--lag <duration>', 'with --dataset: stop this far before now, for events still arriving (default 5m; 0s allowed)'));
}

function verdictOption(): Option {
  return new Option('--verdict <verdict>', `only events with this policy decision: ${VERDICTS.join(', ')}, or the product's words (allowed, blocked, pass, modified, …) (repeatable or a comma list)`).argParser(collect);
}
