// What a command handler may touch. Handlers never reach for process.*: they
// get streams, environment, clock and lazily-built services from here, so the
// same handler runs in-process in unit tests and as the real binary.
import type { Readable, Writable } from 'node:stream';
import type { ApiClient } from '../api/client.js';
import type { ResolvedConfig } from '../config/resolve.js';

export interface IO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  isStdoutTTY: boolean;
  isStderrTTY: boolean;
  isStdinTTY: boolean;
  /** Colour on stdout (TTY, no NO_COLOR, TERM != dumb, no --no-color). */
  colorStdout: boolean;
  /** Colour on stderr, same rules. */
  colorStderr: boolean;
  /** A person can answer a prompt: stdin and stderr are terminals. */
  canPrompt: boolean;
}

/** Options every command accepts (DESIGN.md §2), already validated. */
export interface GlobalOptions {
  apiUrl: string | undefined;
  profile: string | undefined;
  color: boolean;
  quiet: boolean;
  debug: boolean;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number | undefined;
  retries: number | undefined;
  insecure: boolean;
}

export interface Logger {
  /** Progress and notices for people; suppressed by --quiet. */
  info(message: string): void;
  warn(message: string): void;
  /** Only with --debug. */
  debug(message: string): void;
}

export interface Context {
  io: IO;
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  globals: GlobalOptions;
  log: Logger;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Effective configuration; reads the config file on first call only. */
  config(): Promise<ResolvedConfig>;
  /** Authenticated API client; fails with exit 4 when no token is configured. */
  api(): Promise<ApiClient>;
}

export function colorAllowed(isTTY: boolean, env: Readonly<Record<string, string | undefined>>, flag: boolean): boolean {
  if (!flag || !isTTY) return false;
  if ((env.NO_COLOR ?? '') !== '') return false;
  if (env.TERM === 'dumb') return false;
  return true;
}
