// The command tree. Each group registers its verbs; handlers load lazily.
import type { Command } from 'commander';
import type { ActionFactory } from './action.js';
import { examplesAfterUsage, registerHelp } from './help.js';
import { suggestChoices } from './flags.js';
import { register as registerEvents } from './events/index.js';
import { register as registerWallets } from './wallets/index.js';
import { register as registerForecast } from './forecast/index.js';
import { register as registerSavings } from './savings/index.js';
import { register as registerPolicy } from './policy/index.js';
import { register as registerAuth } from './auth/index.js';
import { register as registerConfig } from './config/index.js';
import { register as registerCompletion } from './completion/index.js';
import { register as registerEmulator } from './emulator/index.js';

// Examples for the group commands (`kt wallets --help`); each verb carries its own.
const GROUP_EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  events: [
    'kt events list --since 30d --format csv --fields team,provider,model,cost,timestamp > monthly-chargeback-$(date +%Y%m).csv',
    'kt events list --team search --since 30d --aggregate daily',
  ],
  wallets: ['kt wallets balance --tree', 'kt wallets allocate --team search --amount 10000 --currency USD --period monthly', 'kt wallets transactions --team search --since 90d', 'kt wallets check --warn-at 80 --fail-at 100'],
  policy: ['kt policy validate policy-config.yaml', 'kt policy lint --file policy-config.yaml --format github', 'kt policy schema > policy.schema.json'],
  auth: ['kt auth login', 'echo "$TOKEN" | kt auth login --with-token', 'kt auth status'],
  config: ['kt config show', 'kt config show --json'],
  emulator: ['kt emulator start', 'kt emulator start --port 0 --db :memory: --json'],
};

export function registerCommands(program: Command, action: ActionFactory): void {
  registerEvents(program, action);
  registerWallets(program, action);
  registerForecast(program, action);
  registerSavings(program, action);
  registerPolicy(program, action);
  registerAuth(program, action);
  registerConfig(program, action);
  registerCompletion(program, action);
  registerEmulator(program, action);
  registerHelp(program);
  for (const command of program.commands) {
    const examples = GROUP_EXAMPLES[command.name()];
    if (examples !== undefined) command.addHelpText('before', `Examples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n\n`);
  }
  examplesAfterUsage(program);
  suggestChoices(program);
}
