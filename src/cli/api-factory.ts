// Builds the API client for a command: the CLI decides the user agent, the
// wording of hints (which name kt's own commands), and the V8 settings a CLI
// process that talks to the API wants. The request layer knows none of it.
import { setFlagsFromString } from 'node:v8';
import type { ApiClient, ClientHints } from '../api/client.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { loginCommand, TOKEN_VARIABLE } from '../config/credentials.js';
import { AuthError, UsageError } from '../errors.js';
import { didYouMean } from '../domain/suggest.js';
import { VERSION } from '../version.js';
import type { OutputContext } from '../output/context.js';

export const CLI_HINTS: ClientHints = {
  noToken: 'run `kt auth login` or set KEEPTRUSTS_API_TOKEN',
  unauthorized: 'run `kt auth login`, or check KEEPTRUSTS_API_TOKEN',
  forbidden: 'this token is not allowed to do that; check its scopes with `kt auth whoami`',
  teamNotFound: 'run `kt wallets list` to see team ids',
};

/**
 * V8 settings for a CLI process that talks to the API, set once before the
 * first request (both are read when used, not only at start-up):
 *
 * - undici parses HTTP with llhttp compiled to WebAssembly on the first
 *   connection, and V8's optimising tier compiles it again in the background:
 *   about 35 MB of peak RSS and 60 ms for a process that makes a handful of
 *   requests. The baseline tier parses a 1,000-event page in well under a
 *   millisecond.
 * - A streamed export keeps about one page alive at a time, yet V8 grows the
 *   young generation towards 16 MB per semi-space as pages go by, and old
 *   garbage promoted meanwhile raises the peak further: 117 MB of RSS at
 *   100k events, 139 MB at 1M. Keeping the young generation at its initial
 *   size holds it flat (101 MB and 108 MB) for about 10% more CPU in an
 *   export whose time is spent waiting on the network anyway.
 *   (`node bench/events-export.mjs`; see docs/benchmarks.md.)
 */
let tuned = false;
function tuneV8ForApiCommands(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * A profile named with --profile or KEEPTRUSTS_PROFILE that the config file
 * does not define. Once its token is needed this is an error, exit 2 (a bad
 * value with a did-you-mean, as for every other closed list): reading it as
 * "not logged in" would invite a login into a new, misspelt profile. Where
 * the profile's token is not needed (KEEPTRUSTS_API_TOKEN is set, `kt config
 * show`, `kt auth logout`) it is a warning.
 */
export function unknownProfile(config: ResolvedConfig): { message: string; hint: string } | undefined {
  if (config.profileExists) return undefined;
  const named = `profile "${config.profile}"${config.sources.profile === 'env' ? ' (from KEEPTRUSTS_PROFILE)' : ''}`;
  const guess = didYouMean(config.profile, config.profiles);
  const known = config.profiles.length === 0 ? `${config.configPath} defines none` : `${config.configPath} defines ${config.profiles.join(', ')}`;
  return {
    message: `unknown ${named}: ${known}`,
    hint: `${guess === undefined ? '' : `did you mean "${guess}"? Or, `}to create "${config.profile}", run \`${loginCommand(config.profile)}\``,
  };
}

/** Warns about an unknown profile (commands that do not need its token). */
export function warnUnknownProfile(ctx: Pick<OutputContext, 'log'>, config: ResolvedConfig, suffix = ''): void {
  const unknown = unknownProfile(config);
  if (unknown !== undefined) ctx.log.warn(`${unknown.message}${suffix}; ${unknown.hint}`);
}

/** A client for `token` (the configured one by default); exit 4 before any request when there is none. */
export async function buildApiClient(
  ctx: Pick<OutputContext, 'env' | 'signal' | 'log'> & { globals: { debug: boolean } },
  config: ResolvedConfig,
  token?: string,
): Promise<ApiClient> {
  // The request layer (undici) loads while the keyring, if that is where the token is, answers over D-Bus.
  const clientModule = import('../api/client.js');
  clientModule.catch(() => undefined);
  let hints = CLI_HINTS;
  if (token === undefined) {
    const found = await config.token();
    if (found.source === 'env') {
      warnUnknownProfile(ctx, config, `; using ${TOKEN_VARIABLE}`);
    } else {
      const unknown = unknownProfile(config);
      if (unknown !== undefined) throw new UsageError(unknown.message, unknown.hint);
    }
    if (found.value === undefined) {
      throw new AuthError(
        `not logged in: ${found.missing ?? `no API token for profile "${config.profile}" (${config.apiUrl})`}`,
        `run \`${loginCommand(config.profile)}\` or set KEEPTRUSTS_API_TOKEN`,
      );
    }
    token = found.value;
    const login = loginCommand(config.profile);
    hints = {
      ...CLI_HINTS,
      unauthorized:
        found.source === 'env'
          ? `KEEPTRUSTS_API_TOKEN was refused; check it, or unset it to use the token of profile "${config.profile}"`
          : `the token of profile "${config.profile}" (from the ${found.source === 'keyring' ? found.where ?? 'keyring' : 'config file'}) was refused; run \`${login}\` to store a new one`,
    };
  }
  tuneV8ForApiCommands();
  const { createApiClient } = await clientModule;
  return createApiClient({
    baseUrl: config.apiUrl,
    token,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    insecure: config.insecure,
    env: ctx.env,
    signal: ctx.signal,
    userAgent: `kt/${VERSION} node/${process.version}`,
    // Transport timing (Retry-After dates) follows the wall clock, never KT_NOW.
    now: Date.now,
    hints,
    debug: ctx.globals.debug ? (message) => ctx.log.debug(message) : undefined,
  });
}
