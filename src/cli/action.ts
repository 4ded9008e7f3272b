// How a command is wired: commander calls an action, the action loads the
// handler module and runs its default export with the command's context.
import type { Command } from 'commander';
import type { Context } from './context.js';

export type Handler<O = Record<string, unknown>> = (ctx: Context, opts: O, args: string[], command: Command) => Promise<void>;
export type HandlerModule = {
  default: Handler<never>;
  /** The handler stops cleanly on SIGINT/SIGTERM itself (a server): a signal is then a normal exit. */
  handlesInterrupt?: boolean;
};

/**
 * Wires a commander action to a lazily imported handler module. The module
 * (and whatever heavy library it imports) is loaded only when the command runs.
 */
export type ActionFactory = (load: () => Promise<HandlerModule>) => (...args: unknown[]) => Promise<void>;
