// kt auth with a real Secret Service: gnome-keyring-daemon on a private
// session bus (test/helpers/secret-service.ts), the built kt against a real
// emulator. The daemon and kt share one temporary HOME, as on a desktop: the
// keyring's files and kt's config file both live under it, so "no file under
// HOME holds the token" covers both. Skipped with a notice where gnome-keyring,
// dbus or secret-tool is missing; .ci/run installs them and makes that a
// failure (KT_REQUIRE_TOOLS).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runKt, type KtResult } from '../helpers/run-kt.js';
import { startEmulator, type Emulator } from '../helpers/emulator.js';
import { secretServiceAvailable, startSecretService, type SecretService } from '../helpers/secret-service.js';

const available = secretServiceAvailable();

let emulator: Emulator;
let keyring: SecretService | undefined;
beforeAll(async () => {
  if (available) emulator = await startEmulator();
});
afterAll(async () => {
  if (available) await emulator.stop();
});
afterEach(async () => {
  await keyring?.stop();
  keyring = undefined;
});

/** A fresh Secret Service and the environment of a user whose HOME holds its keyring and kt's config. */
async function desktop(): Promise<{ ss: SecretService; env: Record<string, string>; configFile: string }> {
  keyring = await startSecretService();
  const env = { HOME: keyring.home, KEEPTRUSTS_API_URL: emulator.url, ...keyring.env };
  return { ss: keyring, env, configFile: join(keyring.home, '.config', 'kt', 'config.json') };
}

