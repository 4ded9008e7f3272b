import { Option, type Command } from 'commander';
import type { ActionFactory } from '../action.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command, action: ActionFactory): void {
  const policy = program.command('policy').description('check policy-config.yaml files and print their JSON Schema');

  policy
    .command('validate')
    .alias('lint')
    .description('validate policy files strictly: file:line:col diagnostics with codes and fixes')
    .argument('[files...]', 'files or globs (`-` reads stdin; default ./policy-config.yaml)')
    .addOption(new Option('--file <path>', 'a file to check (repeatable)').argParser(collect))
    .addOption(new Option('--format <format>', 'diagnostics format').choices(['text', 'json', 'github', 'sarif']).default('text'))
    .addOption(new Option('--strict', 'treat warnings as errors'))
    .addHelpText(
      'before',
      'Examples:\n  $ kt policy validate policy-config.yaml\n  $ kt policy lint "policies/**/*.yaml" --strict\n  $ kt policy validate --format github policy-config.yaml   # annotations in GitHub Actions\n  $ cat policy.yaml | kt policy validate -\n\n',
    )
    .addHelpText(
      'after',
      '\nText diagnostics go to stderr and stdout stays empty; json, github and sarif go to stdout.\nExit status: 0 valid, 2 invalid, 1 a file could not be read.\n',
    )
    .action(action(() => import('./validate.js')));

  policy
    .command('schema')
    .description('print the policy JSON Schema (draft 2020-12) for editors such as yaml-language-server')
    .addHelpText('before', 'Examples:\n  $ kt policy schema > policy.schema.json\n  # then, first line of policy-config.yaml:\n  # yaml-language-server: $schema=./policy.schema.json\n\n')
    .action(action(() => import('./schema.js')));
}
