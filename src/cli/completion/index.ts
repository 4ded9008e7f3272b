import type { Command } from 'commander';
import type { ActionFactory } from '../action.js';

export function register(program: Command, action: ActionFactory): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'before',
      [
        'Examples:',
        '  $ kt completion bash > ~/.local/share/bash-completion/completions/kt',
        '  $ source <(kt completion bash)',
        '  $ kt completion zsh > "${fpath[1]}/_kt"',
        '  $ kt completion fish > ~/.config/fish/completions/kt.fish',
        '',
        '',
      ].join('\n'),
    )
    .addHelpText(
      'after',
      '\nTeam ids after --team are completed from the API only when credentials are configured\n(at most ~2 s, silently nothing on failure).\n',
    )
    .action(action(() => import('./completion.js')));

  // Used by the completion scripts; prints one team id per line, or nothing.
  program
    .command('__complete-teams', { hidden: true })
    .description('print team ids for shell completion')
    .action(action(() => import('./teams.js')));

  // Used by `npm run docs` (scripts/gen-docs.mjs): every command path, one per line.
  program
    .command('__commands', { hidden: true })
    .description('print every command path')
    .action(action(() => import('./commands-list.js')));
}
