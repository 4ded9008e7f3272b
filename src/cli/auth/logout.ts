// kt auth logout: remove the profile's token from wherever it lives (keyring
// or file); the profile keeps its API URL.
import type { Context } from '../context.js';
import { warnUnknownProfile } from '../api-factory.js';
import { removeToken, TOKEN_VARIABLE } from '../../config/credentials.js';
import { openConfigStore } from '../../config/store.js';

export default async function logout(ctx: Context): Promise<void> {
  const config = await ctx.config();
  // An unknown profile has nothing to remove: a warning with the did-you-mean, and logout stays idempotent.
  warnUnknownProfile(ctx, config);
  const store = await openConfigStore(ctx.env);
  const removed = await removeToken({ env: ctx.env, store, openKeyring: config.openKeyring }, config.profile);
  ctx.log.info(
    removed.length > 0
      ? `Removed the token of profile "${config.profile}" from ${removed.map((where) => (where === store.path ? where : `the ${where}`)).join(' and ')}`
      : `Profile "${config.profile}" has no stored token`,
  );
  if (config.tokenLocation === 'env') ctx.log.warn(`${TOKEN_VARIABLE} is still set in the environment and will keep being used`);
}
