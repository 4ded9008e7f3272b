import type { Context } from '../context.js';

export default async function schema(ctx: Context): Promise<void> {
  const { buildPolicySchema } = await import('../../domain/policy/schema.js');
  ctx.io.stdout.write(`${JSON.stringify(buildPolicySchema(), null, 2)}\n`);
}
