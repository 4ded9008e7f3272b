import { Option, type Command } from 'commander';
import type { ActionFactory } from '../action.js';

export function register(program: Command, action: ActionFactory): void {
  const emulator = program
    .command('emulator')
    .description('a local control plane (SQLite) for trying kt, testing cron jobs and CI without the hosted API');

  emulator
    .command('start')
    .description('serve the control-plane API locally until Ctrl-C (needs the optional better-sqlite3)')
    .addHelpText(
      'before',
      [
        'Examples:',
        '  $ kt emulator start                              # demo data, port 8787, prints export lines',
        '  $ kt emulator start > emulator.env & sleep 1; . ./emulator.env   # in a script',
        '  $ kt emulator start --port 0 --db :memory: --seed none --json',
        '  $ kt emulator start --import history.ndjson --reservation-ttl 2s',
        '  $ kt emulator start --dialect product --port 0 --db :memory:   # answer as the product docs show: {"events":[...]}, no cursor',
        '  $ kt emulator start --faults "503 path=/v1/wallets/allocate count=1 commit, drop rate=0.01" --faults-seed 7',
        '',
      ].join('\n'),
    )
    .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on; 0 picks a free one').default('8787'))
    .addOption(new Option('--db <file>', 'SQLite database file, or :memory: (default: emulator.db in the user data directory)'))
    .addOption(new Option('--seed <data>', 'data for a new database (default demo)').choices(['demo', 'none']))
    .addOption(
      new Option('--seed-events <n>', 'auto: the full demo (a year of spend: the last 30 days as raw events, hourly rollups before); N: exactly N requests in the same pattern, all raw events').default('auto'),
    )
    .addOption(new Option('--import <file>', 'load NDJSON events (timestamp, team_id, provider, model, input_tokens, output_tokens, cached, cost)'))
    .addOption(
      new Option('--dialect <dialect>', "response shapes: kt (this tool's API contract) or product (the shapes the product's public docs show)")
        .choices(['kt', 'product'])
        .default('kt'),
    )
    .addOption(new Option('--admin-token <token>', 'admin API token (default: random, printed)'))
    .addOption(new Option('--gateway-token <token>', 'gateway API token for /v1/gateway/* (default: random, printed)'))
    .addOption(new Option('--reservation-ttl <duration>', 'unsettled reservations expire after this, e.g. 2s, 5m').default('5m'))
    .addOption(new Option('--faults <spec>', 'inject faults: rules "429|503|drop|latency=200ms [rate=] [path=] [method=] [skip=] [count=] [commit] [retry-after=]" separated by ","'))
    .addOption(new Option('--faults-seed <n>', 'make the random fault choices repeatable'))
    .addOption(new Option('--json', 'print one JSON line {"url","admin_token","gateway_token","db"} on stdout'))
    .action(action(() => import('./start.js')));
}
