// How `kt config show` and `kt auth whoami` name where a setting came from:
// the flag, the variable, the profile, the keyring or the file, never just
// "env" when the reader would have to guess which variable.
import type { ResolvedConfig, Source } from '../../config/resolve.js';
import type { TokenLookup } from '../../config/credentials.js';

const FLAGS = { profile: '--profile', apiUrl: '--api-url', timeoutMs: '--timeout', retries: '--retries' } as const;

export type Setting = keyof typeof FLAGS | 'configFile';

export function describeSource(config: ResolvedConfig, setting: Setting): string {
  const source: Source = config.sources[setting];
  if (source === 'flag' && setting !== 'configFile') return `flag ${FLAGS[setting]}`;
  if (source === 'env') {
    const variable = setting === 'profile' || setting === 'apiUrl' || setting === 'configFile' ? config.variables[setting] : undefined;
    return variable === undefined ? 'env' : `env ${variable}`;
  }
  if (source === 'profile') return `profile "${config.profile}"`;
  return source;
}

export function describeTokenSource(token: TokenLookup): string {
  switch (token.source) {
    case 'env':
      return `env ${token.where ?? ''}`.trim();
    case 'keyring':
      return `keyring: ${token.where ?? 'OS keyring'}`;
    case 'file':
      return `file ${token.where ?? ''}`.trim();
    case 'none':
      return 'none';
  }
}
