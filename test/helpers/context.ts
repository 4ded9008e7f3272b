// A command context for in-process tests, made by kt's own createContext and
// captureIO (nothing about it is re-implemented here): buffers for the
// streams, terminal flags off unless asked, a fixed clock, and an API double
// when the test gives one (otherwise any API call fails the test).
import type { Writable } from 'node:stream';
import type { ApiClient } from '../../src/api/client.js';
import { captureIO, createContext, DEFAULT_GLOBALS, type Context, type GlobalOptions, type IO } from '../../src/cli/context.js';

export interface TestContext {
  ctx: Context;
  stdout: () => string;
  stderr: () => string;
  abort: (reason?: unknown) => void;
}

export interface TestContextOptions {
  io?: Partial<IO>;
  env?: Record<string, string>;
  globals?: Partial<GlobalOptions>;
  /** Replaces the captured stdout (a slow or failing reader). */
  stdout?: Writable;
  now?: string;
  api?: ApiClient;
}

export function testContext(options: TestContextOptions = {}): TestContext {
  const captured = captureIO({ ...options.io, ...(options.stdout === undefined ? {} : { stdout: options.stdout }) });
  const controller = new AbortController();
  const now = new Date(options.now ?? '2026-11-28T09:15:00Z');
  const api = options.api;
  const ctx = createContext({
    io: captured.io,
    env: options.env ?? {},
    now: () => now,
    globals: { ...DEFAULT_GLOBALS, ...options.globals },
    signal: controller.signal,
    api: () => (api === undefined ? Promise.reject(new Error('this test expects no API call')) : Promise.resolve(api)),
    config: () => Promise.reject(new Error('this test expects no configuration read')),
  });
  return { ctx, stdout: captured.stdout, stderr: captured.stderr, abort: (reason) => controller.abort(reason) };
}
