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
    .command('whoami')
    .alias('status')
    .description('show who the token belongs to (user, organization, role, scope), the profile and the API URL')
    .option('--json', 'print one JSON object: user, organization, role, scope, profile, api_url')
    .addHelpText('before', 'Examples:\n  $ kt auth whoami\n  $ kt auth status --profile staging\n  $ kt auth whoami --json | jq -r .organization\n\n')
    .action(action(() => import('./status.js')));
  auth
    .command('logout')
    .description("remove the profile's stored token")
    .addHelpText('before', 'Examples:\n  $ kt auth logout\n  $ kt auth logout --profile staging\n\n')
    .action(action(() => import('./logout.js')));
}
