// kt auth whoami (the product's name) and kt auth status: the profile, where
// the URL and token come from, and who the token belongs to.
import type { Context } from '../context.js';
import { AuthError } from '../../errors.js';
import { fetchWhoami, type Whoami } from '../../api/auth.js';
import { redactToken } from '../../config/store.js';
import { stringifyJson } from '../../domain/json.js';

export interface WhoamiOptions {
  json?: boolean;
}

/** `ada@example.com (Acme, admin)` — whatever the server told. */
export function describeWho(who: Whoami): string {
  const extra = [who.organization, who.role].filter((x): x is string => x !== null);
  return `${who.user ?? 'an unnamed token'}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
}

export default async function whoami(ctx: Context, opts: WhoamiOptions = {}): Promise<void> {
  const config = await ctx.config();
  if (config.token === undefined) {
    throw new AuthError(`not logged in (profile "${config.profile}", ${config.apiUrl})`, 'run `kt auth login` or set KEEPTRUSTS_API_TOKEN');
  }
  const who = await fetchWhoami(await ctx.api());
  if (opts.json === true) {
    const doc = {
      user: who.user,
      organization: who.organization,
      role: who.role,
      scope: who.scopes,
      profile: config.profile,
      api_url: config.apiUrl,
    };
    ctx.io.stdout.write(`${stringifyJson(doc, { indent: 2 })}\n`);
    return;
  }
  const dash = (value: string | null): string => value ?? '—';
  const lines = [
    `user:          ${dash(who.user)}`,
    `organization:  ${dash(who.organization)}`,
    `role:          ${dash(who.role)}`,
    `scope:         ${who.scopes.length === 0 ? '—' : who.scopes.join(', ')}`,
    `profile:       ${config.profile}`,
    `api url:       ${config.apiUrl} (from ${config.sources.apiUrl})`,
    `token:         ${redactToken(config.token)} (from ${config.sources.token})`,
  ];
  ctx.io.stdout.write(`${lines.join('\n')}\n`);
}
