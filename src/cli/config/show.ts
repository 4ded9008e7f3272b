// kt config show: each effective setting and where it came from. The token
// appears redacted with its source (env, keyring or file), never in full; a
// keyring that cannot be read is a warning here, not a failure, so the rest
// of the configuration still shows.
import type { Context } from '../context.js';
import { KtError } from '../../errors.js';
import { redactToken } from '../../config/store.js';
import type { TokenLookup } from '../../config/credentials.js';
import { warnUnknownProfile } from '../api-factory.js';
import { describeSource, describeTokenSource } from './sources.js';

interface Row {
  key: string;
  value: string | number | null;
  /** For --json: flag, env, profile, default; for the token env, keyring, file, none. */
  source: string;
  /** For the table: the flag, variable, keyring or file. */
  from: string;
  error?: string;
}

export default async function show(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const c = await ctx.config();
  warnUnknownProfile(ctx, c);
  let token: TokenLookup;
  let unreadable: string | undefined;
  try {
    token = await c.token();
  } catch (error) {
    if (!(error instanceof KtError)) throw error;
    ctx.log.warn(`${error.message}${error.hint === undefined ? '' : `; ${error.hint}`}`);
    unreadable = error.message;
    token = { value: undefined, source: c.tokenLocation, where: undefined };
  }
  const rows: Row[] = [
    { key: 'profile', value: c.profile, source: c.sources.profile, from: describeSource(c, 'profile') },
    { key: 'api_url', value: c.apiUrl, source: c.sources.apiUrl, from: describeSource(c, 'apiUrl') },
    {
      key: 'token',
      value: token.value === undefined ? null : redactToken(token.value),
      source: token.source,
      from: unreadable !== undefined ? 'keyring' : token.source === 'none' ? '' : describeTokenSource(token),
      ...(unreadable === undefined ? {} : { error: unreadable }),
    },
    { key: 'timeout_ms', value: c.timeoutMs, source: c.sources.timeoutMs, from: describeSource(c, 'timeoutMs') },
    { key: 'retries', value: c.retries, source: c.sources.retries, from: describeSource(c, 'retries') },
    { key: 'config_file', value: c.configPath, source: c.sources.configFile, from: describeSource(c, 'configFile') },
  ];
  if (opts.json === true) {
    const doc = Object.fromEntries(rows.map((r) => [r.key, { value: r.value, source: r.source, ...(r.error === undefined ? {} : { error: r.error }) }]));
    ctx.io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const keyWidth = Math.max(...rows.map((r) => r.key.length));
  const shown = rows.map((r) => (r.error !== undefined ? 'unreadable' : r.value === null ? 'not set' : String(r.value)));
  const valueWidth = Math.max(...shown.map((s) => s.length));
  rows.forEach((r, i) => {
    const line = `${r.key.padEnd(keyWidth)}  ${(shown[i] ?? '').padEnd(valueWidth)}  ${r.from === '' ? '' : `(${r.from})`}`;
    ctx.io.stdout.write(`${line.trimEnd()}\n`);
  });
}
