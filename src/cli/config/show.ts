import type { Context } from '../context.js';
import { redactToken } from '../../config/store.js';

export default async function show(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const c = await ctx.config();
  const settings = [
    { key: 'profile', value: c.profile, source: c.sources.profile },
    { key: 'api_url', value: c.apiUrl, source: c.sources.apiUrl },
    { key: 'token', value: c.token === undefined ? null : redactToken(c.token), source: c.sources.token },
    { key: 'timeout_ms', value: c.timeoutMs, source: c.sources.timeoutMs },
    { key: 'retries', value: c.retries, source: c.sources.retries },
    { key: 'config_file', value: c.configPath, source: 'default' },
  ];
  if (opts.json === true) {
    ctx.io.stdout.write(`${JSON.stringify(Object.fromEntries(settings.map((s) => [s.key, { value: s.value, source: s.source }])), null, 2)}\n`);
    return;
  }
  const width = Math.max(...settings.map((s) => s.key.length));
  for (const s of settings) ctx.io.stdout.write(`${s.key.padEnd(width)}  ${String(s.value ?? '(none)')}  (${s.source})\n`);
}
