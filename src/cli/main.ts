// Entry point: builds the command tree, runs one command, and turns whatever
// it threw into a message on stderr and an exit code. Nothing else in kt
// decides the exit code; nothing here imports a heavy module eagerly.
import { Command, CommanderError, Option } from 'commander';
import { colorAllowed, type Context, type GlobalOptions, type IO } from './context.js';
import { ExitCode, InterruptedError, KtError, UsageError } from '../errors.js';
import { registerCommands } from './commands.js';
import { durationMs, TimeError } from '../domain/time.js';
import { VERSION } from '../version.js';


export interface RunOptions {
  io?: Partial<IO>;
  env?: Record<string, string | undefined>;
  now?: () => Date;
  /** Test hook: abort to simulate Ctrl-C. */
  signal?: AbortSignal;
}

export type Handler<O = Record<string, unknown>> = (ctx: Context, opts: O, args: string[]) => Promise<void>;
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

export async function run(argv: string[], options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const io = makeIO(options.io, env);
  // A reader that goes away (`kt … | head`) is not an error: stop quietly.
  for (const stream of [io.stdout, io.stderr]) {
    if (stream.listenerCount('error') === 0) {
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
      });
    }
  }
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new InterruptedError());
  const usingProcessSignals = options.signal === undefined;
  if (usingProcessSignals) {
    // `on`, not `once`: conf's atomic writer (when-exit) re-raises the signal
    // after its own cleanup, and that second delivery must not kill us.
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  } else {
    options.signal?.addEventListener('abort', onSignal, { once: true });
  }
  let debug = argv.includes('--debug');
  let colorErr = io.colorStderr && !argv.includes('--no-color');
  const cleanups: Array<() => Promise<void>> = [];
  try {
    let exitCode: number = ExitCode.ok;
    const program = buildProgram(io, (load) => async (...actionArgs: unknown[]) => {
      const command = actionArgs[actionArgs.length - 1] as Command;
      const globals = readGlobals(command.optsWithGlobals());
      debug = globals.debug;
      colorErr = io.colorStderr && globals.color;
      const ctx = makeContext({
        io: {
          ...io,
          colorStdout: io.colorStdout && globals.color,
          colorStderr: colorErr,
        },
        env,
        now: options.now ?? clockFromEnv(env),
        globals,
        signal: controller.signal,
        cleanups,
      });
      const positional = actionArgs
        .slice(0, -2)
        .flatMap((a): unknown[] => (Array.isArray(a) ? (a as unknown[]) : a === undefined ? [] : [a]))
        .map(String);
      const mod = await load();
      const handler = mod.default as Handler;
      const work = handler(ctx, command.opts(), positional);
      await (mod.handlesInterrupt === true ? work : raceAbort(work, controller.signal));
    });
    try {
      await program.parseAsync(argv, { from: 'user' });
    } catch (error) {
      if (error instanceof CommanderError) {
        if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
          exitCode = ExitCode.ok;
        } else if (error.code === 'commander.executeSubCommandAsync') {
          exitCode = error.exitCode;
        } else {
          // commander already printed the message (with its did-you-mean hint)
          exitCode = ExitCode.usage;
        }
      } else {
        throw error;
      }
    }
    return exitCode;
  } catch (error) {
    return reportError(error, io, { debug, color: colorErr });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    // After an interrupt, keep swallowing re-raised signals until the process exits.
    if (usingProcessSignals && !controller.signal.aborted) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- pass the handler's rejection on unchanged
        reject(error);
      },
    );
  });
}

/**
 * The full command tree with actions that do nothing: for reading the tree
 * (shell completions, help checks). Parsing with it runs no handler.
 */
export function buildCommandTree(): Command {
  return buildProgram(makeIO({}, {}), () => () => Promise.resolve());
}

