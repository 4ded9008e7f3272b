// Reading policy files for the validator: glob expansion, size limit, and
// I/O failures turned into findings (so one bad path never hides the others).
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FileReport } from '../../domain/policy/diagnostic.js';

/** Larger inputs are refused before reading: no policy file is anywhere near this. */
export const MAX_POLICY_BYTES = 5 * 1024 * 1024;

export type Loaded = { file: string; bytes: Uint8Array } | { report: FileReport };

const failure = (file: string, code: string, message: string, suggestion: string | undefined, unreadable: boolean): { report: FileReport } => ({
  report: {
    file,
    source: undefined,
    unreadable,
    diagnostics: [{ code, severity: 'error', path: '', line: 1, column: 1, length: 1, message, suggestion }],
  },
});

const tooLarge = (file: string, size: string): { report: FileReport } =>
  failure(file, 'E002', `the file is too large (${size}; the limit is ${MAX_POLICY_BYTES / 1024 / 1024} MB)`, 'a policy file is a few kilobytes; check the path', false);

export function hasGlob(arg: string): boolean {
  return /[*?[]/.test(arg);
}

/** `**` matches any number of directories, `*` and `?` stay within one; `[abc]` is a class. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end === -1) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, end).replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Expands one glob relative to cwd; sorted, files only. */
export async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const normalized = pattern.replace(/\\/g, '/');
  const parts = normalized.split('/');
  const firstGlob = parts.findIndex(hasGlob);
  const baseParts = parts.slice(0, firstGlob);
  const base = baseParts.join('/') || (normalized.startsWith('/') ? '/' : '.');
  const rest = parts.slice(firstGlob).join('/');
  const matcher = globToRegExp(rest);
  const root = path.resolve(cwd, base);
  let entries: string[];
  try {
    entries = (await readdir(root, { recursive: rest.includes('**') || parts.length - firstGlob > 1 })).map(String);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries.sort()) {
    const rel = entry.split(path.sep).join('/');
    if (!matcher.test(rel)) continue;
    const full = path.join(root, entry);
    try {
      if ((await stat(full)).isFile()) out.push(base === '.' && !normalized.startsWith('./') ? rel : `${base.replace(/\/$/, '')}/${rel}`);
    } catch {
      // vanished or unreadable between listing and stat: not a match
    }
  }
  return out;
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
    if (info.isDirectory()) return failure(file, 'E001', 'is a directory, not a file', `to check every YAML file in it: kt policy validate "${file.replace(/\/$/, '')}/**/*.yaml"`, true);
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
      return failure(file, 'E001', 'no such file', 'check the path; globs must be quoted so kt expands them', true);
    case 'EISDIR':
      return failure(file, 'E001', 'is a directory, not a file', undefined, true);
    case 'EACCES':
    case 'EPERM':
      return failure(file, 'E001', 'permission denied', 'check the file permissions (ls -l)', true);
    default:
      return failure(file, 'E001', `cannot read: ${error instanceof Error ? error.message : String(error)}`, undefined, true);
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
