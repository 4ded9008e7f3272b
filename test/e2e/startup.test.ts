// Start-up: `kt --version` and `kt --help` parse only the command tree. A
// module.register resolve hook records every module the process resolves.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KT_BIN, ktEnv } from '../helpers/run-kt.js';

/** The OS keyring binding: loaded only when a token stored in the keyring is read, written or removed. */
const KEYRING = '@napi-rs/keyring';

const HEAVY = ['undici', 'conf', 'yaml', 'ajv', 'better-sqlite3', 'ora', 'cli-table3', 'chalk', KEYRING];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kt-startup-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    [
      "import { appendFileSync } from 'node:fs';",
      'export async function resolve(specifier, context, next) {',
      '  const result = await next(specifier, context);',
      '  appendFileSync(process.env.KT_MODULE_LOG, `${specifier}\\t${result.url}\\n`);',
      '  return result;',
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'preload.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs kt with the hook; returns the exit code and the packages it resolved. */
function loadedPackages(args: string[], name: string, env: Record<string, string> = {}): { code: number | null; packages: Set<string> } {
  const log = join(dir, `${name}.log`);
  writeFileSync(log, '');
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'preload.mjs')).href, KT_BIN, ...args], {
    env: ktEnv({ KT_MODULE_LOG: log, ...env }),
    encoding: 'utf8',
    timeout: 20_000,
  });
  const packages = new Set<string>();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line.split('\t')[1] ?? '');
    if (match?.[1] !== undefined) packages.add(match[1]);
  }
  return { code: result.status, packages };
}

describe('start-up', () => {
  it.each([['--version'], ['--help'], ['help'], ['wallets', '--help'], ['help', 'exit-codes']])('kt %s loads no network, config or YAML module', (...args) => {
    const { code, packages } = loadedPackages(args, args.join('-'));
    expect(code).toBe(0);
    // --version takes the launcher's fast path and does not even load commander.
    expect(packages.has('commander')).toBe(args[0] !== '--version');
    for (const heavy of HEAVY) expect(packages, `${heavy} loaded`).not.toContain(heavy);
  });

  it('kt --version and kt -V print the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = spawnSync(process.execPath, [KT_BIN, flag], { env: ktEnv(), encoding: 'utf8' });
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`${pkg.version}\n`);
    }
  });

  it('the hook sees heavy modules when a command really needs them, and a read-only command never loads conf', () => {
    const { packages } = loadedPackages(['wallets', 'list', '--retries', '0', '--timeout', '1s'], 'wallets-list', {
      KEEPTRUSTS_API_URL: 'http://127.0.0.1:9',
      KEEPTRUSTS_API_TOKEN: 'kt_test_token',
      KT_CONFIG_DIR: dir,
    });
    expect(packages).toContain('undici');
    // Reading the config file is readFileSync + JSON.parse; conf (and its ajv) loads only to write.
    for (const writerOnly of ['conf', 'ajv', 'semver']) expect(packages, `${writerOnly} loaded`).not.toContain(writerOnly);
    // KEEPTRUSTS_API_TOKEN comes first: the keyring is never opened.
    expect(packages).not.toContain(KEYRING);
  });

  it('kt policy validate never loads the keyring binding', () => {
    const fixture = fileURLToPath(new URL('../fixtures/policy/valid/kinds/audit-logger.yaml', import.meta.url));
    const { code, packages } = loadedPackages(['policy', 'validate', fixture], 'policy-validate', { KT_CONFIG_DIR: dir });
    expect(code).toBe(0);
    expect(packages).toContain('yaml');
    expect(packages).not.toContain(KEYRING);
  });

  it('a file token is read without the keyring binding; a profile whose token is in the keyring loads it', () => {
    const env = { KEEPTRUSTS_API_URL: 'http://127.0.0.1:9', KT_CONFIG_DIR: dir };
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ profiles: { file: { token: 'kt_file_token' }, keyring: { token_store: 'keyring' } } }));
    const fromFile = loadedPackages(['wallets', 'list', '--profile', 'file', '--retries', '0', '--timeout', '1s'], 'file-token', env);
    expect(fromFile.packages).toContain('undici');
    expect(fromFile.packages).not.toContain(KEYRING);
    // No session bus here, so the read fails (exit 4); the binding was loaded to try, which shows the hook would see it.
    const fromKeyring = loadedPackages(['wallets', 'list', '--profile', 'keyring'], 'keyring-token', env);
    expect(fromKeyring.code).toBe(4);
    expect(fromKeyring.packages).toContain(KEYRING);
  });
});
