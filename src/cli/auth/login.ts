import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { buildApiClient } from '../api-factory.js';
import { fetchWhoami } from '../../api/auth.js';
import { describeWho } from './status.js';
import { openConfigStore, redactToken } from '../../config/store.js';
import { readHidden, readAll } from './secret.js';
import { withSpinner } from '../../output/spinner.js';

export default async function login(ctx: Context, opts: { withToken?: boolean }): Promise<void> {
  const config = await ctx.config();
  let token: string;
  if (opts.withToken === true) {
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
  } finally {
    await client.close();
  }
  const store = await openConfigStore(ctx.env);
  const previous = store.profile(config.profile);
  await store.saveProfile(config.profile, {
    ...previous,
    ...(config.sources.apiUrl === 'flag' || config.sources.apiUrl === 'env' ? { api_url: config.apiUrl } : {}),
    token,
  });
  ctx.log.info(`Logged in to ${config.apiUrl} as ${describeWho(who)} with token ${redactToken(token)}; saved to profile "${config.profile}" in ${store.path}`);
}
