// Where tokens live, behind the SecretStore interface: an in-process store
// stands in for the OS keyring (the real one, a Secret Service on a private
// bus, is exercised end to end in test/e2e/keyring.test.ts).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyringAccount, readToken, removeToken, storeToken, type CredentialDeps } from '../../src/config/credentials.js';
import { keyringName, keyringReason } from '../../src/config/keyring.js';
import { KeyringAccessError, KeyringUnavailableError, type SecretStore } from '../../src/config/secret-store.js';
import { openConfigStore, type StoredProfile } from '../../src/config/store.js';
import { AuthError } from '../../src/errors.js';

/** An in-memory keyring; `fail` makes every call fail as a real one can. Counts how often it was opened. */
class MemoryKeyring implements SecretStore {
  readonly name = 'Test Keyring';
  readonly entries = new Map<string, string>();
  fail: (() => Error) | undefined;
  opened = 0;
  private check(): void {
    if (this.fail !== undefined) throw this.fail();
  }
  get(account: string): Promise<string | undefined> {
    this.check();
    return Promise.resolve(this.entries.get(account));
  }
  set(account: string, secret: string): Promise<void> {
    this.check();
    this.entries.set(account, secret);
    return Promise.resolve();
  }
  delete(account: string): Promise<boolean> {
    this.check();
    return Promise.resolve(this.entries.delete(account));
  }
}

let dir: string;
let keyring: MemoryKeyring;
/** Set to make opening the keyring fail (no keyring on this machine). */
let unavailable: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kt-cred-'));
  keyring = new MemoryKeyring();
  unavailable = undefined;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function deps(env: Record<string, string> = {}): Promise<CredentialDeps> {
  const fullEnv = { KT_CONFIG_DIR: dir, ...env };
  return {
    env: fullEnv,
    store: await openConfigStore(fullEnv),
    openKeyring: () => {
      keyring.opened += 1;
      if (unavailable !== undefined) return Promise.reject(new KeyringUnavailableError(keyring.name, unavailable));
      return Promise.resolve(keyring);
    },
  };
}

const file = (): string => join(dir, 'config.json');
const profiles = (): Record<string, StoredProfile> => (JSON.parse(readFileSync(file(), 'utf8')) as { profiles: Record<string, StoredProfile> }).profiles;
const account = (profile: string): string => `${profile}@${resolve(dir)}`;
const locked = (): Error => new KeyringAccessError('Test Keyring', 'unlock prompt was dismissed');

