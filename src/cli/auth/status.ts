import type { Context } from '../context.js';
import { AuthError } from '../../errors.js';
import { fetchWhoami } from '../../api/auth.js';
import { redactToken } from '../../config/store.js';

export default async function status(ctx: Context): Promise<void> {
  const config = await ctx.config();
  if (config.token === undefined) {
    throw new AuthError(`not logged in (profile "${config.profile}", ${config.apiUrl})`, 'run `kt auth login` or set KEEPTRUSTS_API_TOKEN');
  }
  const who = await fetchWhoami(await ctx.api());
  const lines = [
    `profile:  ${config.profile}`,
    `api url:  ${config.apiUrl} (from ${config.sources.apiUrl})`,
    `token:    ${redactToken(config.token)} (from ${config.sources.token})`,
    `org:      ${who.org}`,
    `name:     ${who.name}`,
    `scopes:   ${who.scopes.join(', ')}`,
  ];
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
}
