// kt auth login: read a token (hidden prompt, or stdin with --with-token),
// verify it with GET /v1/whoami, then store it in the OS keyring, or in the
// 0600 config file with --insecure-storage or where there is no keyring.
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { ApiError, AuthError, KtError, UsageError } from '../../errors.js';
import { buildApiClient } from '../api-factory.js';
import { fetchWhoami } from '../../api/auth.js';
import { describeWho } from './status.js';
import { openConfigStore, redactToken } from '../../config/store.js';
import { loginCommand, storeToken, TOKEN_VARIABLE } from '../../config/credentials.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { readHidden, readAll } from './secret.js';
import { withSpinner } from '../../output/spinner.js';

export interface LoginOptions {
  withToken?: boolean;
  insecureStorage?: boolean;
}

/** What to do after a refused token: the profile, the URL, and the command to run again with the same flags. */
function refusedHint(config: ResolvedConfig, withToken: boolean): string {
  const url = config.sources.apiUrl === 'flag' ? ` --api-url ${config.apiUrl}` : '';
  const saved = `nothing was saved to profile "${config.profile}"`;
  return withToken
    ? `${saved}: check that the token on stdin is whole and was issued for ${config.apiUrl}, then pipe it to \`${loginCommand(config.profile, `${url} --with-token`)}\` again`
    : `${saved}: check that you pasted the whole token and that it was issued for ${config.apiUrl}, then run \`${loginCommand(config.profile, url)}\` again`;
}

export default async function login(ctx: Context, opts: LoginOptions, _args: string[], command: Command): Promise<void> {
  const withToken = opts.withToken === true;
  if (command.args.length > 0) {
    // Never echo it: it may be the token, and it is already in the shell's history.
    throw new UsageError(
      'kt auth login takes no arguments: the token comes on stdin, never on the command line (where shell history and `ps` keep it)',
      `pipe it: \`echo "$KEEPTRUSTS_TOKEN" | kt auth login --with-token\` or \`kt auth login --with-token < token.txt\`; or run \`kt auth login\` and paste it at the prompt`,
    );
  }
  const config = await ctx.config();
  let token: string;
  if (withToken) {
    token = (await readAll(ctx.io.stdin)).trim();
  } else if (ctx.io.canPrompt) {
    token = (await readHidden(ctx, 'Paste your API token: ')).trim();
  } else {
    throw new UsageError('no terminal to prompt for a token', 'pipe the token on stdin with --with-token');
  }
  if (token === '') throw new UsageError('the token is empty');
  if (/\s/.test(token)) throw new UsageError('the token contains whitespace; paste only the token');
  const client = await buildApiClient(ctx, config, token);
  let who;
  try {
    who = await withSpinner(ctx, `verifying the token with ${config.apiUrl}`, () => fetchWhoami(client));
  } catch (error) {
    if (error instanceof KtError && error.exitCode === 4) {
      const hint = refusedHint(config, withToken);
      if (error instanceof ApiError) {
        throw new ApiError({ status: error.status, code: error.code, message: error.message, requestId: error.requestId, details: error.details, hint });
      }
      throw new AuthError(error.message, hint);
    }
    throw error;
  } finally {
    await client.close();
  }
  const store = await openConfigStore(ctx.env);
  const isNew = !config.profiles.includes(config.profile);
  const stored = await storeToken({ env: ctx.env, store, openKeyring: config.openKeyring }, config.profile, token, {
    insecureStorage: opts.insecureStorage === true,
    apiUrl: config.sources.apiUrl === 'flag' || config.sources.apiUrl === 'env' ? config.apiUrl : undefined,
  });
  if (stored.noKeyring !== undefined) {
    // Said once, here: later commands read the file without comment.
    ctx.log.warn(
      `no keyring here (${stored.noKeyring.keyring}: ${stored.noKeyring.reason}); the token is stored in ${stored.where}, mode 0600. ` +
        `To use a keyring, run \`${loginCommand(config.profile)}\` again where there is one; --insecure-storage chooses the file and skips this warning`,
    );
  }
  if (stored.leftInKeyring !== undefined) ctx.log.warn(stored.leftInKeyring);
  const place = stored.kind === 'keyring' ? `the ${stored.where}` : `${stored.where} (mode 0600)`;
  const profile = `${isNew ? 'new ' : ''}profile "${config.profile}"`;
  ctx.log.info(`Logged in to ${config.apiUrl} as ${describeWho(who)} with token ${redactToken(token)}; saved for ${profile} in ${place}`);
  if (stored.movedFromFile) ctx.log.info(`Moved the token of profile "${config.profile}" out of ${store.path} into the ${stored.where}`);
  if (config.tokenLocation === 'env') ctx.log.warn(`${TOKEN_VARIABLE} is set in the environment and will be used instead of the stored token`);
}
