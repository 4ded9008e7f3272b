// kt auth and kt config through the built binary, against a real emulator.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKt } from '../helpers/run-kt.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.stop();
});

async function freshConfig(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kt-auth-'));
  return { dir, env: { KEEPTRUSTS_API_URL: emulator.url, KT_CONFIG_DIR: dir } };
}

describe('kt auth', () => {
  it('without a token: exit 4 and a hint to log in', async () => {
    const { env } = await freshConfig();
    const r = await runKt(['auth', 'status'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('error: not logged in');
    expect(r.stderr).toContain('hint: run `kt auth login` or set KEEPTRUSTS_API_TOKEN');
    expect(r.stdout).toBe('');
    const w = await runKt(['wallets', 'list'], { env });
    expect(w.code).toBe(4);
  });

  it('login --with-token verifies, stores mode 0600, and status/logout follow', async () => {
    const { dir, env } = await freshConfig();
    const login = await runKt(['auth', 'login', '--with-token'], { env, input: `${emulator.adminToken}\n` });
    expect(login.code).toBe(0);
    expect(login.stderr).toContain('as admin (demo)');
    expect(login.stderr).not.toContain(emulator.adminToken);
    const file = join(dir, 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8')).profiles.default.token).toBe(emulator.adminToken);

    const status = await runKt(['auth', 'status'], { env });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('scope:         admin');
    expect(status.stdout).toContain('(from profile)');
    expect(status.stdout).not.toContain(emulator.adminToken);

    const list = await runKt(['wallets', 'list', '--format', 'json'], { env });
    expect(list.code).toBe(0);

    const logout = await runKt(['auth', 'logout'], { env });
    expect(logout.code).toBe(0);
    expect((await runKt(['auth', 'status'], { env })).code).toBe(4);
  });

  it('a wrong token is refused (exit 4) and nothing is saved', async () => {
    const { dir, env } = await freshConfig();
    const r = await runKt(['auth', 'login', '--with-token'], { env, input: 'not-the-right-token\n' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('error: unknown token');
    await expect(stat(join(dir, 'config.json'))).rejects.toThrow();
  });

  it('without a terminal and without --with-token: exit 2 naming the flag', async () => {
    const { env } = await freshConfig();
    const r = await runKt(['auth', 'login'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hint: pipe the token on stdin with --with-token');
  });

  it('an empty token on stdin is a usage error', async () => {
    const { env } = await freshConfig();
    const r = await runKt(['auth', 'login', '--with-token'], { env, input: '\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: the token is empty');
  });
});

describe('kt config show', () => {
  it('shows each value and its source; flags beat env beat profile', async () => {
    const { dir, env } = await freshConfig();
    await writeFile(join(dir, 'config.json'), JSON.stringify({ profiles: { ci: { api_url: 'https://profile.example.com', token: 'profile-token-1234' } } }), { mode: 0o600 });
    const fromProfile = await runKt(['config', 'show', '--json', '--profile', 'ci'], { env: { KT_CONFIG_DIR: dir } });
    expect(fromProfile.code).toBe(0);
    const p = JSON.parse(fromProfile.stdout);
    expect(p.profile).toEqual({ value: 'ci', source: 'flag' });
    expect(p.api_url).toEqual({ value: 'https://profile.example.com', source: 'profile' });
    expect(p.token).toEqual({ value: 'pro…1234', source: 'profile' });

    const fromEnv = JSON.parse((await runKt(['config', 'show', '--json'], { env: { ...env, KEEPTRUSTS_PROFILE: 'ci', KEEPTRUSTS_API_TOKEN: 'env-token-99999' } })).stdout);
    expect(fromEnv.profile.source).toBe('env');
    expect(fromEnv.api_url).toEqual({ value: emulator.url, source: 'env' });
    expect(fromEnv.token).toEqual({ value: 'env…9999', source: 'env' });

    const fromFlag = JSON.parse((await runKt(['config', 'show', '--json', '--api-url', 'https://flag.example.com', '--timeout', '5s', '--retries', '1'], { env })).stdout);
    expect(fromFlag.api_url).toEqual({ value: 'https://flag.example.com', source: 'flag' });
    expect(fromFlag.timeout_ms).toEqual({ value: 5000, source: 'flag' });
    expect(fromFlag.retries).toEqual({ value: 1, source: 'flag' });

    const defaults = JSON.parse((await runKt(['config', 'show', '--json'], { env: { KT_CONFIG_DIR: dir } })).stdout);
    expect(defaults.api_url).toEqual({ value: 'https://api.keeptrusts.com', source: 'default' });
    expect(defaults.token).toEqual({ value: null, source: 'none' });
  });

  it('a corrupt config file is an error naming the file, and is left untouched', async () => {
    const { dir } = await freshConfig();
    const file = join(dir, 'config.json');
    await writeFile(file, '{"profiles": {"default": {"token": "keep-me"');
    const r = await runKt(['config', 'show'], { env: { KT_CONFIG_DIR: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read config file ${file}`);
    expect(r.stderr).toContain('the file was left untouched');
    expect(await readFile(file, 'utf8')).toBe('{"profiles": {"default": {"token": "keep-me"');
  });
});

describe('global flags and transport errors', () => {
  it.each([
    [['--timeout', 'soon'], 'invalid --timeout "soon"'],
    [['--timeout', '0'], 'invalid --timeout "0": must be greater than zero'],
    [['--retries', '-1'], 'invalid --retries "-1"'],
    [['--retries', 'many'], 'invalid --retries "many": use a whole number from 0 to 20'],
    [['--api-url', 'not a url'], 'invalid --api-url "not a url": not a URL'],
    [['--api-url', 'ftp://x'], 'only http and https are supported'],
    [['--profile', '../etc'], 'invalid --profile "../etc"'],
  ])('%j → exit 2', async (flags, message) => {
    const r = await runKt([...flags, 'config', 'show'], { env: { KT_CONFIG_DIR: (await freshConfig()).dir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('plain http to a remote host is refused unless --insecure', async () => {
    const env = { ...(await freshConfig()).env, KEEPTRUSTS_API_URL: 'http://api.example.invalid', KEEPTRUSTS_API_TOKEN: 'tok-123456789' };
    const r = await runKt(['wallets', 'list'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to send the API token over plain http to api.example.invalid');
  });

  it('connection refused: exit 1 naming the URL', async () => {
    const env = { ...(await freshConfig()).env, KEEPTRUSTS_API_URL: 'http://127.0.0.1:9', KEEPTRUSTS_API_TOKEN: 'tok-123456789' };
    const r = await runKt(['--retries', '0', 'wallets', 'list'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: cannot reach http://127.0.0.1:9: connection refused');
  });

  it('--debug logs requests on stderr without the token', async () => {
    const r = await runKt(['--debug', 'wallets', 'list', '--format', 'json'], { env: emulator.env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/debug: → GET http:\/\/127\.0\.0\.1:\d+\/v1\/wallets/);
    expect(r.stderr).toMatch(/debug: ← 200 in \d+ms \(request id \S+\)/);
    expect(r.stderr).not.toContain(emulator.adminToken);
  });

  it('piped output carries no colour codes', async () => {
    const r = await runKt(['wallets', 'balance'], { env: { ...emulator.env, FORCE_COLOR: '1' } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\u001b[');
  });
});
