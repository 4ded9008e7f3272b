// kt auth whoami (the product's name) and kt auth status: who the token
// belongs to, the profile, and where the URL and the token came from (the
// environment, the keyring or the file), never the token itself.
import type { Context } from '../context.js';
import { fetchWhoami, type Whoami } from '../../api/auth.js';
import { redactToken } from '../../config/store.js';
import { stringifyJson } from '../../domain/json.js';
import { describeSource, describeTokenSource } from '../config/sources.js';

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
  // ctx.api() reads the token (exit 4 when there is none, exit 2 for an unknown profile).
  const who = await fetchWhoami(await ctx.api());
  const token = await config.token();
  if (opts.json === true) {
    const doc = {
      user: who.user,
      organization: who.organization,
      role: who.role,
      scope: who.scopes,
      profile: config.profile,
      api_url: config.apiUrl,
      token_source: token.source,
    };
    ctx.io.stdout.write(`${stringifyJson(doc, { indent: 2 })}\n`);
    return;
  }
  const dash = (value: string | null): string => value ?? '—';
  // The labels are the --json keys, all lower case.
  const rows: Array<[string, string]> = [
    ['user', dash(who.user)],
    ['organization', dash(who.organization)],
    ['role', dash(who.role)],
    ['scope', who.scopes.length === 0 ? '—' : who.scopes.join(', ')],
    ['profile', config.profile],
    ['api_url', `${config.apiUrl} (from ${describeSource(config, 'apiUrl')})`],
    ['token', `${token.value === undefined ? 'not set' : redactToken(token.value)} (from ${describeTokenSource(token)})`],
  ];
  ctx.io.stdout.write(rows.map(([label, value]) => `${`${label}:`.padEnd(15)}${value}\n`).join(''));
}
