import type { Context } from '../context.js';

export default async function schema(ctx: Context): Promise<void> {
  const { POLICY_SCHEMA } = await import('../../domain/policy/validate.js');
  ctx.io.stdout.write(`${JSON.stringify(POLICY_SCHEMA, null, 2)}\n`);
}
