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
  /** Buffers `text`; the caller flushes once `buffered` reaches FLUSH_AT. */
  append(text: string): void;
  /** Characters buffered and not yet written. */
  readonly buffered: number;
  /** Writes out what is buffered, honouring backpressure. */
  flush(): Promise<void>;
  /** append + flush when the batch is full. */
  write(text: string): Promise<void>;
  /** Writes binary data (after anything buffered), honouring backpressure; the caller must not reuse `bytes`. */
  writeBytes(bytes: Uint8Array): Promise<void>;
  /** Flushes and commits (for a file: fsync + rename). */
  close(): Promise<void>;
  /** Drops whatever was written (for a file: removes the temp file). */
  abort(): Promise<void>;
  /** The reader went away (EPIPE, e.g. `| head`): stop producing, quietly. */
  readonly broken: boolean;
}

// Rows are batched into writes of about this many characters: one write per
// row would cost a syscall (or a thread-pool round trip) each.
export const FLUSH_AT = 64 * 1024;

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
function waitDrain(stream: Writable): Promise<void> {
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
  const send = async (data: string | Uint8Array): Promise<void> => {
    if (state.broken || stream.destroyed) {
      state.broken = true;
      return;
    }
    check();
    if (!stream.write(data)) await waitDrain(stream);
    if (stream.destroyed && state.error === undefined) state.broken = true;
    check();
  };
  const flush = async (): Promise<void> => {
    if (size === 0) return;
    const text = pending.join('');
    pending = [];
    size = 0;
    await send(text);
  };
  const append = (text: string): void => {
    if (state.broken) return;
    pending.push(text);
    size += text.length;
  };
  return {
    get broken() {
      return state.broken;
    },
    get buffered() {
      return size;
    },
    append,
    flush,
    async write(text) {
      append(text);
      if (size >= FLUSH_AT) await flush();
    },
    async writeBytes(bytes) {
      await flush();
      await send(bytes);
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
  // One write in flight while the next batch is rendered: flush() waits for
  // the previous write, starts this one and returns, so the caller's rows
  // are released while the disk works. close() waits for the last write.
  let inflight: Promise<unknown> | undefined;
  const settle = async (): Promise<void> => {
    const previous = inflight;
    inflight = undefined;
    await previous;
  };
  const start = (data: string | Uint8Array): void => {
    const write = typeof data === 'string' ? handle.write(data) : handle.write(data);
    // A failure is reported by the next flush or by close, not as an unhandled rejection.
    write.catch(() => undefined);
    inflight = write;
  };
  const flush = async (): Promise<void> => {
    await settle();
    if (size === 0) return;
    const text = pending.join('');
    pending = [];
    size = 0;
    start(text);
  };
  const discard = async (): Promise<void> => {
    finished = true;
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
  };
  const append = (text: string): void => {
    pending.push(text);
    size += text.length;
  };
  const flushOrDiscard = async (): Promise<void> => {
    try {
      await flush();
    } catch (error) {
      await discard();
      throw fileError(path, error);
    }
  };
  return {
    broken: false,
    get buffered() {
      return size;
    },
    append,
    flush: flushOrDiscard,
    async write(text) {
      append(text);
      if (size >= FLUSH_AT) await flushOrDiscard();
    },
    async writeBytes(bytes) {
      try {
        await flush();
        await settle();
        start(bytes);
      } catch (error) {
        await discard();
        throw fileError(path, error);
      }
    },
    async close() {
      if (finished) return;
      try {
        await flush();
        await settle();
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
