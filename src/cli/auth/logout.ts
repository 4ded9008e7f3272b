import type { Context } from '../context.js';
import { openConfigStore } from '../../config/store.js';

export default async function logout(ctx: Context): Promise<void> {
  const config = await ctx.config();
  const store = await openConfigStore(ctx.env);
  const removed = await store.removeToken(config.profile);
  ctx.log.info(removed ? `Removed the token of profile "${config.profile}" from ${store.path}` : `Profile "${config.profile}" has no stored token`);
  if (config.sources.token === 'env') ctx.log.warn('KEEPTRUSTS_API_TOKEN is still set in the environment and will keep being used');
}
