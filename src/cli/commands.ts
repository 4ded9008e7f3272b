// The command tree. Each group registers its verbs; handlers load lazily.
import type { Command } from 'commander';
import type { ActionFactory } from './main.js';
import { registerHelp } from './help.js';
import { register as registerEvents } from './events/index.js';
import { register as registerWallets } from './wallets/index.js';
import { register as registerForecast } from './forecast/index.js';
import { register as registerPolicy } from './policy/index.js';
import { register as registerAuth } from './auth/index.js';
import { register as registerConfig } from './config/index.js';
import { register as registerCompletion } from './completion/index.js';
import { register as registerEmulator } from './emulator/index.js';

export function registerCommands(program: Command, action: ActionFactory): void {
  registerEvents(program, action);
  registerWallets(program, action);
  registerForecast(program, action);
  registerPolicy(program, action);
  registerAuth(program, action);
  registerConfig(program, action);
  registerCompletion(program, action);
  registerEmulator(program, action);
  registerHelp(program);
}
