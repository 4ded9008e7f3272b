import { Command } from 'commander';
import type { ActionFactory } from '../action.js';

export function register(program: Command, action: ActionFactory): void {
  const auth = program.command('auth').description('log in, check and remove stored credentials');
  auth
    .command('login')
    .description('store an API token for the profile after verifying it')
    .option('--with-token', 'read the token from stdin instead of prompting')
    .addHelpText(
      'before',
      'Examples:\n  $ kt auth login\n  $ echo "$TOKEN" | kt auth login --with-token\n  $ kt auth login --profile staging --api-url https://staging.example.com --with-token < token.txt\n\n',
    )
    .action(action(() => import('./login.js')));
  auth
    .command('status')
    .description('show the profile, API URL and who the token belongs to')
    .addHelpText('before', 'Examples:\n  $ kt auth status\n  $ kt auth status --profile staging\n\n')
    .action(action(() => import('./status.js')));
  auth
    .command('logout')
    .description("remove the profile's stored token")
    .addHelpText('before', 'Examples:\n  $ kt auth logout\n  $ kt auth logout --profile staging\n\n')
    .action(action(() => import('./logout.js')));
}
