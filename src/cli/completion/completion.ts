// `kt completion <shell>`: the script is generated from the live command
// tree, so a new command or flag is completed without touching this file.
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import type { Command } from 'commander';
import { readTree } from './model.js';
import { suggestion } from '../flags.js';
import { generate, SHELLS, type Shell } from './generate.js';

export default function completion(ctx: Context, _opts: Record<string, never>, args: string[], command: Command): Promise<void> {
  const shell = args[0] ?? '';
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(`unknown shell "${shell}": use one of ${SHELLS.join(', ')}`, suggestion(shell, SHELLS));
  }
  ctx.io.stdout.write(generate(shell as Shell, readTree(rootOf(command))));
  return Promise.resolve();
}

/** The root of the tree this command belongs to: the whole of kt's surface. */
function rootOf(command: Command): Command {
  let root = command;
  while (root.parent !== null) root = root.parent;
  return root;
}
