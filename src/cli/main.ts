// Entry point: builds the command tree, runs one command, and turns whatever
// it threw into a message on stderr and an exit code. Nothing else in kt
// decides the exit code; nothing here imports a heavy module eagerly.
import { CommanderError, type Command } from 'commander';
import { createContext, createIO, type GlobalOptions, type IO } from './context.js';
import type { Handler } from './action.js';
import { ExitCode, InterruptedError, KtError, UsageError } from '../errors.js';
import { buildProgram } from './program.js';
import { durationMs, TimeError } from '../domain/time.js';

export interface RunOptions {
  io?: Partial<IO>;
  env?: Record<string, string | undefined>;
  now?: () => Date;
  /** Test hook: abort to simulate Ctrl-C. */
  signal?: AbortSignal;
}

export async function run(argv: string[], options: RunOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const io = createIO(options.io, env);
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
    const output = { writeOut: (text: string) => io.stdout.write(text), writeErr: (text: string) => io.stderr.write(text) };
    const program = buildProgram(output, (load) => async (...actionArgs: unknown[]) => {
      const command = actionArgs[actionArgs.length - 1] as Command;
      const globals = readGlobals(command.optsWithGlobals());
      debug = globals.debug;
      colorErr = io.colorStderr && globals.color;
      const ctx = createContext({
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
      const opts = command.opts();
      // An API 404 for a team the command named becomes the one unknown-team message (src/cli/teams.ts).
      const work = handler(ctx, opts, positional, command).catch(async (error: unknown) => {
        throw await import('./teams.js').then((m) => m.explainUnknownTeam(error, opts, () => ctx.api()));
      });
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
    return await reportError(error, io, { debug, color: colorErr, env });
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

async function reportError(error: unknown, io: IO, options: { debug: boolean; color: boolean; env: Readonly<Record<string, string | undefined>> }): Promise<number> {
  // chalk loads only when there is an error to colour.
  const style = options.color ? await import('../output/style.js').then((m) => m.styleAtLevel(m.colorLevel(true, options.env))) : undefined;
  const red = (text: string): string => style?.red(text) ?? text;
  const dim = (text: string): string => style?.dim(text) ?? text;
  if (error instanceof KtError) {
    // Stopped on purpose (Ctrl-C, "n" at a prompt): said plainly, not as an error.
    if (error instanceof InterruptedError || error.exitCode === ExitCode.interrupted) {
      io.stderr.write(`${error.message}\n`);
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
