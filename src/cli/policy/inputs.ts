// Reading policy files for the validator: glob expansion (tinyglobby), size limit, and
// I/O failures turned into findings (so one bad path never hides the others).
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { GlobOptions } from 'tinyglobby';
import { fileFinding, type FileReport } from '../../domain/policy/diagnostic.js';

/** Larger inputs are refused before reading: no policy file is anywhere near this. */
export const MAX_POLICY_BYTES = 5 * 1024 * 1024;

export type Loaded = { file: string; bytes: Uint8Array } | { report: FileReport };

const failure = (file: string, code: string, message: string, suggestion: string | undefined, unreadable: boolean): { report: FileReport } => ({
  report: { file, source: undefined, unreadable, diagnostics: [fileFinding(code, message, suggestion)] },
});

const tooLarge = (file: string, size: string): { report: FileReport } =>
  failure(file, 'E102', `the file is too large (${size}; the limit is ${MAX_POLICY_BYTES / 1024 / 1024} MB)`, 'a policy file is a few kilobytes; check the path', false);

/** Characters that can make an argument a pattern; anything else is taken as a path without loading the glob library. */
export function mayBeGlob(arg: string): boolean {
  return /[*?[\]{}()!+@]/.test(arg);
}

/** Directories a glob never descends into, whatever the pattern: they are never policy sources and can be huge. */
export const NEVER_WALKED = ['**/node_modules/**', '**/.git/**'];

/**
 * Expands one glob relative to cwd: files only, sorted, `*` leaves dotfiles
 * out, brace sets and negated classes work as in the shell. Results keep the
 * pattern's own form (relative, ./-prefixed or absolute). `fs` is for tests.
 */
export async function expandGlob(pattern: string, cwd: string, fs?: GlobOptions['fs']): Promise<string[]> {
  const { glob } = await import('tinyglobby');
  const normalized = pattern.replace(/\\/g, '/');
  const files = await glob(normalized, {
    cwd,
    absolute: path.isAbsolute(normalized),
    onlyFiles: true,
    dot: false,
    expandDirectories: false,
    ignore: NEVER_WALKED,
    ...(fs !== undefined ? { fs } : {}),
  });
  const prefix = normalized.startsWith('./') ? './' : '';
  return files.map((f) => `${prefix}${f}`).sort();
}

/** Whether tinyglobby reads the argument as a pattern (a literal path may contain brackets). */
export async function isGlobPattern(arg: string): Promise<boolean> {
  if (!mayBeGlob(arg)) return false;
  const { isDynamicPattern } = await import('tinyglobby');
  return isDynamicPattern(arg.replace(/\\/g, '/'));
}

export async function readPolicyFile(file: string, cwd: string): Promise<Loaded> {
  const full = path.resolve(cwd, file);
  let handle;
  try {
    handle = await open(full, 'r');
  } catch (error) {
    return ioFailure(file, error);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) return failure(file, 'E101', 'is a directory, not a file', `to check every YAML file in it: kt policy validate "${file.replace(/\/$/, '')}/**/*.yaml"`, true);
    if (info.size > MAX_POLICY_BYTES) return tooLarge(file, `${(info.size / 1024 / 1024).toFixed(1)} MB`);
    const bytes = new Uint8Array(await handle.readFile());
    if (bytes.length > MAX_POLICY_BYTES) return tooLarge(file, `over ${MAX_POLICY_BYTES / 1024 / 1024} MB`);
    return { file, bytes };
  } catch (error) {
    return ioFailure(file, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export function ioFailure(file: string, error: unknown): { report: FileReport } {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ENOENT':
      return failure(file, 'E101', 'no such file', 'check the path; globs must be quoted so kt expands them', true);
    case 'EISDIR':
      return failure(file, 'E101', 'is a directory, not a file', undefined, true);
    case 'EACCES':
    case 'EPERM':
      return failure(file, 'E101', 'permission denied', 'check the file permissions (ls -l)', true);
    default:
      return failure(file, 'E101', `cannot read: ${error instanceof Error ? error.message : String(error)}`, undefined, true);
  }
}

/** Reads stdin up to the size limit; stops (without buffering the rest) once over it. */
export async function readPolicyStdin(stdin: Readable): Promise<Loaded> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_POLICY_BYTES) {
      stdin.destroy();
      return tooLarge('<stdin>', `over ${MAX_POLICY_BYTES / 1024 / 1024} MB`);
    }
    chunks.push(buf);
  }
  return { file: '<stdin>', bytes: new Uint8Array(Buffer.concat(chunks)) };
}
