// What the output layer needs from whoever calls it: the streams and what is
// known about the terminal, the environment (for colour depth), --quiet, the
// abort signal and a logger. The CLI's command context satisfies this; the
// output layer never sees the rest of it.
import type { Writable } from 'node:stream';

export interface Terminal {
  stdout: Writable;
  stderr: Writable;
  isStdoutTTY: boolean;
  isStderrTTY: boolean;
  /** Colour on stdout (TTY, no NO_COLOR, TERM != dumb, no --no-color). */
  colorStdout: boolean;
  /** Colour on stderr, same rules. */
  colorStderr: boolean;
}

export interface Logger {
  /** Progress and notices for people; suppressed by --quiet. */
  info(message: string): void;
  warn(message: string): void;
  /** Only with --debug. */
  debug(message: string): void;
}

export interface OutputContext {
  io: Terminal;
  env: Readonly<Record<string, string | undefined>>;
  /** -q/--quiet: no spinner, progress or notices. */
  quiet: boolean;
  /** Aborted on Ctrl-C; writers stop at the next row. */
  signal: AbortSignal;
  log: Logger;
}

/**
 * Whether a stream gets colour. --no-color and NO_COLOR always win; then
 * FORCE_COLOR (0 off, anything else on, even when piped); then TERM=dumb;
 * then whether the stream is a terminal.
 */
export function colorAllowed(isTTY: boolean, env: Readonly<Record<string, string | undefined>>, flag: boolean): boolean {
  if (!flag) return false;
  if ((env.NO_COLOR ?? '') !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.TERM === 'dumb') return false;
  return isTTY;
}
