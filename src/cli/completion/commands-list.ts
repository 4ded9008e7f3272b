// `kt __commands`: every visible command path, one per line, in the order
// of the tree (a group before its verbs). `npm run docs` reads it to write
// one flag reference page per group from `kt <path> --help`.
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { readTree } from './model.js';

export default function commandsList(ctx: Context, _opts: Record<string, never>, _args: string[], command: Command): Promise<void> {
  let root = command;
  while (root.parent !== null) root = root.parent;
  const aliases = new Set<string>();
  const collect = (c: Command, path: string): void => {
    for (const child of c.commands) {
      const full = path === '' ? child.name() : `${path} ${child.name()}`;
      for (const alias of child.aliases()) aliases.add(path === '' ? alias : `${path} ${alias}`);
      collect(child, full);
    }
  };
  collect(root, '');
  const paths = readTree(root)
    .nodes.map((n) => n.path)
    .filter((p) => p !== '' && ![...aliases].some((a) => p === a || p.startsWith(`${a} `)));
  ctx.io.stdout.write(`${paths.join('\n')}\n`);
  return Promise.resolve();
}
