// Every command's --help starts with examples; `kt help <topic>` prints the topics.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildCommandTree } from '../../src/cli/program.js';
import { runKt } from '../helpers/run-kt.js';

function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands
    .filter((c) => (c as unknown as { _hidden?: boolean })._hidden !== true)
    .flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

// Group commands (and `help`) whose --help does not start with examples yet;
// they belong to other groups' files. Remove a name here once it has them:
// the test fails both when a command is missing examples and when a listed
// one gained them.
const PENDING_EXAMPLES = new Set<string>();

const paths = commandPaths(buildCommandTree());

describe('--help', () => {
  it('the tree has the commands we expect to walk', () => {
    const names = paths.map((p) => p.join(' '));
    expect(names).toContain('wallets allocate');
    expect(names).toContain('completion');
    expect(names).not.toContain('__complete-teams');
  });

  it.each(paths.map((p) => [p.join(' ')]))('kt %s --help starts with "Examples:"', async (path) => {
    const result = await runKt([...path.split(' '), '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('Examples:\n  $ kt ')).toBe(!PENDING_EXAMPLES.has(path));
  });
});

describe('kt help <topic>', () => {
  it('exit-codes lists every exit status', async () => {
    const result = await runKt(['help', 'exit-codes']);
    expect(result.code).toBe(0);
    for (const code of ['0', '1', '2', '4', '5', '130']) expect(result.stdout).toMatch(new RegExp(`^  ${code} `, 'm'));
  });

  it('environment lists the variables kt reads', async () => {
    const result = await runKt(['help', 'environment']);
    expect(result.code).toBe(0);
    for (const name of ['KEEPTRUSTS_API_URL', 'KEEPTRUSTS_API_TOKEN', 'KEEPTRUSTS_PROFILE', 'KT_CONFIG_DIR', 'NO_COLOR']) {
      expect(result.stdout).toContain(name);
    }
  });

  it('an unknown topic is a usage error (exit 2)', async () => {
    const result = await runKt(['help', 'nonsense']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown help topic "nonsense"');
  });
});
