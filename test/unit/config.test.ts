import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GlobalOptions } from '../../src/cli/context.js';
import { DEFAULT_API_URL, resolveConfig } from '../../src/config/resolve.js';
import { configDir, openConfigStore, readProfiles } from '../../src/config/store.js';
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

  it('the file conf writes is the file kt reads', async () => {
    const store = await openConfigStore({ KT_CONFIG_DIR: dir });
    await store.saveProfile('work', { api_url: 'http://127.0.0.1:1', token: 'kt_abcdefghijkl' });
    expect(store.path).toBe(join(dir, 'config.json'));
    expect(readProfiles(store.path)).toEqual({ work: { api_url: 'http://127.0.0.1:1', token: 'kt_abcdefghijkl' } });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(await store.removeToken('work')).toBe(true);
    expect(await store.removeToken('work')).toBe(false);
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual({ profiles: { work: { api_url: 'http://127.0.0.1:1' } } });
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
      expected: { profile: 'default', apiUrl: DEFAULT_API_URL, token: undefined, sources: { apiUrl: 'default', token: 'none', profile: 'default' } },
    },
    {
      name: 'profile only',
      flags: {},
      env: {},
      profiles: { default: { api_url: 'http://p', token: 'tok_profile' } },
      expected: { apiUrl: 'http://p', token: 'tok_profile', sources: { apiUrl: 'profile', token: 'profile' } },
    },
    {
      name: 'env beats profile',
      flags: {},
      env: { KEEPTRUSTS_API_URL: 'http://e', KEEPTRUSTS_API_TOKEN: 'tok_env' },
      profiles: { default: { api_url: 'http://p', token: 'tok_profile' } },
      expected: { apiUrl: 'http://e', token: 'tok_env', sources: { apiUrl: 'env', token: 'env' } },
    },
    {
      name: 'flag beats env',
      flags: { apiUrl: 'http://f' },
      env: { KEEPTRUSTS_API_URL: 'http://e' },
      profiles: {},
      expected: { apiUrl: 'http://f', sources: { apiUrl: 'flag' } },
    },
    {
      name: 'empty env values are unset',
      flags: {},
      env: { KEEPTRUSTS_API_URL: '', KEEPTRUSTS_API_TOKEN: '' },
      profiles: { default: { api_url: 'http://p', token: 'tok_profile' } },
      expected: { apiUrl: 'http://p', token: 'tok_profile', sources: { apiUrl: 'profile', token: 'profile' } },
    },
    {
      name: 'KEEPTRUSTS_PROFILE picks the profile, --profile beats it',
      flags: { profile: 'b' },
      env: { KEEPTRUSTS_PROFILE: 'a' },
      profiles: { a: { api_url: 'http://a' }, b: { api_url: 'http://b' } },
      expected: { profile: 'b', apiUrl: 'http://b', sources: { profile: 'flag', apiUrl: 'profile' } },
    },
    {
      name: 'KEEPTRUSTS_PROFILE alone',
      flags: {},
      env: { KEEPTRUSTS_PROFILE: 'a' },
      profiles: { a: { api_url: 'http://a' }, b: { api_url: 'http://b' } },
      expected: { profile: 'a', apiUrl: 'http://a', sources: { profile: 'env', apiUrl: 'profile' } },
    },
  ])('$name', async ({ flags, env, profiles, expected }) => {
    write(profiles);
    const resolved = await resolveConfig({ env: { KT_CONFIG_DIR: dir, ...env }, overrides: globals(flags) });
    expect(resolved).toMatchObject(expected);
    expect(resolved.configPath).toBe(join(dir, 'config.json'));
  });

  it('a corrupt file fails resolution with the file named', async () => {
    writeFileSync(join(dir, 'config.json'), '{');
    await expect(resolveConfig({ env: { KT_CONFIG_DIR: dir }, overrides: globals() })).rejects.toThrow(`cannot read config file ${join(dir, 'config.json')}`);
  });
});
