// `kt help [topic|command…]`: help topics that are not commands, and help for
// any command path.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

export const HELP_TOPICS: Readonly<Record<string, { summary: string; text: string }>> = {
  'exit-codes': {
    summary: 'what each exit status means',
    text: `Exit codes

  0    success
  1    failure: network error, server error (5xx), unknown team, I/O error
  2    usage error or invalid input: unknown command or flag, bad flag value,
       invalid amount or date, invalid policy file (kt policy validate)
  3    a budget threshold was crossed: kt wallets check found a wallet at or
       past --fail-at (or its hard cap); or kt events anomalies found a new
       spend anomaly (one not yet recorded in --state; without --state, any)
  4    not authenticated or not permitted: no token configured, 401, 403
  5    refused by the ledger: insufficient funds, hard cap, more than the
       parent has unallocated, currency mismatch
  130  interrupted (Ctrl-C)

Scripts can rely on these: a cron export that exits non-zero left no partial
file behind when -o/--output was used.
`,
  },
  environment: {
    summary: 'environment variables kt reads',
    text: `Environment variables

  KEEPTRUSTS_API_URL     API base URL (default https://api.keeptrusts.com)
  KEEPTRUSTS_API_TOKEN   API token; skips the stored credentials (kt auth login)
  KEEPTRUSTS_PROFILE     config profile to use (default "default")
  KT_CONFIG_DIR          directory of the config file (default: the OS config dir)
  NO_COLOR               any non-empty value disables colour
  TERM=dumb              disables colour
  CI                     any non-empty value disables the spinner
  KT_NOW                 pretend the current time is this ISO-8601 instant
                         (reproducible reports and tests; the emulator's clock
                         then stands still until POST /v1/emulator/clock moves it)
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY
                         proxy settings for API requests

Precedence: command-line flags > environment > profile in the config file >
defaults. \`kt config show\` prints each effective value and where it came from.
`,
  },
};

export function registerHelp(program: Command): void {
  program
    .command('help')
    .description('show help for a command or a topic (exit-codes, environment)')
    .argument('[topic...]', 'a command path such as "wallets allocate", or a topic')
    .addHelpText('before', 'Examples:\n  $ kt help exit-codes\n  $ kt help environment\n  $ kt help wallets allocate\n\n')
    .addHelpText(
      'after',
      `\nTopics:\n${Object.entries(HELP_TOPICS)
        .map(([name, t]) => `  ${name.padEnd(12)} ${t.summary}`)
        .join('\n')}\n`,
    )
    .action((topic: string[]) => {
      const write = (text: string): void => {
        program.configureOutput().writeOut?.(text);
      };
      if (topic.length === 0) {
        program.help();
      }
      const first = topic[0] ?? '';
      const entry = HELP_TOPICS[first];
      if (entry !== undefined && topic.length === 1) {
        write(entry.text);
        return;
      }
      let command: Command = program;
      for (const name of topic) {
        const next = command.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (next === undefined) {
          throw new UsageError(
            `unknown help topic "${topic.join(' ')}"`,
            `topics: ${Object.keys(HELP_TOPICS).join(', ')}; commands: ${program.commands.map((c) => c.name()).join(', ')}`,
          );
        }
        command = next;
      }
      command.help();
    });
}