describe('storeToken', () => {
  it('puts the token in the keyring and only its whereabouts in the file', async () => {
    const d = await deps();
    const stored = await storeToken(d, 'default', 'kt_secret_1234', { insecureStorage: false, apiUrl: 'https://api.example.com' });
    expect(stored).toEqual({ kind: 'keyring', where: 'Test Keyring', movedFromFile: false });
    expect(keyring.entries.get(account('default'))).toBe('kt_secret_1234');
    expect(profiles()).toEqual({ default: { api_url: 'https://api.example.com', token_store: 'keyring' } });
    expect(readFileSync(file(), 'utf8')).not.toContain('kt_secret_1234');
  });

  it('moves a token from the file into the keyring (migration), keeping the URL', async () => {
    writeFileSync(file(), JSON.stringify({ profiles: { ci: { api_url: 'https://ci.example.com', token: 'kt_old_token_9999' }, other: { token: 'kt_other_0000' } } }));
    const d = await deps();
    expect(await readToken(d, 'ci')).toEqual({ value: 'kt_old_token_9999', source: 'file', where: file() });
    expect(keyring.opened).toBe(0);
    const stored = await storeToken(d, 'ci', 'kt_new_token_1111', { insecureStorage: false });
    expect(stored.movedFromFile).toBe(true);
    expect(profiles()).toEqual({ ci: { api_url: 'https://ci.example.com', token_store: 'keyring' }, other: { token: 'kt_other_0000' } });
    expect(await readToken(d, 'ci')).toEqual({ value: 'kt_new_token_1111', source: 'keyring', where: 'Test Keyring' });
    // The other profile is untouched and still read from the file.
    expect(await readToken(d, 'other')).toMatchObject({ value: 'kt_other_0000', source: 'file' });
  });

  it('without a keyring falls back to the 0600 file and reports why', async () => {
    unavailable = 'The name org.freedesktop.secrets was not provided by any .service files';
    const d = await deps();
    const stored = await storeToken(d, 'default', 'kt_secret_1234', { insecureStorage: false });
    expect(stored.kind).toBe('file');
    expect(stored.where).toBe(file());
    expect(stored.noKeyring?.reason).toBe(unavailable);
    expect(profiles()).toEqual({ default: { token_store: 'file', token: 'kt_secret_1234' } });
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });

  it('a keyring that refuses is an error naming it and the ways out; nothing is stored anywhere', async () => {
    writeFileSync(file(), JSON.stringify({ profiles: { staging: { api_url: 'https://s.example.com' } } }));
    keyring.fail = locked;
    const d = await deps();
    const error = await storeToken(d, 'staging', 'kt_secret_1234', { insecureStorage: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({
      exitCode: 4,
      message: 'cannot store the token in the Test Keyring: unlock prompt was dismissed; nothing was saved',
      hint: 'unlock the keyring and run `kt auth login --profile staging` again, set KEEPTRUSTS_API_TOKEN instead, or run `kt auth login --profile staging --insecure-storage` to keep the token in a 0600 file',
    });
    expect(profiles()).toEqual({ staging: { api_url: 'https://s.example.com' } });
    expect(keyring.entries.size).toBe(0);
  });

  it('--insecure-storage writes the file without opening the keyring', async () => {
    const d = await deps();
    const stored = await storeToken(d, 'default', 'kt_secret_1234', { insecureStorage: true });
    expect(stored).toEqual({ kind: 'file', where: file(), movedFromFile: false });
    expect(keyring.opened).toBe(0);
    expect(profiles()).toEqual({ default: { token_store: 'file', token: 'kt_secret_1234' } });
  });

  it('--insecure-storage over a keyring profile removes the keyring entry, or says it could not', async () => {
    const d = await deps();
    await storeToken(d, 'default', 'kt_first_1234', { insecureStorage: false });
    expect(keyring.entries.size).toBe(1);
    await storeToken(d, 'default', 'kt_second_5678', { insecureStorage: true });
    expect(keyring.entries.size).toBe(0);
    expect(await readToken(d, 'default')).toMatchObject({ value: 'kt_second_5678', source: 'file' });

    await storeToken(d, 'default', 'kt_third_9012', { insecureStorage: false });
    keyring.fail = locked;
    const stored = await storeToken(d, 'default', 'kt_fourth_3456', { insecureStorage: true });
    expect(stored.leftInKeyring).toBe(
      `the previous token of profile "default" is still in the Test Keyring (unlock prompt was dismissed); remove it there (service "keeptrusts-kt", account "${account('default')}")`,
    );
    expect(profiles().default).toEqual({ token_store: 'file', token: 'kt_fourth_3456' });
  });
});

describe('readToken: environment, then keyring, then file', () => {
  it('KEEPTRUSTS_API_TOKEN comes first and never opens the keyring', async () => {
    writeFileSync(file(), JSON.stringify({ profiles: { default: { token_store: 'keyring' } } }));
    const d = await deps({ KEEPTRUSTS_API_TOKEN: 'kt_env_token_1234' });
    expect(await readToken(d, 'default')).toEqual({ value: 'kt_env_token_1234', source: 'env', where: 'KEEPTRUSTS_API_TOKEN' });
    expect(keyring.opened).toBe(0);
  });

  it('a profile with no token, or a file token, never opens the keyring', async () => {
    writeFileSync(file(), JSON.stringify({ profiles: { a: { api_url: 'https://a' }, b: { token_store: 'file', token: 'kt_b_token_1234' } } }));
    const d = await deps();
    expect(await readToken(d, 'a')).toEqual({ value: undefined, source: 'none', where: undefined });
    expect(await readToken(d, 'nope')).toEqual({ value: undefined, source: 'none', where: undefined });
    expect(await readToken(d, 'b')).toEqual({ value: 'kt_b_token_1234', source: 'file', where: file() });
    expect(keyring.opened).toBe(0);
  });

  it('a keyring entry that has gone is reported as missing', async () => {
    writeFileSync(file(), JSON.stringify({ profiles: { default: { token_store: 'keyring' } } }));
    const d = await deps();
    expect(await readToken(d, 'default')).toEqual({
      value: undefined,
      source: 'none',
      where: undefined,
      missing: `the Test Keyring has no token for profile "default" although ${file()} says it is there`,
    });
  });

  it('a locked keyring and a missing one are errors (exit 4) naming the keyring and the ways out', async () => {
    writeFileSync(file(), JSON.stringify({ profiles: { ci: { token_store: 'keyring' } } }));
    keyring.fail = locked;
    const d = await deps();
    await expect(readToken(d, 'ci')).rejects.toMatchObject({
      exitCode: 4,
      message: 'cannot read the token of profile "ci" from the Test Keyring: unlock prompt was dismissed',
      hint: 'unlock the keyring and try again, set KEEPTRUSTS_API_TOKEN, or log in again with `kt auth login --profile ci --insecure-storage` to keep the token in a 0600 file',
    });
    keyring.fail = undefined;
    unavailable = 'Failed to connect to socket /run/user/1000/bus: No such file or directory';
    await expect(readToken(d, 'ci')).rejects.toMatchObject({
      exitCode: 4,
      message: `the token of profile "ci" is in the Test Keyring, which is not available here: ${unavailable}`,
      hint: 'set KEEPTRUSTS_API_TOKEN, run kt where the keyring is available, or log in again with `kt auth login --profile ci --insecure-storage` to keep the token in a 0600 file',
    });
  });
});

describe('removeToken: wherever the token is', () => {
  it('removes a keyring token and a file token, keeps the profile and its URL, and reports nothing to remove after', async () => {
    writeFileSync(file(), JSON.stringify({ profiles: { old: { api_url: 'https://o', token: 'kt_file_token_1' } } }));
    const d = await deps();
    await storeToken(d, 'default', 'kt_key_token_12', { insecureStorage: false, apiUrl: 'https://k' });
    expect(await removeToken(d, 'default')).toEqual(['Test Keyring']);
    expect(keyring.entries.size).toBe(0);
    expect(await removeToken(d, 'old')).toEqual([file()]);
    expect(profiles()).toEqual({ old: { api_url: 'https://o' }, default: { api_url: 'https://k' } });
    expect(await removeToken(d, 'default')).toEqual([]);
    expect(await removeToken(d, 'never')).toEqual([]);
  });

  it('a locked keyring is an error and the config still says where the token is', async () => {
    const d = await deps();
    await storeToken(d, 'default', 'kt_key_token_12', { insecureStorage: false });
    keyring.fail = locked;
    await expect(removeToken(d, 'default')).rejects.toMatchObject({
      exitCode: 4,
      message: 'cannot remove the token of profile "default" from the Test Keyring: unlock prompt was dismissed',
      hint: 'unlock the keyring and run `kt auth logout` again',
    });
    expect(profiles().default).toEqual({ token_store: 'keyring' });
  });
});

describe('keyring entries', () => {
  it('one account per profile; a KT_CONFIG_DIR is its own namespace', async () => {
    expect(keyringAccount('default', {})).toBe('default');
    expect(keyringAccount('staging', { KT_CONFIG_DIR: '' })).toBe('staging');
    expect(keyringAccount('default', { KT_CONFIG_DIR: '/etc/kt' })).toBe('default@/etc/kt');
    const a = await deps();
    await storeToken(a, 'default', 'kt_token_a_1234', { insecureStorage: false });
    await storeToken(a, 'staging', 'kt_token_s_1234', { insecureStorage: false });
    const other = mkdtempSync(join(tmpdir(), 'kt-cred-other-'));
    try {
      const b = { ...a, env: { KT_CONFIG_DIR: other }, store: await openConfigStore({ KT_CONFIG_DIR: other }) };
      await storeToken(b, 'default', 'kt_token_b_1234', { insecureStorage: false });
      expect(keyring.entries.size).toBe(3);
      expect(await readToken(a, 'default')).toMatchObject({ value: 'kt_token_a_1234' });
      expect(await readToken(b, 'default')).toMatchObject({ value: 'kt_token_b_1234' });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it.each([
    ['Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files', 'The name org.freedesktop.secrets was not provided by any .service files'],
    ["Couldn't access platform storage: Secret Service: unlock prompt was dismissed", 'unlock prompt was dismissed'],
    ['', 'unknown error'],
    [
      'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
      'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)',
    ],
  ])('the binding says %j: kt says %j', (message, reason) => {
    expect(keyringReason(new Error(message))).toBe(reason);
  });

  it.each([
    ['darwin', 'macOS Keychain'],
    ['win32', 'Windows Credential Manager'],
    ['linux', 'Secret Service'],
    ['freebsd', 'Secret Service'],
  ] as const)('%s: %s', (platform, name) => {
    expect(keyringName(platform)).toBe(name);
  });
});
