// The config file: one JSON document of profiles, each with an API URL and a
// token. Loaded lazily (conf pulls in ajv); created mode 0600; never reset
// when it cannot be read, because that would silently lose credentials.
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type Conf from 'conf';
import { FailureError } from '../errors.js';

export interface StoredProfile {
  api_url?: string;
  token?: string;
}

export interface StoredConfig {
  profiles?: Record<string, StoredProfile>;
}

export interface ConfigStore {
  readonly path: string;
  profile(name: string): StoredProfile;
  saveProfile(name: string, profile: StoredProfile): void;
  removeToken(name: string): boolean;
}

export async function openConfigStore(env: Readonly<Record<string, string | undefined>>): Promise<ConfigStore> {
  const { default: ConfCtor } = await import('conf');
  const cwd = env.KT_CONFIG_DIR !== undefined && env.KT_CONFIG_DIR !== '' ? env.KT_CONFIG_DIR : undefined;
  let conf: Conf<StoredConfig>;
  const path = cwd !== undefined ? join(cwd, 'config.json') : undefined;
  try {
    conf = new ConfCtor<StoredConfig>({
      projectName: 'kt',
      projectSuffix: '',
      ...(cwd !== undefined ? { cwd } : {}),
      configFileMode: 0o600,
      clearInvalidConfig: false,
    });
  } catch (error) {
    const where = path ?? 'the kt config file';
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new FailureError(
      `cannot read config file ${where}: ${reason}`,
      'the file was left untouched; fix or remove it (it may hold your credentials)',
    );
  }
  const file = conf.path;
  const profiles = (): Record<string, StoredProfile> => {
    const value = conf.get('profiles');
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new FailureError(`cannot read config file ${file}: "profiles" is not an object`, 'the file was left untouched; fix or remove it');
    }
    return value ?? {};
  };
  const tighten = (): void => {
    if (existsSync(file)) chmodSync(file, 0o600);
  };
  return {
    path: file,
    profile: (name) => profiles()[name] ?? {},
    saveProfile: (name, profile) => {
      conf.set('profiles', { ...profiles(), [name]: profile });
      tighten();
    },
    removeToken: (name) => {
      const all = profiles();
      const current = all[name];
      if (current?.token === undefined) return false;
      const { token: _token, ...rest } = current;
      conf.set('profiles', { ...all, [name]: rest });
      tighten();
      return true;
    },
  };
}

/** `kt_…abcd`: enough to recognise a token, never enough to use it. */
export function redactToken(token: string): string {
  if (token.length <= 8) return '****';
  return `${token.slice(0, 3)}…${token.slice(-4)}`;
}
