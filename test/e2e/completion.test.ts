// Shell completions: generated from the command tree, committed under
// completions/, and loaded into real bash, zsh and fish.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KT_BIN, ktEnv, runKt } from '../helpers/run-kt.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { toolAvailable } from '../helpers/tools.js';
import { readTree } from '../../src/cli/completion/model.js';
import { bashScript, fishScript, zshScript } from '../../src/cli/completion/generate.js';
import { listChoices } from '../../src/cli/flags.js';
import { TRANSACTION_TYPES } from '../../src/domain/ledger.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHELLS = ['bash', 'zsh', 'fish'] as const;
const HAS_ZSH = toolAvailable('zsh');
const HAS_FISH = toolAvailable('fish');

// A PATH whose `kt` is the built bin/kt.js, for scripts that call kt.
let binDir: string;
beforeAll(() => {
  binDir = mkdtempSync(join(tmpdir(), 'kt-bin-'));
  symlinkSync(KT_BIN, join(binDir, 'kt'));
});
afterAll(() => rmSync(binDir, { recursive: true, force: true }));

function shellEnv(extra: Record<string, string> = {}): Record<string, string> {
  return ktEnv({ PATH: `${binDir}:${process.env.PATH ?? ''}`, ...extra });
}

/** What bash completes for `words` (the last word is the one being completed). */
function bashComplete(words: string[], env: Record<string, string> = {}): string[] {
  const script = [
    `source ${JSON.stringify(join(ROOT, 'completions/kt.bash'))}`,
    'COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _kt',
    `printf '%s\\n' "\${COMPREPLY[@]}"`,
  ].join('\n');
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', ...words], { encoding: 'utf8', env: shellEnv(env) });
  return out.split('\n').filter((l) => l !== '');
}

/** What zsh's _kt hands to compadd (compadd stubbed; _kt filters by prefix itself). */
function zshComplete(words: string[]): string[] {
  const script = [
    `source ${JSON.stringify(join(ROOT, 'completions/kt.zsh'))}`,
    'compadd() { local i=${@[(i)--]}; print -rl -- "${(@)@[i+1,-1]}"; }',
    '_files() { print -r -- "<files>"; }',
    'words=("$@"); CURRENT=$#; _kt',
  ].join('\n');
  const out = execFileSync('zsh', ['-f', '-c', script, 'zsh', ...words], { encoding: 'utf8', env: shellEnv() });
  return out.split('\n').filter((l) => l !== '');
}

/** What fish completes for the command line `line` (candidates without descriptions). */
function fishComplete(line: string): string[] {
  const script = `source ${JSON.stringify(join(ROOT, 'completions/kt.fish'))}; complete -C ${JSON.stringify(line)}`;
  const out = execFileSync('fish', ['--no-config', '-c', script], { encoding: 'utf8', env: shellEnv() });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t')[0] ?? '');
}