function buildProgram(io: IO, action: ActionFactory): Command {
  const program = new Command('kt');
  program
    .description('AI spend analytics and wallet administration for the Keeptrusts control plane')
    .version(`${VERSION}`, '-V, --version', 'print the version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .helpCommand(false)
    .addOption(new Option('--api-url <url>', 'control-plane API base URL (env KEEPTRUSTS_API_URL)'))
    .addOption(new Option('--profile <name>', 'config profile to use (env KEEPTRUSTS_PROFILE)'))
    .addOption(new Option('--no-color', 'disable colour (also NO_COLOR, TERM=dumb, non-TTY)'))
    .addOption(new Option('-q, --quiet', 'no spinner, notices or summaries on stderr'))
    .addOption(new Option('--debug', 'log requests on stderr (token redacted) and show stack traces'))
    .addOption(new Option('--timeout <duration>', 'per-request timeout, e.g. 30s (default 30s)'))
    .addOption(new Option('--retries <n>', 'retries on network errors, 429 and 5xx (default 3)'))
    .addOption(new Option('--insecure', 'allow http:// to a non-loopback host'));
  registerCommands(program, action);
  return program;
}

/**
 * The wall clock, or the instant KT_NOW names: every relative range (`30d`),
 * month boundary and forecast then comes out the same on any day, which is
 * what tests and reproducible reports need.
 */
export function clockFromEnv(env: Readonly<Record<string, string | undefined>>): () => Date {
  const fixed = env.KT_NOW;
  if (fixed === undefined || fixed === '') return () => new Date();
  const ms = Date.parse(fixed);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(fixed) || Number.isNaN(ms)) {
    throw new UsageError(`invalid KT_NOW "${fixed}": use an ISO-8601 instant such as 2026-11-15T12:00:00Z`);
  }
  return () => new Date(ms);
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function readGlobals(raw: Record<string, unknown>): GlobalOptions {
  const apiUrl = raw.apiUrl as string | undefined;
  if (apiUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(apiUrl);
    } catch {
      throw new UsageError(`invalid --api-url "${apiUrl}": not a URL`, 'use e.g. --api-url https://api.keeptrusts.com');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new UsageError(`invalid --api-url "${apiUrl}": only http and https are supported`);
    }
  }
  const profile = raw.profile as string | undefined;
  if (profile !== undefined && !PROFILE_NAME.test(profile)) {
    throw new UsageError(`invalid --profile "${profile}": use letters, digits, '.', '_' or '-' (at most 64)`);
  }
  let timeoutMs: number | undefined;
  if (raw.timeout !== undefined) {
    const text = raw.timeout as string;
    try {
      timeoutMs = /^\d+$/.test(text) ? Number(text) * 1000 : durationMs(text);
    } catch (error) {
      if (!(error instanceof TimeError)) throw error;
      throw new UsageError(`invalid --timeout "${text}": use seconds or a duration such as 500ms, 30s, 2m`);
    }
    if (timeoutMs <= 0) throw new UsageError(`invalid --timeout "${text}": must be greater than zero`);
  }
  let retries: number | undefined;
  if (raw.retries !== undefined) {
    const text = raw.retries as string;
    if (!/^\d+$/.test(text) || Number(text) > 20) {
      throw new UsageError(`invalid --retries "${text}": use a whole number from 0 to 20`);
    }
    retries = Number(text);
  }
  return {
    apiUrl,
    profile,
    color: raw.color !== false,
    quiet: raw.quiet === true,
    debug: raw.debug === true,
    timeoutMs,
    retries,
    insecure: raw.insecure === true,
  };
}

function makeIO(partial: Partial<IO> | undefined, env: Record<string, string | undefined>): IO {
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

function makeContext(init: {
  io: IO;
  env: Record<string, string | undefined>;
  now: () => Date;
  globals: GlobalOptions;
  signal: AbortSignal;
  cleanups: Array<() => Promise<void>>;
}): Context {
  const { io, globals } = init;
  const write = (text: string): void => {
    io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  let configPromise: ReturnType<Context['config']> | undefined;
  let apiPromise: ReturnType<Context['api']> | undefined;
  const ctx: Context = {
    io,
    env: init.env,
    now: init.now,
    globals,
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
      configPromise ??= import('../config/resolve.js').then((m) => m.resolveConfig({ env: init.env, globals }));
      return configPromise;
    },
    api: () => {
      apiPromise ??= (async () => {
        const config = await ctx.config();
        const { clientFromConfig } = await import('../api/client.js');
        const client = clientFromConfig(ctx, config);
        init.cleanups.push(() => client.close());
        return client;
      })();
      return apiPromise;
    },
  };
  return ctx;
}

function reportError(error: unknown, io: IO, options: { debug: boolean; color: boolean }): number {
  const red = (text: string): string => (options.color ? `\u001b[31m${text}\u001b[39m` : text);
  const dim = (text: string): string => (options.color ? `\u001b[2m${text}\u001b[22m` : text);
  if (error instanceof KtError) {
    if (error instanceof InterruptedError) {
      io.stderr.write('interrupted\n');
      return ExitCode.interrupted;
    }
    const requestId = (error as { requestId?: unknown }).requestId;
    const suffix = typeof requestId === 'string' ? dim(` (request id ${requestId})`) : '';
    io.stderr.write(`${red('error:')} ${error.message}${suffix}\n`);
    if (error.hint !== undefined) io.stderr.write(`${dim('hint:')} ${error.hint}\n`);
    if (options.debug && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  if (isBrokenPipe(error)) return ExitCode.ok;
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`${red('error:')} ${message}\n`);
  if (options.debug && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write(`${dim('hint:')} this is a bug in kt; run again with --debug for the stack trace\n`);
  return ExitCode.failure;
}

function isBrokenPipe(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EPIPE';
}
