// The command tree: global options and every group. Building it loads
// commander and the groups' small index files only; handlers load lazily.
import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { registerCommands } from './commands.js';
import type { ActionFactory } from './action.js';

export interface ProgramOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

export function buildProgram(output: ProgramOutput, action: ActionFactory): Command {
  const program = new Command('kt');
  program
    .description('AI spend analytics and wallet administration for the Keeptrusts control plane')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (text) => output.writeOut(text), writeErr: (text) => output.writeErr(text) })
    .helpCommand(false)
    .addOption(new Option('--api-url <url>', 'control-plane API base URL (env KEEPTRUSTS_API_URL)'))
    .addOption(new Option('--profile <name>', 'config profile to use (env KEEPTRUSTS_PROFILE)'))
    .addOption(new Option('--no-color', 'disable colour (also NO_COLOR, TERM=dumb, non-TTY)'))
    .addOption(new Option('-q, --quiet', 'no spinner, progress, notices or summaries on stderr'))
    .addOption(new Option('--debug', 'log requests on stderr (token redacted) and show stack traces'))
    .addOption(new Option('--timeout <duration>', 'per-request timeout, e.g. 30s (default 30s)'))
    .addOption(new Option('--retries <n>', 'retries on network errors, 429 and 5xx (default 3)'))
    .addOption(new Option('--insecure', 'allow http:// to a non-loopback host'));
  registerCommands(program, action);
  return program;
}

/**
 * The full command tree with actions that do nothing: for reading the tree
 * (completion scripts, help checks). Parsing with it runs no handler.
 */
export function buildCommandTree(): Command {
  return buildProgram({ writeOut: () => undefined, writeErr: () => undefined }, () => () => Promise.resolve());
}