describe('kt completion', () => {
  it.each(SHELLS)('committed completions/kt.%s matches the generator (run `node scripts/gen-completions.mjs`)', async (shell) => {
    const result = await runKt(['completion', shell]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(readFileSync(join(ROOT, `completions/kt.${shell}`), 'utf8'));
  });

  it('refuses an unknown shell with exit 2 and lists the supported ones', async () => {
    const result = await runKt(['completion', 'tcsh']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('error: unknown shell "tcsh": use one of bash, zsh, fish\n');
    const typo = await runKt(['completion', 'bsah']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('error: unknown shell "bsah": use one of bash, zsh, fish\nhint: did you mean "bash"?\n');
  });

  it('requires the shell argument (exit 2)', async () => {
    const result = await runKt(['completion']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing required argument 'shell'");
  });

  it('the bash script registers _kt with complete -F', () => {
    const out = execFileSync('bash', ['--norc', '-c', `source ${JSON.stringify(join(ROOT, 'completions/kt.bash'))}; complete -p kt`], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('complete -o default -F _kt kt');
  });
});

describe('bash', () => {
  it('completes commands, subcommands and enum values', () => {
    expect(bashComplete(['kt', 'wal'])).toEqual(['wallets']);
    expect(bashComplete(['kt', 'wallets', 'al'])).toEqual(['allocate']);
    expect(bashComplete(['kt', 'events', 'list', '--format', ''])).toEqual(['table', 'csv', 'json', 'ndjson', 'parquet']);
    expect(bashComplete(['kt', 'events', 'export', '--schema', ''])).toEqual(['kt', 'focus']);
  });

  it('completes --aggregate and --period values and skips flag values when finding the command', () => {
    expect(bashComplete(['kt', 'events', 'list', '--aggregate', ''])).toEqual(['daily', 'weekly', 'monthly']);
    expect(bashComplete(['kt', '--timeout', '5s', 'wallets', 'allocate', '--period', 'q'])).toEqual(['quarterly']);
  });

  it('completes --type of wallets transactions with the transaction types it accepts', () => {
    expect(bashComplete(['kt', 'wallets', 'transactions', '--type', ''])).toEqual([...TRANSACTION_TYPES]);
    expect(bashComplete(['kt', 'events', 'list', '--group-by', ''])).toEqual(['team', 'provider', 'model']);
    expect(bashComplete(['kt', 'wallets', 'transactions', '--team', 'search', '--type', 're'])).toEqual(['reclaim', 'reserve', 'release']);
  });

  it('completes flags of the command typed so far, global ones included', () => {
    const flags = bashComplete(['kt', 'wallets', 'allocate', '--']);
    expect(flags).toContain('--amount');
    expect(flags).toContain('--dry-run');
    expect(flags).toContain('--api-url');
    expect(flags).not.toContain('--version');
    expect(flags).not.toContain('--tree');
  });

  it('offers no team ids (and prints nothing) when no credentials are configured', () => {
    expect(bashComplete(['kt', 'wallets', 'balance', '--team', ''])).toEqual([]);
  });

  it('completes the aliases lint and status, and their flags as the commands they name', () => {
    expect(bashComplete(['kt', 'policy', 'l'])).toEqual(['lint']);
    expect(bashComplete(['kt', 'auth', 'st'])).toEqual(['status']);
    expect(bashComplete(['kt', 'policy', 'lint', '--format', ''])).toEqual(bashComplete(['kt', 'policy', 'validate', '--format', '']));
    expect(bashComplete(['kt', 'policy', 'lint', '--format', ''])).toEqual(['text', 'json', 'github', 'sarif']);
    expect(bashComplete(['kt', 'auth', 'status', '--j'])).toEqual(['--json']);
  });
});

describe.skipIf(!HAS_ZSH)('zsh', () => {
  it('completes commands, subcommands and enum values', () => {
    expect(zshComplete(['kt', 'wal'])).toEqual(['wallets']);
    expect(zshComplete(['kt', 'wallets', 'al'])).toEqual(['allocate']);
    expect(zshComplete(['kt', 'events', 'list', '--format', ''])).toEqual(['table', 'csv', 'json', 'ndjson', 'parquet']);
  });

  it('falls back to files for a free-form value such as --output', () => {
    expect(zshComplete(['kt', 'events', 'list', '-o', ''])).toEqual(['<files>']);
  });

  it('completes --type of wallets transactions with the transaction types', () => {
    expect(zshComplete(['kt', 'wallets', 'transactions', '--type', ''])).toEqual([...TRANSACTION_TYPES]);
  });
});

describe.skipIf(!HAS_FISH)('fish', () => {
  it('completes commands, subcommands and enum values', () => {
    expect(fishComplete('kt wal')).toEqual(['wallets']);
    expect(fishComplete('kt wallets al')).toEqual(['allocate']);
    expect(fishComplete('kt events list --format ').sort()).toEqual(['csv', 'json', 'ndjson', 'parquet', 'table']);
  });

  it('offers the subcommands of the command typed so far, after a global flag with a value', () => {
    expect(fishComplete('kt --timeout 5s wallets ').sort()).toEqual(['allocate', 'balance', 'check', 'credit', 'list', 'reclaim', 'transactions']);
  });

  it('completes --type of wallets transactions with the transaction types', () => {
    expect(fishComplete('kt wallets transactions --type ').sort()).toEqual([...TRANSACTION_TYPES].sort());
    expect(fishComplete('kt events list --group-by ').sort()).toEqual(['model', 'provider', 'team']);
  });
});

describe('generator reads the command tree', () => {
  it('a command added to the tree appears in every script, with its enum values', () => {
    const program = new Command('kt').addOption(new Option('--api-url <url>'));
    program
      .command('gadgets')
      .command('spin')
      .addOption(new Option('--speed <speed>').choices(['slow', 'fast']))
      .addOption(new Option('--team <team>'));
    program.command('secret', { hidden: true });
    const tree = readTree(program);
    for (const script of [bashScript(tree), zshScript(tree)]) {
      expect(script).toContain(`'gadgets') echo 'spin' ;;`);
      expect(script).toContain(`'gadgets spin|--speed') echo 'slow fast' ;;`);
      expect(script).toContain(`'gadgets spin|--team') echo '@team' ;;`);
      expect(script).not.toContain('secret');
    }
    const fish = fishScript(tree);
    expect(fish).toContain(`complete -c kt -n '__kt_at \\'gadgets spin\\'' -l speed -x -a 'slow fast'`);
    expect(fish).not.toContain('secret');
  });

  it('a comma-list flag declared with listChoices is completed, and its list reaches the command unchecked', () => {
    let seen: unknown;
    const program = new Command('kt').exitOverride();
    program
      .command('gadgets')
      .addOption(listChoices(new Option('--kinds <kinds>'), ['slow', 'fast']))
      .action((opts: { kinds?: string }) => {
        seen = opts.kinds;
      });
    const tree = readTree(program);
    expect(bashScript(tree)).toContain(`'gadgets|--kinds') echo 'slow fast' ;;`);
    expect(fishScript(tree)).toContain(`-l kinds -x -a 'slow fast'`);
    program.parse(['gadgets', '--kinds', 'fast,slow,odd'], { from: 'user' });
    expect(seen).toBe('fast,slow,odd');
  });
});

describe('team ids from the API', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator(['--seed', 'demo', '--seed-events', '0']);
  }, 30_000);
  afterAll(async () => {
    await emulator.stop();
  });

  it('kt __complete-teams prints the team ids, one a line', async () => {
    const result = await runKt(['__complete-teams'], { env: emulator.env });
    expect(result.code).toBe(0);
    const ids = result.stdout.trim().split('\n');
    expect(ids).toContain('search');
    expect(ids).toContain('engineering');
  });

  it('kt __complete-teams prints nothing and succeeds without credentials or when the API is down', async () => {
    const noToken = await runKt(['__complete-teams'], { env: { ...emulator.env, KEEPTRUSTS_API_TOKEN: undefined } });
    expect(noToken).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const down = await runKt(['__complete-teams', '--retries', '0', '--timeout', '2s'], {
      env: { ...emulator.env, KEEPTRUSTS_API_URL: 'http://127.0.0.1:9' },
    });
    expect(down).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('bash completes --team from the API when credentials are configured', () => {
    expect(bashComplete(['kt', 'wallets', 'balance', '--team', 'sea'], emulator.env)).toEqual(['search']);
  });

  it('kt __complete-teams is hidden from --help', async () => {
    const result = await runKt(['--help']);
    expect(result.stdout).not.toContain('__complete-teams');
  });
});
