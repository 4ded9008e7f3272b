// What a command handler may touch. Handlers never reach for process.*: they
// get streams, environment, clock and lazily-built services from here, so the
// same handler runs in-process in unit tests and as the real binary. The one
// way to build a context is createContext; tests use it with captureIO().
import { PassThrough, type Readable } from 'node:stream';
import type { ApiClient } from '../api/client.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { colorAllowed, type OutputContext, type Terminal } from '../output/context.js';

export type { Logger } from '../output/context.js';

export interface IO extends Terminal {
  stdin: Readable;
  isStdinTTY: boolean;
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

export const DEFAULT_GLOBALS: GlobalOptions = {
  apiUrl: undefined,
  profile: undefined,
  color: true,
  quiet: false,
  debug: false,
  timeoutMs: undefined,
  retries: undefined,
  insecure: false,
};

export interface Context extends OutputContext {
  io: IO;
  now: () => Date;
  globals: GlobalOptions;
  /** Effective configuration; reads the config file on first call only. */
  config(): Promise<ResolvedConfig>;
  /** Authenticated API client; fails with exit 4 when no token is configured. */
  api(): Promise<ApiClient>;
}

export interface ContextInit {
  io: IO;
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  globals: GlobalOptions;
  signal: AbortSignal;
  /** Run when the command ends (closing the API client's connections). */
  cleanups?: Array<() => Promise<void>>;
  /** Replaces the configured client (tests with an in-process API double). */
  api?: () => Promise<ApiClient>;
  /** Replaces the resolved configuration. */
  config?: () => Promise<ResolvedConfig>;
}

export function createContext(init: ContextInit): Context {
  const { io, globals } = init;
  const write = (text: string): void => {
    io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  let configPromise: Promise<ResolvedConfig> | undefined;
  let apiPromise: Promise<ApiClient> | undefined;
  const ctx: Context = {
    io,
    env: init.env,
    now: init.now,
    globals,
    quiet: globals.quiet,
    signal: init.signal,
    log: {
      info: (message) => {
        if (!globals.quiet) write(message);
      },
      warn: (message) => write(`warning: ${message}`),
      debug: (message) => {
        if (globals.debug) write(`debug: ${message}`);
      },
    },
    config: () => {
      configPromise ??= init.config?.() ?? import('../config/resolve.js').then((m) => m.resolveConfig({ env: init.env, overrides: globals, signal: init.signal }));
      return configPromise;
    },
    api: () => {
      apiPromise ??=
        init.api?.() ??
        (async () => {
          const { buildApiClient } = await import('./api-factory.js');
          const client = await buildApiClient(ctx, await ctx.config());
          init.cleanups?.push(() => client.close());
          return client;
        })();
      return apiPromise;
    },
  };
  return ctx;
}

/** The process's streams, or the given ones, with what is known about the terminal. */
export function createIO(partial: Partial<IO> | undefined, env: Readonly<Record<string, string | undefined>>): IO {
  const stdout = partial?.stdout ?? process.stdout;
  const stderr = partial?.stderr ?? process.stderr;
  const stdin = partial?.stdin ?? process.stdin;
  const isStdoutTTY = partial?.isStdoutTTY ?? (process.stdout.isTTY === true && stdout === process.stdout);
  const isStderrTTY = partial?.isStderrTTY ?? (process.stderr.isTTY === true && stderr === process.stderr);
  const isStdinTTY = partial?.isStdinTTY ?? (process.stdin.isTTY === true && stdin === process.stdin);
  return {
    stdout,
    stderr,
    stdin,
    isStdoutTTY,
    isStderrTTY,
    isStdinTTY,
    colorStdout: partial?.colorStdout ?? colorAllowed(isStdoutTTY, env, true),
    colorStderr: partial?.colorStderr ?? colorAllowed(isStderrTTY, env, true),
    canPrompt: partial?.canPrompt ?? (isStdinTTY && isStderrTTY),
  };
}

export interface CapturedIO {
  io: IO;
  stdout: () => string;
  stderr: () => string;
}

/**
 * Streams that collect what is written, every terminal flag off unless asked
 * (the in-process equivalent of `kt … > out 2> err < /dev/null`).
 */
export function captureIO(overrides: Partial<IO> = {}): CapturedIO {
  const out = new PassThrough();
  const err = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => outChunks.push(chunk));
  err.on('data', (chunk: Buffer) => errChunks.push(chunk));
  const stdin = new PassThrough();
  stdin.end();
  return {
    io: {
      stdout: out,
      stderr: err,
      stdin,
      isStdoutTTY: false,
      isStderrTTY: false,
      isStdinTTY: false,
      colorStdout: false,
      colorStderr: false,
      canPrompt: false,
      ...overrides,
    },
    stdout: () => Buffer.concat(outChunks).toString('utf8'),
    stderr: () => Buffer.concat(errChunks).toString('utf8'),
  };
}
