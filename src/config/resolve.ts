// Effective configuration: flags > environment > profile > defaults.
import { openConfigStore } from './store.js';

/** What the command line says about configuration; undefined where it says nothing. */
export interface ConfigOverrides {
  apiUrl: string | undefined;
  profile: string | undefined;
  timeoutMs: number | undefined;
  retries: number | undefined;
  insecure: boolean;
}

export const DEFAULT_API_URL = 'https://api.keeptrusts.com';
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 3;

export type Source = 'flag' | 'env' | 'profile' | 'default';

export interface ResolvedConfig {
  profile: string;
  apiUrl: string;
  token: string | undefined;
  timeoutMs: number;
  retries: number;
  insecure: boolean;
  /** Where each setting came from, for `kt config show`. */
  sources: { profile: Source; apiUrl: Source; token: Source | 'none'; timeoutMs: Source; retries: Source };
  /** Absolute path of the config file (it may not exist yet). */
  configPath: string;
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

export async function resolveConfig(input: {
  env: Readonly<Record<string, string | undefined>>;
  overrides: ConfigOverrides;
}): Promise<ResolvedConfig> {
  const { env, overrides: globals } = input;
  const envProfile = nonEmpty(env.KEEPTRUSTS_PROFILE);
  const profile = globals.profile ?? envProfile ?? 'default';
  const store = await openConfigStore(env);
  const stored = store.profile(profile);
  const envUrl = nonEmpty(env.KEEPTRUSTS_API_URL);
  const envToken = nonEmpty(env.KEEPTRUSTS_API_TOKEN);
  const pick = <T>(flag: T | undefined, fromEnv: T | undefined, fromProfile: T | undefined, fallback: T): [T, Source] => {
    if (flag !== undefined) return [flag, 'flag'];
    if (fromEnv !== undefined) return [fromEnv, 'env'];
    if (fromProfile !== undefined) return [fromProfile, 'profile'];
    return [fallback, 'default'];
  };
  const [apiUrl, apiUrlSource] = pick(globals.apiUrl, envUrl, stored.api_url, DEFAULT_API_URL);
  const token = envToken ?? stored.token;
  return {
    profile,
    apiUrl,
    token,
    timeoutMs: globals.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retries: globals.retries ?? DEFAULT_RETRIES,
    insecure: globals.insecure,
    sources: {
      profile: globals.profile !== undefined ? 'flag' : envProfile !== undefined ? 'env' : 'default',
      apiUrl: apiUrlSource,
      token: envToken !== undefined ? 'env' : stored.token !== undefined ? 'profile' : 'none',
      timeoutMs: globals.timeoutMs !== undefined ? 'flag' : 'default',
      retries: globals.retries !== undefined ? 'flag' : 'default',
    },
    configPath: store.path,
  };
}
