import { Option, type Command } from 'commander';
import type { ActionFactory } from '../action.js';
import { addOutputOptions } from '../flags.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command, action: ActionFactory): void {
  const policy = program.command('policy').description('check policy-config.yaml files, list their codes and print their JSON Schema');

  policy
    .command('validate')
    .alias('lint')
    .description('validate policy files strictly: file:line:col diagnostics with codes and fixes')
    .argument('[files...]', 'files or globs (`-` reads stdin; default ./policy-config.yaml)')
    .addOption(new Option('--file <path>', 'a file to check (repeatable)').argParser(collect))
    .addOption(new Option('--format <format>', 'diagnostics format (default: text)').choices(['text', 'json', 'github', 'sarif']))
    .addOption(new Option('--json', "one file's report as one JSON object (the product's kt policy lint --json)"))
    .addOption(new Option('--strict', 'treat warnings as errors'))
    .addHelpText(
      'before',
      'Examples:\n  $ kt policy lint --file policy-config.yaml\n  $ kt policy lint --file policy-config.yaml --json\n  $ kt policy validate "policies/**/*.yaml" --strict\n  $ kt policy validate --format github policy-config.yaml   # annotations in GitHub Actions\n  $ cat policy.yaml | kt policy validate -\n\n',
    )
    .addHelpText(
      'after',
      '\nText goes to stderr and stdout stays empty; --json, json, github and sarif go to stdout.\n--json takes exactly one file; use --format json for several.\nExit status: 0 valid, 2 invalid, 1 a file could not be read. Codes: kt policy codes.\n',
    )
    .action(action(() => import('./validate.js')));

  addOutputOptions(
    policy
      .command('codes')
      .description('list every code kt policy validate reports (E001–E003 are the product linter’s)')
      .addHelpText('before', 'Examples:\n  $ kt policy codes\n  $ kt policy codes --json\n\n'),
    { fields: 'code, severity, name, title', defaultFields: ['code', 'severity', 'name', 'title'] },
  ).action(action(() => import('./codes.js')));

  policy
    .command('schema')
    .description('print the policy JSON Schema (draft 2020-12) for editors such as yaml-language-server')
    .addHelpText('before', 'Examples:\n  $ kt policy schema > policy.schema.json\n  # then, first line of policy-config.yaml:\n  # yaml-language-server: $schema=./policy.schema.json\n\n')
    .action(action(() => import('./schema.js')));
}
