import { Command } from 'commander';
import type { ActionFactory } from '../action.js';

export function register(program: Command, action: ActionFactory): void {
  const auth = program.command('auth').description('log in, check and remove stored credentials');
  auth
    .command('login')
    .description("verify an API token and store it for the profile: in the OS keyring, or a 0600 file where there is none")
    .option('--with-token', 'read the token from stdin instead of prompting (never pass it as an argument)')
    .option('--insecure-storage', 'store the token in the config file (mode 0600) instead of the OS keyring')
    // A token typed after the flags gets kt's own message (it belongs on stdin), not "too many arguments".
    .allowExcessArguments(true)
    .addHelpText(
      'before',
      'Examples:\n  $ kt auth login\n  $ echo "$TOKEN" | kt auth login --with-token\n  $ kt auth login --profile staging --api-url https://staging.example.com --with-token < token.txt\n  $ kt auth login --insecure-storage        # a container or CI runner without a keyring, on purpose\n\n',
    )
    .addHelpText(
      'after',
      [
        '',
        'The token goes to the macOS Keychain, Windows Credential Manager or the Secret',
        'Service (GNOME Keyring, KWallet); the config file records only the API URL and',
        'where the token lives. Without a keyring (no session bus, containers, CI) it',
        'goes to the config file, mode 0600, and kt says so. KEEPTRUSTS_API_TOKEN, when',
        'set, is used before any stored token.',
        '',
      ].join('\n'),
    )
    .action(action(() => import('./login.js')));
  auth
    .command('whoami')
    .alias('status')
    .description('show who the token belongs to (user, organization, role, scope), the profile, the API URL and where the token came from (env, keyring, file)')
    .option('--json', 'print one JSON object: user, organization, role, scope, profile, api_url, token_source')
    .addHelpText('before', 'Examples:\n  $ kt auth whoami\n  $ kt auth status --profile staging\n  $ kt auth whoami --json | jq -r .organization\n\n')
    .action(action(() => import('./status.js')));
  auth
    .command('logout')
    .description("remove the profile's token from wherever it is stored (keyring or config file)")
    .addHelpText('before', 'Examples:\n  $ kt auth logout\n  $ kt auth logout --profile staging\n\n')
    .action(action(() => import('./logout.js')));
}
