// `kt help [topic|command…]`: help topics that are not commands, and help for
// any command path.
import type { EventEmitter } from 'node:events';
import { Help, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { didYouMean } from '../domain/suggest.js';

export const HELP_TOPICS: Readonly<Record<string, { summary: string; text: string }>> = {
  'exit-codes': {
    summary: 'what each exit status means',
    text: `Exit codes

  0    success
  1    failure: network error, server error (5xx), unknown team, I/O error;
       a webhook post that failed after its retries; kt wallets check when
       no wallet could be checked at all (an alert that can never fire)
  2    usage error or invalid input: unknown command or flag, bad flag value,
       invalid amount or date, a --format that contradicts the -o extension,
       invalid policy file (kt policy validate), an unusable --state file
  3    a budget threshold was crossed: kt wallets check found a wallet at or
       past --fail-at (or its hard cap, or under --min-balance); or
       kt events anomalies found a new spend anomaly (one not yet recorded
       in --state; without --state, any)
  4    not authenticated or not permitted: no token configured, 401, 403,
       a locked keyring
  5    refused by the ledger: insufficient funds, hard cap, more than the
       parent has unallocated, currency mismatch
  130  interrupted (Ctrl-C), or cancelled: the answer at a confirmation
       prompt was not "y"; nothing was sent

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
      for (const [i, name] of topic.entries()) {
        const visible = command.commands.filter((c) => !isHidden(c));
        const next = visible.find((c) => c.name() === name || c.aliases().includes(name));
        if (next === undefined) {
          const words = i === 0 ? [...Object.keys(HELP_TOPICS), ...visible.map((c) => c.name())] : visible.map((c) => c.name());
          const guess = didYouMean(name, words);
          const known = i === 0 ? `topics: ${Object.keys(HELP_TOPICS).join(', ')}; commands: ${visible.map((c) => c.name()).join(', ')}` : `commands of ${command.name()}: ${visible.map((c) => c.name()).join(', ')}`;
          throw new UsageError(`unknown help topic "${topic.join(' ')}"`, guess === undefined ? known : `did you mean "${[...topic.slice(0, i), guess].join(' ')}"? ${known}`);
        }
        command = next;
      }
      command.help();
    });
}

/** Internal commands (`__complete-teams`) are left out of help and suggestions. */
function isHidden(command: Command): boolean {
  return (command as unknown as { _hidden?: boolean })._hidden === true;
}

/**
 * One layout for every help page: the Usage line and the description first,
 * then the examples, then arguments, options and commands. Commands declare
 * their examples with addHelpText('before', …); this moves that text below
 * the description, for the whole tree at once.
 */
export function examplesAfterUsage(root: Command): void {
  const visit = (command: Command): void => {
    const emitter = command as unknown as EventEmitter;
    const listeners = emitter.listeners('beforeHelp') as Array<(context: { error: boolean; command: Command; write: (text: string) => void }) => void>;
    if (listeners.length > 0) {
      let text = '';
      for (const listener of listeners) listener({ error: false, command, write: (t) => (text += t) });
      emitter.removeAllListeners('beforeHelp');
      const examples = text.trim();
      command.configureHelp({
        formatHelp: (cmd, helper) => insertExamples(Help.prototype.formatHelp.call(helper, cmd, helper), examples),
      });
    }
    command.commands.forEach(visit);
  };
  visit(root);
}

/** The examples block before the first of Arguments/Options/Commands, or at the end. */
export function insertExamples(help: string, examples: string): string {
  if (examples === '') return help;
  const at = help.search(/^(Arguments|Options|Commands|Global Options):$/m);
  if (at < 0) return `${help.trimEnd()}\n\n${examples}\n`;
  return `${help.slice(0, at)}${examples}\n\n${help.slice(at)}`;
}
