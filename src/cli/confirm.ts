// Confirmation before a change to the ledger. A person at a terminal is asked;
// a script must say --yes up front, so it never hangs on a prompt nobody sees.
import { createInterface } from 'node:readline';
import type { Context } from './context.js';
import { ExitCode, KtError, UsageError } from '../errors.js';

/**
 * Fails fast (exit 2) when nobody can answer a prompt and --yes is missing.
 * Call before any network work so a misconfigured cron job fails at once.
 */
export function requireConfirmable(ctx: Pick<Context, 'io'>, yes: boolean | undefined): void {
  if (yes === true || ctx.io.canPrompt) return;
  throw new UsageError(
    'refusing to change the ledger without confirmation: pass --yes',
    'stdin is not a terminal, so kt cannot ask; add --yes (or --dry-run to see the request)',
  );
}

/**
 * The person at the prompt said no (or closed stdin, or pressed Ctrl-C): exit
 * 130 like an interrupt, which `kt help exit-codes` lists, so a wrapper script
 * can tell "stopped on purpose, nothing changed" from a failure (1).
 */
export class CancelledError extends KtError {
  constructor() {
    super('cancelled: nothing was sent, the ledger is unchanged', ExitCode.interrupted);
  }
}

/** Asks `question [y/N]` on stderr unless --yes; anything but y/yes cancels (exit 130, nothing sent). */
export async function confirmMutation(ctx: Pick<Context, 'io' | 'signal'>, question: string, yes: boolean | undefined): Promise<void> {
  if (yes === true) return;
  requireConfirmable(ctx, yes);
  ctx.io.stderr.write(`${question} [y/N] `);
  const answer = await readAnswer(ctx);
  if (answer === undefined) ctx.io.stderr.write('\n');
  if (!/^(y|yes)$/i.test((answer ?? '').trim())) {
    throw new CancelledError();
  }
}

function readAnswer(ctx: Pick<Context, 'io' | 'signal'>): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: ctx.io.stdin, terminal: false });
    let settled = false;
    const finish = (value: string | undefined): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      rl.close();
      resolve(value);
    };
    const onAbort = (): void => finish(undefined);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    rl.once('line', (line) => finish(line));
    rl.once('close', () => finish(undefined));
  });
}
