import { Command } from 'commander';
import type { ActionFactory } from '../action.js';

export function register(program: Command, action: ActionFactory): void {
  const config = program.command('config').description('inspect the effective configuration');
  config
    .command('show')
    .description('print each effective setting and where it came from')
    .option('--json', 'print JSON')
    .addHelpText('before', 'Examples:\n  $ kt config show\n  $ kt config show --json\n  $ KEEPTRUSTS_PROFILE=staging kt config show\n\n')
    .action(action(() => import('./show.js')));
}
