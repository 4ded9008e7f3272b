// An in-process Context for output tests: PassThrough streams that collect
// what was written, terminal flags off unless asked.
import { PassThrough, type Writable } from 'node:stream';
import type { Context, IO } from '../../src/cli/context.js';

export interface FakeContext {
  ctx: Context;
  stdout: () => string;
  stderr: () => string;
  abort: (reason?: unknown) => void;
}

export function fakeContext(options: { io?: Partial<IO>; env?: Record<string, string>; quiet?: boolean; stdout?: Writable } = {}): FakeContext {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (chunk) => (outText += String(chunk)));
  err.on('data', (chunk) => (errText += String(chunk)));
  const controller = new AbortController();
  const quiet = options.quiet ?? false;
  const ctx: Context = {
    io: {
      stdout: options.stdout ?? out,
      stderr: err,
      stdin: new PassThrough(),
      isStdoutTTY: false,
      isStderrTTY: false,
      isStdinTTY: false,
      colorStdout: false,
      colorStderr: false,
      canPrompt: false,
      ...options.io,
    },
    env: options.env ?? {},
    now: () => new Date('2026-11-28T09:15:00Z'),
    globals: { apiUrl: undefined, profile: undefined, color: true, quiet, debug: false, timeoutMs: undefined, retries: undefined, insecure: false },
    log: {
      info: (message) => {
        if (!quiet) err.write(`${message}\n`);
      },
      warn: (message) => err.write(`warning: ${message}\n`),
      debug: () => undefined,
    },
    signal: controller.signal,
    config: () => Promise.reject(new Error('no config in output tests')),
    api: () => Promise.reject(new Error('no api in output tests')),
  };
  return { ctx, stdout: () => outText, stderr: () => errText, abort: (reason) => controller.abort(reason) };
}
