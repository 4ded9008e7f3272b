// Where rendered text goes: stdout (with backpressure and quiet EPIPE) or an
// --output file written atomically (temp file in the same directory, fsync,
// rename over the target; on any failure the temp file is removed and the
// target is left as it was).
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { FailureError } from '../errors.js';

export interface Sink {
  write(text: string): Promise<void>;
  /** Flushes and commits (for a file: fsync + rename). */
  close(): Promise<void>;
  /** Drops whatever was written (for a file: removes the temp file). */
  abort(): Promise<void>;
  /** The reader went away (EPIPE, e.g. `| head`): stop producing, quietly. */
  readonly broken: boolean;
}

// Rows are batched into writes of about this many characters: one write per
// row would cost a syscall (or a thread-pool round trip) each.
const FLUSH_AT = 64 * 1024;

interface StreamState {
  broken: boolean;
  error: Error | undefined;
}

// One permanent listener per stream: a late EPIPE after writeRows returned
// must not become an uncaught exception.
const states = new WeakMap<Writable, StreamState>();

function watch(stream: Writable): StreamState {
  let state = states.get(stream);
  if (state === undefined) {
    const created: StreamState = { broken: false, error: undefined };
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') created.broken = true;
      else created.error ??= error;
    });
    states.set(stream, created);
    state = created;
  }
  return state;
}

/** Resolves on 'drain', or when the stream closes or fails (the caller checks which). */
export function waitDrain(stream: Writable): Promise<void> {
  return new Promise((resolveWait) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolveWait();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

export function streamSink(stream: Writable, label = 'stdout'): Sink {
  const state = watch(stream);
  let pending: string[] = [];
  let size = 0;
  const check = (): void => {
    if (state.error !== undefined) throw new FailureError(`cannot write to ${label}: ${state.error.message}`);
  };
  const flush = async (): Promise<void> => {
    if (size === 0) return;
    const text = pending.join('');
    pending = [];
    size = 0;
    if (state.broken || stream.destroyed) {
      state.broken = true;
      return;
    }
    check();
    if (!stream.write(text)) await waitDrain(stream);
    if (stream.destroyed && state.error === undefined) state.broken = true;
    check();
  };
  return {
    get broken() {
      return state.broken;
    },
    async write(text) {
      if (state.broken) return;
      pending.push(text);
      size += text.length;
      if (size >= FLUSH_AT) await flush();
    },
    close: flush,
    async abort() {
      // Rows already written to a stream cannot be taken back; send what the
      // reader has been promised so far, then let the error be reported.
      await flush().catch(() => undefined);
    },
  };
}

/** `cannot write "out.csv": permission denied` — short reasons for the usual errno values. */
export function fileError(path: string, error: unknown): FailureError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
    ENOSPC: 'no space left on device',
    EROFS: 'read-only file system',
    EDQUOT: 'disk quota exceeded',
  };
  const reason = (code !== undefined ? reasons[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
  return new FailureError(`cannot write "${path}": ${reason}`);
}

export async function atomicFileSink(path: string): Promise<Sink> {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // Keep the permissions of a file being replaced (a 0600 report stays 0600).
  let mode = 0o666;
  try {
    const existing = await stat(target);
    if (existing.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    mode = existing.mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(path, error);
  }
  let handle: FileHandle;
  try {
    handle = await open(temp, 'wx', mode);
  } catch (error) {
    throw fileError(path, error);
  }
  let pending: string[] = [];
  let size = 0;
  let finished = false;
  const flush = async (): Promise<void> => {
    if (size === 0) return;
    const text = pending.join('');
    pending = [];
    size = 0;
    await handle.write(text);
  };
  const discard = async (): Promise<void> => {
    finished = true;
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
  };
  return {
    broken: false,
    async write(text) {
      pending.push(text);
      size += text.length;
      if (size >= FLUSH_AT) {
        try {
          await flush();
        } catch (error) {
          await discard();
          throw fileError(path, error);
        }
      }
    },
    async close() {
      if (finished) return;
      try {
        await flush();
        await handle.sync();
        await handle.close();
        finished = true;
        await rename(temp, target);
      } catch (error) {
        await discard();
        throw fileError(path, error);
      }
      await syncDirectory(dirname(target));
    },
    async abort() {
      if (!finished) await discard();
    },
  };
}

/** Makes the rename durable; not every platform can open a directory, so best effort. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // ignored: the data itself is already synced
  }
}
