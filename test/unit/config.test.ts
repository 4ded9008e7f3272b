import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GlobalOptions } from '../../src/cli/context.js';
import { DEFAULT_API_URL, resolveConfig } from '../../src/config/resolve.js';
import { configDir, configDirVariable, openConfigStore, readProfiles } from '../../src/config/store.js';
import { FailureError } from '../../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kt-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const globals = (over: Partial<GlobalOptions> = {}): GlobalOptions => ({
  apiUrl: undefined,
  profile: undefined,
  color: false,
  quiet: false,
  debug: false,
  timeoutMs: undefined,
  retries: undefined,
  insecure: false,
  ...over,
});

describe('configDir: where conf keeps the file', () => {
  it.each([
    ['linux', {}, '/home/u/.config/kt'],
    ['linux', { XDG_CONFIG_HOME: '/x' }, '/x/kt'],
    ['linux', { XDG_CONFIG_HOME: '' }, '/home/u/.config/kt'],
    ['darwin', {}, '/home/u/Library/Preferences/kt'],
    ['linux', { KT_CONFIG_DIR: '/etc/kt' }, '/etc/kt'],
  ] as const)('%s %j → %s', (platform, env, expected) => {
    expect(configDir(env, platform, '/home/u')).toBe(expected);
  });

  it('the file conf writes is the file kt reads, mode 0600', async () => {
    const store = await openConfigStore({ KT_CONFIG_DIR: dir });
    await store.saveProfile('work', { api_url: 'http://127.0.0.1:1', token_store: 'file', token: 'kt_abcdefghijkl' });
    expect(store.path).toBe(join(dir, 'config.json'));
    expect(readProfiles(store.path)).toEqual({ work: { api_url: 'http://127.0.0.1:1', token_store: 'file', token: 'kt_abcdefghijkl' } });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    await store.saveProfile('work', { api_url: 'http://127.0.0.1:1', token_store: 'keyring' });
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual({ profiles: { work: { api_url: 'http://127.0.0.1:1', token_store: 'keyring' } } });
  });

  it.each([
    ['linux', { KT_CONFIG_DIR: '/etc/kt', XDG_CONFIG_HOME: '/x' }, 'KT_CONFIG_DIR'],
    ['linux', { XDG_CONFIG_HOME: '/x' }, 'XDG_CONFIG_HOME'],
    ['linux', { XDG_CONFIG_HOME: '' }, undefined],
    ['darwin', { XDG_CONFIG_HOME: '/x' }, undefined],
    ['win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'APPDATA'],
  ] as const)('the variable that chose the directory: %s %j → %s', (platform, env, expected) => {
    expect(configDirVariable(env, platform)).toBe(expected);
  });
});

describe('readProfiles', () => {
  it('a missing file has no profiles', () => {
    expect(readProfiles(join(dir, 'nope.json'))).toEqual({});
  });

  it.each([
    ['{ not json', /cannot read config file .*config\.json: .*JSON/],
    ['', /cannot read config file .*config\.json: /],
    ['[1,2]', /cannot read config file .*config\.json: not a JSON object/],
    ['{"profiles": "x"}', /cannot read config file .*config\.json: "profiles" is not an object/],
  ])('%j is an error naming the file, and the file is left alone', (text, message) => {
    const file = join(dir, 'config.json');
    writeFileSync(file, text);
    expect(() => readProfiles(file)).toThrow(FailureError);
    expect(() => readProfiles(file)).toThrow(message);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('resolveConfig precedence: flags > environment > profile > defaults', () => {
  const write = (profiles: object): void => writeFileSync(join(dir, 'config.json'), JSON.stringify({ profiles }));

  it.each([
    {
      name: 'nothing set',
      flags: {},
      env: {},
      profiles: {},
      expected: { profile: 'default', apiUrl: DEFAULT_API_URL, sources: { apiUrl: 'default', profile: 'default' } },
      token: { value: undefined, source: 'none' },
    },
    {
      name: 'profile only (a token written before the keyring: a file token)',
      flags: {},
      env: {},
      profiles: { default: { api_url: 'http://p', token: 'tok_profile' } },
      expected: { apiUrl: 'http://p', sources: { apiUrl: 'profile' }, tokenLocation: 'file' },
      token: { value: 'tok_profile', source: 'file' },
    },
    {
      name: 'env beats profile',
      flags: {},
      env: { KEEPTRUSTS_API_URL: 'http://e', KEEPTRUSTS_API_TOKEN: 'tok_env' },
      profiles: { default: { api_url: 'http://p', token: 'tok_profile' } },
      expected: { apiUrl: 'http://e', sources: { apiUrl: 'env' }, variables: { apiUrl: 'KEEPTRUSTS_API_URL' }, tokenLocation: 'env' },
      token: { value: 'tok_env', source: 'env', where: 'KEEPTRUSTS_API_TOKEN' },
    },
    {
      name: 'flag beats env',
      flags: { apiUrl: 'http://f' },
      env: { KEEPTRUSTS_API_URL: 'http://e' },
      profiles: {},
      expected: { apiUrl: 'http://f', sources: { apiUrl: 'flag' } },
      token: { source: 'none' },
    },
    {
      name: 'empty env values are unset',
      flags: {},
      env: { KEEPTRUSTS_API_URL: '', KEEPTRUSTS_API_TOKEN: '' },
      profiles: { default: { api_url: 'http://p', token: 'tok_profile' } },
      expected: { apiUrl: 'http://p', sources: { apiUrl: 'profile' } },
      token: { value: 'tok_profile', source: 'file' },
    },
    {
      name: 'an empty token in the file is no token',
      flags: {},
      env: {},
      profiles: { default: { token: '' } },
      expected: { tokenLocation: 'none' },
      token: { value: undefined, source: 'none' },
    },
    {
      name: 'KEEPTRUSTS_PROFILE picks the profile, --profile beats it',
      flags: { profile: 'b' },
      env: { KEEPTRUSTS_PROFILE: 'a' },
      profiles: { a: { api_url: 'http://a' }, b: { api_url: 'http://b' } },
      expected: { profile: 'b', apiUrl: 'http://b', sources: { profile: 'flag', apiUrl: 'profile' }, profiles: ['a', 'b'], profileExists: true },
      token: { source: 'none' },
    },
    {
      name: 'KEEPTRUSTS_PROFILE alone',
      flags: {},
      env: { KEEPTRUSTS_PROFILE: 'a' },
      profiles: { a: { api_url: 'http://a' }, b: { api_url: 'http://b' } },
      expected: { profile: 'a', apiUrl: 'http://a', sources: { profile: 'env', apiUrl: 'profile' }, variables: { profile: 'KEEPTRUSTS_PROFILE' } },
      token: { source: 'none' },
    },
    {
      name: 'a named profile the file does not define',
      flags: { profile: 'stagin' },
      env: {},
      profiles: { staging: { api_url: 'http://s' } },
      expected: { profile: 'stagin', apiUrl: DEFAULT_API_URL, profileExists: false, profiles: ['staging'] },
      token: { source: 'none' },
    },
    {
      name: '"default" exists without being in the file',
      flags: { profile: 'default' },
      env: {},
      profiles: {},
      expected: { profile: 'default', profileExists: true, profiles: [] },
      token: { source: 'none' },
    },
  ])('$name', async ({ flags, env, profiles, expected, token }) => {
    write(profiles);
    const resolved = await resolveConfig({ env: { KT_CONFIG_DIR: dir, ...env }, overrides: globals(flags) });
    expect(resolved).toMatchObject(expected);
    expect(await resolved.token()).toMatchObject(token);
    expect(resolved.configPath).toBe(join(dir, 'config.json'));
    expect(resolved.sources.configFile).toBe('env');
    expect(resolved.variables.configFile).toBe('KT_CONFIG_DIR');
  });

  it('a corrupt file fails resolution with the file named', async () => {
    writeFileSync(join(dir, 'config.json'), '{');
    await expect(resolveConfig({ env: { KT_CONFIG_DIR: dir }, overrides: globals() })).rejects.toThrow(`cannot read config file ${join(dir, 'config.json')}`);
  });
});
