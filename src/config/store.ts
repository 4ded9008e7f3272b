// The config file: one JSON document of profiles, each with an API URL and
// where its token lives (`token_store`: "keyring" or "file"; the token itself
// only in the "file" case, or in a file written before kt used the keyring).
// Reading it is a plain readFileSync + JSON.parse, so read-only commands never
// load conf (which pulls in ajv, semver and an exit hook: a third of a balance
// call's start-up). Writes go through conf, loaded then: created mode 0600,
// written atomically. A file that cannot be read is an error naming it and is
// never reset: that would silently lose credentials.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FailureError } from '../errors.js';

export type TokenStoreKind = 'keyring' | 'file';

export interface StoredProfile {
  api_url?: string;
  /** Where the profile's token lives. Absent in files older than the keyring: a `token` there is a file token. */
  token_store?: TokenStoreKind;
  /** Only when token_store is "file" (or absent). */
  token?: string;
}

export interface StoredConfig {
  profiles?: Record<string, StoredProfile>;
}

export interface ConfigStore {
  readonly path: string;
  /** Every profile the file defines. */
  profiles(): Record<string, StoredProfile>;
  profile(name: string): StoredProfile;
  /** Replaces the profile with exactly `profile`. */
  saveProfile(name: string, profile: StoredProfile): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Which variable chose the config directory, when one did. */
export type ConfigDirVariable = 'KT_CONFIG_DIR' | 'XDG_CONFIG_HOME' | 'APPDATA';

const set = (value: string | undefined): value is string => value !== undefined && value !== '';

/** The variable that decides where the config directory is on this platform, if it is set. */
export function configDirVariable(env: Env, platform: NodeJS.Platform = process.platform): ConfigDirVariable | undefined {
  if (set(env.KT_CONFIG_DIR)) return 'KT_CONFIG_DIR';
  if (platform === 'win32') return set(env.APPDATA) ? 'APPDATA' : undefined;
  if (platform !== 'darwin' && set(env.XDG_CONFIG_HOME)) return 'XDG_CONFIG_HOME';
  return undefined;
}

/**
 * Where conf keeps the file: `$KT_CONFIG_DIR/config.json`, else the platform's
 * config directory for project "kt" (env-paths' rules, as conf applies them).
 */
export function configDir(env: Env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (set(env.KT_CONFIG_DIR)) return env.KT_CONFIG_DIR;
  if (platform === 'darwin') return join(home, 'Library', 'Preferences', 'kt');
  if (platform === 'win32') return join(set(env.APPDATA) ? env.APPDATA : join(home, 'AppData', 'Roaming'), 'kt', 'Config');
  return join(set(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config'), 'kt');
}

function unreadable(file: string, reason: string): FailureError {
  return new FailureError(`cannot read config file ${file}: ${reason}`, 'the file was left untouched; fix or remove it (it may hold your credentials)');
}

/** The profiles in `file`; none when it does not exist. Throws (naming the file) when it cannot be parsed. */
export function readProfiles(file: string): Record<string, StoredProfile> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw unreadable(file, error instanceof Error ? error.message : String(error));
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw unreadable(file, error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error));
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw unreadable(file, 'not a JSON object');
  const profiles = (data as StoredConfig).profiles;
  if (profiles === undefined) return {};
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) throw unreadable(file, '"profiles" is not an object');
  return profiles;
}

export async function openConfigStore(env: Env): Promise<ConfigStore> {
  const dir = configDir(env);
  const file = join(dir, 'config.json');
  // Parse now, so a corrupt file fails the command before anything else runs.
  readProfiles(file);
  const write = async (profiles: Record<string, StoredProfile>): Promise<void> => {
    const { default: Conf } = await import('conf');
    let conf;
    try {
      conf = new Conf<StoredConfig>({ projectName: 'kt', projectSuffix: '', cwd: dir, configFileMode: 0o600, clearInvalidConfig: false });
    } catch (error) {
      throw unreadable(file, error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error));
    }
    conf.set('profiles', profiles);
    if (existsSync(file)) chmodSync(file, 0o600);
  };
  return {
    path: file,
    profiles: () => readProfiles(file),
    profile: (name) => readProfiles(file)[name] ?? {},
    saveProfile: async (name, profile) => {
      await write({ ...readProfiles(file), [name]: profile });
    },
  };
}

/** `kt_…abcd`: enough to recognise a token, never enough to use it. */
export function redactToken(token: string): string {
  if (token.length <= 8) return '****';
  return `${token.slice(0, 3)}…${token.slice(-4)}`;
}
