// kt auth and kt config through the built binary, against a real emulator.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKt } from '../helpers/run-kt.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { runKtInPty } from '../helpers/pty.js';
import { toolAvailable } from '../helpers/tools.js';

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

  it('with no session bus, login falls back to the 0600 file and says so once; status and logout follow', async () => {
    const { dir, env } = await freshConfig();
    const file = join(dir, 'config.json');
    // runKt passes no DBUS_SESSION_BUS_ADDRESS (nor XDG_RUNTIME_DIR): no keyring can be reached.
    const login = await runKt(['auth', 'login', '--with-token'], { env, input: `${emulator.adminToken}\n` });
    expect(login.code).toBe(0);
    expect(login.stderr).toBe(
      'warning: no keyring here (Secret Service: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)); ' +
        `the token is stored in ${file}, mode 0600. To use a keyring, run \`kt auth login\` again where there is one; --insecure-storage chooses the file and skips this warning\n` +
        `Logged in to ${emulator.url} as admin (demo) with token kt_…${emulator.adminToken.slice(-4)}; saved for new profile "default" in ${file} (mode 0600)\n`,
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8')).profiles.default).toEqual({ api_url: emulator.url, token_store: 'file', token: emulator.adminToken });

    const status = await runKt(['auth', 'status'], { env });
    expect(status.code).toBe(0);
    // Said once, at login: reading the file later is silent.
    expect(status.stderr).toBe('');
    expect(status.stdout).toContain('scope:         admin');
    expect(status.stdout).toContain(`token:         kt_…${emulator.adminToken.slice(-4)} (from file ${file})`);
    expect(status.stdout).not.toContain(emulator.adminToken);

    const list = await runKt(['wallets', 'list', '--format', 'json'], { env });
    expect(list.code).toBe(0);

    const logout = await runKt(['auth', 'logout'], { env });
    expect(logout.code).toBe(0);
    expect(logout.stderr).toBe(`Removed the token of profile "default" from ${file}\n`);
    expect(await readFile(file, 'utf8')).not.toContain(emulator.adminToken);
    expect((await runKt(['auth', 'status'], { env })).code).toBe(4);
  });

  it('--insecure-storage chooses the file without the warning', async () => {
    const { dir, env } = await freshConfig();
    const r = await runKt(['auth', 'login', '--with-token', '--insecure-storage'], { env, input: `${emulator.adminToken}\n` });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('warning');
    expect(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).profiles.default.token_store).toBe('file');
  });

  it('whoami labels are all lower case and are the --json keys', async () => {
    const { env } = await freshConfig();
    const text = await runKt(['auth', 'whoami'], { env: { ...env, KEEPTRUSTS_API_TOKEN: emulator.adminToken } });
    expect(text.code).toBe(0);
    const labels = text.stdout.trimEnd().split('\n').map((line) => /^([^:]+):/.exec(line)?.[1]);
    expect(labels).toEqual(['user', 'organization', 'role', 'scope', 'profile', 'api_url', 'token']);
    const json = JSON.parse((await runKt(['auth', 'whoami', '--json'], { env: { ...env, KEEPTRUSTS_API_TOKEN: emulator.adminToken } })).stdout) as object;
    expect(Object.keys(json)).toEqual(['user', 'organization', 'role', 'scope', 'profile', 'api_url', 'token_source']);
    expect(json).toMatchObject({ token_source: 'env' });
    expect(text.stdout).toContain('token:         kt_…');
    expect(text.stdout).toContain('(from env KEEPTRUSTS_API_TOKEN)');
  });

  it('a token given as an argument is refused (exit 2): it belongs on stdin, and is never echoed', async () => {
    const { dir, env } = await freshConfig();
    for (const args of [['--with-token', 'kt_typed_secret_123'], ['kt_typed_secret_123']]) {
      const r = await runKt(['auth', 'login', ...args], { env, input: `${emulator.adminToken}\n` });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        'error: kt auth login takes no arguments: the token comes on stdin, never on the command line (where shell history and `ps` keep it)\n' +
          'hint: pipe it: `echo "$KEEPTRUSTS_TOKEN" | kt auth login --with-token` or `kt auth login --with-token < token.txt`; or run `kt auth login` and paste it at the prompt\n',
      );
    }
    await expect(stat(join(dir, 'config.json'))).rejects.toThrow();
  });

  it('a refused token names the profile and what to do, with the flags that were given', async () => {
    const { dir, env } = await freshConfig();
    const r = await runKt(['auth', 'login', '--profile', 'staging', '--with-token'], { env, input: 'kt_wrong_token_1234\n' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: unknown token \(request id \S+\)\n/);
    expect(r.stderr).toContain(
      `hint: nothing was saved to profile "staging": check that the token on stdin is whole and was issued for ${emulator.url}, then pipe it to \`kt auth login --profile staging --with-token\` again\n`,
    );
    const flagged = await runKt(['--api-url', emulator.url, 'auth', 'login', '--with-token'], { env: { KT_CONFIG_DIR: dir }, input: 'kt_wrong_token_1234\n' });
    expect(flagged.stderr).toContain(`then pipe it to \`kt auth login --api-url ${emulator.url} --with-token\` again`);
    await expect(stat(join(dir, 'config.json'))).rejects.toThrow();
  });

  it.runIf(toolAvailable('script'))('a refused token at the prompt: the hint names the profile and the command to run again', async () => {
    const { env } = await freshConfig();
    const run = runKtInPty(['auth', 'login', '--profile', 'staging'], { ...env, NO_COLOR: '1' });
    await run.waitFor('Paste your API token: ');
    run.type('kt_wrong_token_1234\r');
    expect(await run.exit).toBe(4);
    const output = run.output().replace(/\r/g, '');
    expect(output).not.toContain('kt_wrong_token_1234');
    expect(output).toContain(
      `hint: nothing was saved to profile "staging": check that you pasted the whole token and that it was issued for ${emulator.url}, then run \`kt auth login --profile staging\` again`,
    );
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
    expect(p.token).toEqual({ value: 'pro…1234', source: 'file' });
    expect(p.config_file).toEqual({ value: join(dir, 'config.json'), source: 'env' });

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

  it('the table names the flag, variable, profile or file behind each value; an unset or empty token reads "not set"', async () => {
    const { dir } = await freshConfig();
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ profiles: { ci: { api_url: 'https://profile.example.com', token: '' } } }), { mode: 0o600 });
    const r = await runKt(['config', 'show', '--retries', '1'], { env: { KT_CONFIG_DIR: dir, KEEPTRUSTS_PROFILE: 'ci' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const w = file.length;
    expect(r.stdout).toBe(
      [
        `profile      ${'ci'.padEnd(w)}  (env KEEPTRUSTS_PROFILE)`,
        `api_url      ${'https://profile.example.com'.padEnd(w)}  (profile "ci")`,
        `token        not set`,
        `timeout_ms   ${'30000'.padEnd(w)}  (default)`,
        `retries      ${'1'.padEnd(w)}  (flag --retries)`,
        `config_file  ${file}  (env KT_CONFIG_DIR)`,
        '',
      ].join('\n'),
    );
  });

  it('the config file found by default reads (default); one under XDG_CONFIG_HOME names that variable', async () => {
    const home = await mkdtemp(join(tmpdir(), 'kt-home-'));
    const byDefault = JSON.parse((await runKt(['config', 'show', '--json'], { env: { HOME: home } })).stdout);
    expect(byDefault.config_file).toEqual({ value: join(home, '.config', 'kt', 'config.json'), source: 'default' });
    const xdg = await runKt(['config', 'show'], { env: { HOME: home, XDG_CONFIG_HOME: join(home, 'xdg') } });
    expect(xdg.stdout).toMatch(new RegExp(`^config_file  ${join(home, 'xdg', 'kt', 'config.json')}  \\(env XDG_CONFIG_HOME\\)$`, 'm'));
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

describe('a profile that does not exist', () => {
  async function withProfiles(): Promise<{ dir: string; file: string; env: Record<string, string> }> {
    const { dir, env } = await freshConfig();
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ profiles: { default: { api_url: emulator.url }, staging: { api_url: emulator.url, token: emulator.adminToken } } }), { mode: 0o600 });
    return { dir, file, env };
  }

  it('is exit 2 with a did-you-mean for a command that needs its token, from --profile or KEEPTRUSTS_PROFILE', async () => {
    const { file, env } = await withProfiles();
    const r = await runKt(['--profile', 'stagin', 'wallets', 'list'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: unknown profile "stagin": ${file} defines default, staging\nhint: did you mean "staging"? Or, to create "stagin", run \`kt auth login --profile stagin\`\n`,
    );
    const fromEnv = await runKt(['auth', 'whoami'], { env: { ...env, KEEPTRUSTS_PROFILE: 'stagin' } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('error: unknown profile "stagin" (from KEEPTRUSTS_PROFILE)');
    const far = await runKt(['--profile', 'production', 'wallets', 'list'], { env });
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('hint: to create "production", run `kt auth login --profile production`');
    // The right name works.
    expect((await runKt(['--profile', 'staging', 'wallets', 'list', '--format', 'json'], { env })).code).toBe(0);
  });

  it('is a warning where its token is not needed: config show, logout, and KEEPTRUSTS_API_TOKEN set', async () => {
    const { file, env } = await withProfiles();
    const warning = `warning: unknown profile "stagin": ${file} defines default, staging; did you mean "staging"? Or, to create "stagin", run \`kt auth login --profile stagin\`\n`;
    const shown = await runKt(['config', 'show', '--profile', 'stagin'], { env });
    expect(shown.code).toBe(0);
    expect(shown.stderr).toBe(warning);
    const out = await runKt(['auth', 'logout', '--profile', 'stagin'], { env });
    expect(out.code).toBe(0);
    expect(out.stderr).toBe(`${warning}Profile "stagin" has no stored token\n`);
    const api = await runKt(['wallets', 'list', '--profile', 'stagin', '--format', 'json'], { env: { ...env, KEEPTRUSTS_API_TOKEN: emulator.adminToken } });
    expect(api.code).toBe(0);
    expect(api.stderr).toBe(`warning: unknown profile "stagin": ${file} defines default, staging; using KEEPTRUSTS_API_TOKEN; did you mean "staging"? Or, to create "stagin", run \`kt auth login --profile stagin\`\n`);
  });

  it('login creates it; "default" needs no entry in the file', async () => {
    const { dir, env } = await freshConfig();
    const r = await runKt(['auth', 'login', '--profile', 'new-one', '--with-token', '--insecure-storage'], { env, input: `${emulator.adminToken}\n` });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('saved for new profile "new-one"');
    expect(Object.keys(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).profiles)).toEqual(['new-one']);
    const none = await runKt(['auth', 'whoami'], { env });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('error: not logged in: no API token for profile "default"');
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
