// Effective configuration: flags > environment > profile > defaults.
// (Interface fixed here; the implementation is being built in issue 2.)
import type { GlobalOptions } from '../cli/context.js';

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

export async function resolveConfig(input: {
  env: Readonly<Record<string, string | undefined>>;
  globals: GlobalOptions;
}): Promise<ResolvedConfig> {
  const { env, globals } = input;
  const profile = globals.profile ?? env.KEEPTRUSTS_PROFILE ?? 'default';
  const apiUrl = globals.apiUrl ?? env.KEEPTRUSTS_API_URL ?? DEFAULT_API_URL;
  const token = env.KEEPTRUSTS_API_TOKEN;
  return {
    profile,
    apiUrl,
    token,
    timeoutMs: globals.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retries: globals.retries ?? DEFAULT_RETRIES,
    insecure: globals.insecure,
    sources: {
      profile: globals.profile !== undefined ? 'flag' : env.KEEPTRUSTS_PROFILE !== undefined ? 'env' : 'default',
      apiUrl: globals.apiUrl !== undefined ? 'flag' : env.KEEPTRUSTS_API_URL !== undefined ? 'env' : 'default',
      token: token !== undefined ? 'env' : 'none',
      timeoutMs: globals.timeoutMs !== undefined ? 'flag' : 'default',
      retries: globals.retries !== undefined ? 'flag' : 'default',
    },
    configPath: '',
  };
}
