// Reading a secret without echoing it, and reading all of stdin.
import type { Readable } from 'node:stream';
import type { Context } from '../context.js';
import { InterruptedError, UsageError } from '../../errors.js';

const closedPrompt = (): UsageError =>
  new UsageError('no token entered: the input ended at the prompt', 'paste the token and press Enter, or pipe it with `kt auth login --with-token`');

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Prompts on stderr and reads one line from a TTY stdin with echo off. */
export function readHidden(ctx: Context, prompt: string): Promise<string> {
  const stdin = ctx.io.stdin as Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
  // Raw mode before the prompt shows: a key typed the moment it appears must
  // reach us as a byte. A Ctrl-D that lands while the terminal is still in
  // line mode is an end-of-file the switch to raw mode loses, and the prompt
  // then waits forever.
  stdin.setRawMode?.(true);
  ctx.io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error): void => {
      stdin.setRawMode?.(false);
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      ctx.io.stderr.write('\n');
      if (error !== undefined) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new InterruptedError());
        // Ctrl-D: in raw mode the terminal sends it as a byte instead of ending the input.
        if (char === '\u0004') return finish(closedPrompt());
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    const onEnd = (): void => finish(closedPrompt());
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
}