/** Every regular file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && readFileSync(path).includes(needle)) hits.push(path);
  }
  return hits;
}

const login = (env: Record<string, string>, token: string, args: string[] = []): Promise<KtResult> =>
  runKt(['auth', 'login', '--with-token', ...args], { env, input: `${token}\n` });

describe.runIf(available)('kt auth with a Secret Service', () => {
  it('login stores the token in the keyring and no file under HOME holds it; whoami, config show and the API read it; logout removes it', async () => {
    const { ss, env, configFile } = await desktop();
    const token = emulator.adminToken;
    const r = await login(env, token);
    expect(r.stderr).toBe(`Logged in to ${emulator.url} as admin (demo) with token kt_…${token.slice(-4)}; saved for new profile "default" in the Secret Service\n`);
    expect(r.code).toBe(0);
    expect(ss.lookup('default')).toBe(token);
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual({ profiles: { default: { api_url: emulator.url, token_store: 'keyring' } } });
    expect(filesContaining(ss.home, token)).toEqual([]);
    // The check can fail: the keyring's own files are there, and a file token would be found.
    expect(filesContaining(ss.home, 'token_store')).toEqual([configFile]);

    const who = await runKt(['auth', 'whoami'], { env });
    expect(who.code).toBe(0);
    expect(who.stdout).toContain(`token:         kt_…${token.slice(-4)} (from keyring: Secret Service)\n`);
    expect(who.stdout).not.toContain(token);
    expect(JSON.parse((await runKt(['auth', 'whoami', '--json'], { env })).stdout)).toMatchObject({ user: 'admin', token_source: 'keyring' });

    const shown = await runKt(['config', 'show'], { env });
    // the token's last four characters are base64url: letters, digits, - or _ (no regex metacharacter)
    expect(shown.stdout).toMatch(new RegExp(`^token {8}kt_…${token.slice(-4)} +\\(keyring: Secret Service\\)$`, 'm'));
    expect(shown.stdout).not.toContain(token);
    expect(JSON.parse((await runKt(['config', 'show', '--json'], { env })).stdout).token).toEqual({ value: `kt_…${token.slice(-4)}`, source: 'keyring' });

    const list = await runKt(['wallets', 'list', '--format', 'json'], { env });
    expect(list.code).toBe(0);
    expect(list.stderr).toBe('');

    const out = await runKt(['auth', 'logout'], { env });
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('Removed the token of profile "default" from the Secret Service\n');
    expect(ss.lookup('default')).toBeUndefined();
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual({ profiles: { default: { api_url: emulator.url } } });
    const after = await runKt(['auth', 'whoami'], { env });
    expect(after.code).toBe(4);
    expect(after.stderr).toContain('error: not logged in: no API token for profile "default"');
    expect((await runKt(['auth', 'logout'], { env })).stderr).toBe('Profile "default" has no stored token\n');
  });

  it('migration: file tokens keep working; login again moves each into its own keyring entry and out of the file', async () => {
    const { ss, env, configFile } = await desktop();
    const other = emulator.gatewayToken;
    mkdirSync(join(ss.home, '.config', 'kt'), { recursive: true });
    writeFileSync(
      configFile,
      JSON.stringify({ profiles: { default: { api_url: emulator.url, token: emulator.adminToken }, ops: { api_url: emulator.url, token: other } } }),
      { mode: 0o600 },
    );
    const fileWho = await runKt(['auth', 'whoami', '--profile', 'ops'], { env });
    expect(fileWho.code).toBe(0);
    expect(fileWho.stdout).toContain(`(from file ${configFile})`);

    const first = await login(env, emulator.adminToken);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`Moved the token of profile "default" out of ${configFile} into the Secret Service`);
    expect(ss.lookup('default')).toBe(emulator.adminToken);
    expect(filesContaining(ss.home, emulator.adminToken)).toEqual([]);
    // ops is untouched and still read from the file.
    expect(filesContaining(ss.home, other)).toEqual([configFile]);
    expect((await runKt(['auth', 'whoami', '--profile', 'ops'], { env })).stdout).toContain(`(from file ${configFile})`);

    const second = await login(env, other, ['--profile', 'ops']);
    expect(second.code).toBe(0);
    expect(ss.lookup('ops')).toBe(other);
    expect(ss.lookup('default')).toBe(emulator.adminToken);
    expect(filesContaining(ss.home, other)).toEqual([]);
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual({
      profiles: { default: { api_url: emulator.url, token_store: 'keyring' }, ops: { api_url: emulator.url, token_store: 'keyring' } },
    });
    expect((await runKt(['auth', 'whoami', '--profile', 'ops'], { env })).stdout).toContain('(from keyring: Secret Service)');
    // KEEPTRUSTS_API_TOKEN still comes first.
    const fromEnv = await runKt(['auth', 'whoami', '--json'], { env: { ...env, KEEPTRUSTS_API_TOKEN: other } });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ token_source: 'env' });
  });

  it('a locked keyring: whoami, login and logout fail with exit 4 naming it and the ways out; nothing is stored elsewhere', async () => {
    const { ss, env, configFile } = await desktop();
    expect((await login(env, emulator.adminToken)).code).toBe(0);
    const before = readFileSync(configFile, 'utf8');
    ss.lock();

    const who = await runKt(['auth', 'whoami'], { env });
    expect(who.code).toBe(4);
    expect(who.stderr).toMatch(/^error: cannot read the token of profile "default" from the Secret Service: .+\n/);
    expect(who.stderr).toContain(
      'hint: unlock the keyring and try again, set KEEPTRUSTS_API_TOKEN, or log in again with `kt auth login --insecure-storage` to keep the token in a 0600 file\n',
    );
    expect(who.stdout).toBe('');

    const shown = await runKt(['config', 'show'], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^token {8}unreadable +\(keyring\)$/m);
    expect(shown.stderr).toMatch(/^warning: cannot read the token of profile "default" from the Secret Service/);

    const again = await login(env, emulator.adminToken);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/^error: cannot store the token in the Secret Service: .+; nothing was saved\n/);
    expect(again.stderr).toContain('or run `kt auth login --insecure-storage` to keep the token in a 0600 file\n');
    expect(readFileSync(configFile, 'utf8')).toBe(before);
    expect(filesContaining(ss.home, emulator.adminToken)).toEqual([]);

    const out = await runKt(['auth', 'logout'], { env });
    expect(out.code).toBe(4);
    expect(out.stderr).toMatch(/^error: cannot remove the token of profile "default" from the Secret Service: /);
    expect(readFileSync(configFile, 'utf8')).toBe(before);

    // The way out: the file, on purpose. The old keyring entry cannot be removed while locked, and kt says so.
    const insecure = await login(env, emulator.adminToken, ['--insecure-storage']);
    expect(insecure.code).toBe(0);
    expect(insecure.stderr).toContain('warning: the previous token of profile "default" is still in the Secret Service');
    expect(JSON.parse(readFileSync(configFile, 'utf8')).profiles.default).toEqual({ api_url: emulator.url, token_store: 'file', token: emulator.adminToken });
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect((await runKt(['auth', 'whoami'], { env })).stdout).toContain(`(from file ${configFile})`);
  });

  it('--insecure-storage writes the 0600 file on purpose, with no warning and nothing in the keyring', async () => {
    const { ss, env, configFile } = await desktop();
    const r = await login(env, emulator.adminToken, ['--insecure-storage']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`Logged in to ${emulator.url} as admin (demo) with token kt_…${emulator.adminToken.slice(-4)}; saved for new profile "default" in ${configFile} (mode 0600)\n`);
    expect(ss.lookup('default')).toBeUndefined();
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    // Back to the keyring: login without the flag moves it.
    expect((await login(env, emulator.adminToken)).stderr).toContain(`Moved the token of profile "default" out of ${configFile} into the Secret Service`);
    expect(ss.lookup('default')).toBe(emulator.adminToken);
    expect(filesContaining(ss.home, emulator.adminToken)).toEqual([]);
  });

  it('a session bus without a Secret Service on it: login falls back to the file with the warning', async () => {
    const { ss } = await desktop();
    const configDir = join(ss.home, 'nobus');
    // A bus that offers no services at all: no gnome-keyring to activate.
    const busConfig = join(ss.home, 'bus.conf');
    writeFileSync(
      busConfig,
      '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n' +
        `<busconfig><type>session</type><listen>unix:tmpdir=${ss.home}</listen><auth>EXTERNAL</auth>` +
        '<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>\n',
    );
    const r = await runOnBus(busConfig, ['auth', 'login', '--with-token'], { KT_CONFIG_DIR: configDir, KEEPTRUSTS_API_URL: emulator.url }, `${emulator.adminToken}\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: no keyring here (Secret Service: The name org.freedesktop.secrets was not provided by any .service files)');
    expect(JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')).profiles.default.token_store).toBe('file');
  });
});

/** Runs kt inside its own dbus-run-session with the given bus configuration. */
function runOnBus(busConfig: string, args: string[], env: Record<string, string>, input: string): Promise<KtResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('dbus-run-session', [`--config-file=${busConfig}`, '--', process.execPath, join(import.meta.dirname, '../../bin/kt.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: env.HOME ?? process.env.HOME ?? '', LANG: 'C.UTF-8', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr: stderr.replace(/^dbus-daemon\[\d+\]: .*\n/gm, '') }));
    child.stdin.end(input);
  });
}
