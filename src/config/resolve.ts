// Effective configuration: flags > environment > profile > defaults. The
// token is not read here: `token()` reads it on demand (environment, then
// keyring, then file), so a command that never needs it never opens the
// keyring or loads its binding.
import { readToken, tokenLocation, type TokenLookup, type TokenSource } from './credentials.js';
import type { OpenSecretStore } from './secret-store.js';
import { configDirVariable, openConfigStore } from './store.js';

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
/** The profile used when none is named; it need not be in the file. */
export const DEFAULT_PROFILE = 'default';

export type Source = 'flag' | 'env' | 'profile' | 'default';

export interface ResolvedConfig {
  profile: string;
  apiUrl: string;
  timeoutMs: number;
  retries: number;
  insecure: boolean;
  /** Where each setting came from, for `kt config show`. */
  sources: { profile: Source; apiUrl: Source; timeoutMs: Source; retries: Source; configFile: Source };
  /** The variable behind each 'env' source. */
  variables: { profile?: string; apiUrl?: string; configFile?: string };
  /** Absolute path of the config file (it may not exist yet). */
  configPath: string;
  /** The profiles the config file defines. */
  profiles: string[];
  /** False when the profile was named (flag or environment) but the file does not define it; "default" always exists. */
  profileExists: boolean;
  /** Where the token would come from, known without opening the keyring. */
  tokenLocation: TokenSource;
  /** Opens the OS keyring (or the store a test passed in); loads the binding on first use. */
  openKeyring: OpenSecretStore;
  /** The token and where it came from; memoized. Throws (exit 4) when the keyring holding it cannot be read. */
  token(): Promise<TokenLookup>;
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

export async function resolveConfig(input: {
  env: Readonly<Record<string, string | undefined>>;
  overrides: ConfigOverrides;
  /** Opens the OS keyring; tests pass an in-process store. */
  openKeyring?: OpenSecretStore;
  signal?: AbortSignal;
}): Promise<ResolvedConfig> {
  const { env, overrides: globals } = input;
  const envProfile = nonEmpty(env.KEEPTRUSTS_PROFILE);
  const profile = globals.profile ?? envProfile ?? DEFAULT_PROFILE;
  const store = await openConfigStore(env);
  const all = store.profiles();
  const stored = all[profile] ?? {};
  const envUrl = nonEmpty(env.KEEPTRUSTS_API_URL);
  const pick = <T>(flag: T | undefined, fromEnv: T | undefined, fromProfile: T | undefined, fallback: T): [T, Source] => {
    if (flag !== undefined) return [flag, 'flag'];
    if (fromEnv !== undefined) return [fromEnv, 'env'];
    if (fromProfile !== undefined) return [fromProfile, 'profile'];
    return [fallback, 'default'];
  };
  const [apiUrl, apiUrlSource] = pick(globals.apiUrl, envUrl, nonEmpty(stored.api_url), DEFAULT_API_URL);
  const profileSource: Source = globals.profile !== undefined ? 'flag' : envProfile !== undefined ? 'env' : 'default';
  const dirVariable = configDirVariable(env);
  const openKeyring: OpenSecretStore =
    input.openKeyring ?? (() => import('./keyring.js').then((m) => m.openOsKeyring(input.signal === undefined ? {} : { signal: input.signal })));
  let lookup: Promise<TokenLookup> | undefined;
  return {
    profile,
    apiUrl,
    timeoutMs: globals.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retries: globals.retries ?? DEFAULT_RETRIES,
    insecure: globals.insecure,
    sources: {
      profile: profileSource,
      apiUrl: apiUrlSource,
      timeoutMs: globals.timeoutMs !== undefined ? 'flag' : 'default',
      retries: globals.retries !== undefined ? 'flag' : 'default',
      configFile: dirVariable !== undefined ? 'env' : 'default',
    },
    variables: {
      ...(profileSource === 'env' ? { profile: 'KEEPTRUSTS_PROFILE' } : {}),
      ...(apiUrlSource === 'env' ? { apiUrl: 'KEEPTRUSTS_API_URL' } : {}),
      ...(dirVariable !== undefined ? { configFile: dirVariable } : {}),
    },
    configPath: store.path,
    profiles: Object.keys(all).sort(),
    profileExists: profile === DEFAULT_PROFILE || Object.hasOwn(all, profile),
    tokenLocation: tokenLocation(env, stored),
    openKeyring,
    token: () => {
      lookup ??= readToken({ env, store, openKeyring }, profile);
      return lookup;
    },
  };
}
