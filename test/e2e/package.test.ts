// Packaging: `npm pack` installs into an empty project and runs, with and
// without the emulator's optional dependency (better-sqlite3).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ktEnv } from '../helpers/run-kt.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VALID_POLICY = `cache:
  enabled: true
  ttl: 60
spend_controls:
  - team: search
    hard_cap: 500
    period: monthly
`;
const run = promisify(execFile);

let dir: string;
let tarball: string;
const projects = { full: '', lean: '' };

async function install(name: 'full' | 'lean'): Promise<void> {
  const project = join(dir, name);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: `kt-pack-${name}`, private: true }));
  const extra = name === 'lean' ? ['--omit=optional'] : [];
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', ...extra, tarball], { cwd: project });
  projects[name] = project;
}

function kt(project: string, args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(join(project, 'node_modules/.bin/kt'), args, {
    cwd: project,
    env: ktEnv({ KT_CONFIG_DIR: join(project, '.kt'), ...env }),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kt-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT });
  const packed = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(dir, packed[0]?.filename ?? '');
  packedFiles = (packed[0]?.files ?? []).map((f) => f.path);
  await Promise.all([install('full'), install('lean')]);
  writeFileSync(join(dir, 'policy.yaml'), VALID_POLICY);
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let packedFiles: string[] = [];

describe('npm pack', () => {
  it('is the package the README tells users to install (the registry\'s `kt` is someone else\'s)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
    expect(pkg.name).toBe('kt-spend');
    expect(pkg.bin).toEqual({ kt: 'bin/kt.js' });
    expect(tarball).toMatch(/kt-spend-\d+\.\d+\.\d+\.tgz$/);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('npm install -g kt-spend');
    expect(existsSync(join(projects.full, 'node_modules/kt-spend/bin/kt.js'))).toBe(true);
  });

  it('contains only bin/, dist/, completions/, schema/, README.md, CHANGELOG.md and package.json', () => {
    const top = new Set(packedFiles.map((p) => (p.includes('/') ? `${p.split('/')[0] ?? ''}/` : p)));
    expect([...top].sort()).toEqual(['CHANGELOG.md', 'README.md', 'bin/', 'completions/', 'dist/', 'package.json', 'schema/']);
    expect(packedFiles).toContain('bin/kt.js');
    expect(packedFiles).toContain('dist/main.js');
    expect(packedFiles).toContain('completions/kt.bash');
    expect(packedFiles.some((p) => p.startsWith('src/') || p.startsWith('test/'))).toBe(false);
  });
});

describe.each(['full', 'lean'] as const)('installed from the tarball (%s)', (name) => {
  it('kt --version prints the package version', () => {
    const result = kt(projects[name], ['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('kt --help lists the commands', () => {
    const result = kt(projects[name], ['--help']);
    expect(result.code).toBe(0);
    for (const command of ['events', 'wallets', 'forecast', 'policy', 'completion', 'emulator']) expect(result.stdout).toContain(command);
  });

  it('kt policy validate accepts a valid file and rejects a broken one with exit 2', () => {
    const ok = kt(projects[name], ['policy', 'validate', join(dir, 'policy.yaml')]);
    expect(ok.stderr + ok.stdout).toContain('valid');
    expect(ok.code).toBe(0);
    writeFileSync(join(dir, 'broken.yaml'), 'version: 1\nrules: [\n');
    const bad = kt(projects[name], ['policy', 'validate', join(dir, 'broken.yaml')]);
    expect(bad.code).toBe(2);
  });

  it('kt completion bash prints the committed script', () => {
    const result = kt(projects[name], ['completion', 'bash']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('complete -o default -F _kt kt');
  });
});

describe('without the optional dependency', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator(['--seed', 'demo', '--seed-events', '0']);
  }, 30_000);
  afterAll(async () => {
    await emulator.stop();
  });

  it('better-sqlite3 is absent from the lean install and present in the full one', () => {
    expect(readdirSync(join(projects.lean, 'node_modules'))).not.toContain('better-sqlite3');
    expect(readdirSync(join(projects.full, 'node_modules'))).toContain('better-sqlite3');
  });

  it('API commands work (kt wallets balance against an emulator)', () => {
    const result = kt(projects.lean, ['wallets', 'balance', '--team', 'search', '--format', 'json'], emulator.env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.stringify(JSON.parse(result.stdout))).toContain('search');
  });

  it('every command runs from an install without dev dependencies (a tarball brings none)', () => {
    const commands = [
      ['wallets', 'list', '--format', 'csv'],
      ['wallets', 'balance', '--tree'],
      ['wallets', 'transactions', '--team', 'search', '--since', '2d', '--format', 'json'],
      ['wallets', 'check', '--warn-at', '1'],
      ['events', 'list', '--since', '3d', '--format', 'csv'],
      ['events', 'list', '--since', '3d', '--aggregate', 'daily', '--group-by', 'team', '--json'],
      ['events', 'tail', '--limit', '3', '--json'],
      ['events', 'export', '--since', '1d', '--format', 'ndjson'],
      ['forecast', '--team', 'search', '--json'],
      ['savings', '--json'],
      ['auth', 'whoami', '--json'],
      ['config', 'show', '--json'],
      ['policy', 'schema'],
      ['policy', 'codes', '--json'],
    ];
    for (const args of commands) {
      const result = kt(projects.lean, args, emulator.env);
      expect(result.code, `kt ${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    expect(readdirSync(join(projects.lean, 'node_modules'))).not.toContain('vitest');
  });

  it('kt emulator start explains how to install better-sqlite3 (exit 1)', () => {
    const result = kt(projects.lean, ['emulator', 'start', '--port', '0', '--db', ':memory:']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('better-sqlite3');
    expect(result.stderr).toContain('npm install better-sqlite3');
  });
});
