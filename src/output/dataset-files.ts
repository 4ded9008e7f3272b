// The files of a `--dataset DIR`: the lock, the manifest (replaced
// atomically: temp file, fsync, rename, directory fsync), the part files and
// their checksums. The rules live in src/domain/dataset.ts; this module only
// touches the disk.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FailureError } from '../errors.js';
import { fileError } from './sink.js';
import { isPartFile, LOCK_FILE, MANIFEST_FILE } from '../domain/dataset.js';

interface LockInfo {
  pid: number;
  hostname: string;
  started_at: string;
}

export interface DatasetLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<{ text: string; info: LockInfo | undefined } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(path, error);
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return { text, info: Number.isSafeInteger(info.pid) && typeof info.hostname === 'string' ? info : undefined };
  } catch {
    return { text, info: undefined };
  }
}

/**
 * Takes DIR/.lock (created exclusively). A lock held by a live process is
 * a FailureError (exit 1); one left by a process that is gone is taken over
 * (renamed aside, checked to be the one that was read, then replaced).
 * `onStale` hears about a takeover.
 */
export async function acquireLock(dir: string, now: Date, onStale: (info: LockInfo) => void): Promise<DatasetLock> {
  const path = join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, hostname: hostname(), started_at: now.toISOString() };
  const text = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(path, 'wx', 0o644);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return {
        async release() {
          const current = await readLock(path).catch(() => undefined);
          if (current?.text === text) await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fileError(path, error);
    }
    const held = await readLock(path);
    if (held === undefined) continue;
    const info = held.info;
    if (info === undefined) {
      throw new FailureError(`${path} is not a kt lock file; another program may be using ${dir}`, 'remove it if nothing else writes this dataset');
    }
    if (info.hostname !== hostname()) {
      throw new FailureError(`${dir} is locked by kt on ${info.hostname} (pid ${info.pid}, since ${info.started_at})`, `remove ${path} if that run is gone`);
    }
    if (alive(info.pid)) {
      throw new FailureError(`another kt run (pid ${info.pid}, since ${info.started_at}) is writing ${dir}`, 'wait for it to finish; runs on one dataset take turns');
    }
    // Stale: move it aside, and make sure what moved is the lock that was read
    // (another run may have taken it over in the meantime).
    const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      await rename(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw fileError(path, error);
    }
    const moved = await readFile(aside, 'utf8').catch(() => '');
    if (moved !== held.text) {
      await rename(aside, path).catch(() => undefined);
      continue;
    }
    await unlink(aside).catch(() => undefined);
    onStale(info);
  }
  throw new FailureError(`cannot take the lock ${path}: other runs keep taking it`);
}

/** The manifest's text, or undefined when there is none. */
export async function readManifestFile(dir: string): Promise<string | undefined> {
  const path = join(dir, MANIFEST_FILE);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FailureError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not every platform can open a directory; the data itself is synced
  }
}

/** Replaces the manifest atomically: a reader (or a crash) sees the old one or the new one, whole. */
export async function writeManifestFile(dir: string, text: string): Promise<void> {
  const path = join(dir, MANIFEST_FILE);
  const temp = join(dir, `.${MANIFEST_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw fileError(path, error);
  }
  await syncDirectory(dir);
}

/** Creates DIR (and a date directory) when missing. */
export async function ensureDirectory(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw fileError(path, error);
  }
}

export { syncDirectory };

/** sha256 and size of a file, read as a stream. */
export async function fileDigest(path: string): Promise<{ sha256: string; bytes: number } | undefined> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FailureError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return { sha256: hash.digest('hex'), bytes };
}

export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/**
 * Every file kt may have written under DIR's date directories (parts and
 * their temp files), as paths relative to DIR; other files are left alone.
 */
export async function listPartFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FailureError(`cannot read ${dir}: ${(error as Error).message}`);
  }
  const out: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !/^date=\d{4}-\d{2}-\d{2}$/.test(entry.name)) continue;
    for (const name of await readdir(join(dir, entry.name))) {
      if (isPartFile(name)) out.push(`${entry.name}/${name}`);
    }
  }
  return out.sort();
}

export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(path, error);
  }
}

/** Whether DIR holds anything at all (a new dataset goes only into an empty or missing directory). */
export async function directoryEntries(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw new FailureError(`--dataset ${dir} is a file, not a directory`);
    throw new FailureError(`cannot read ${dir}: ${(error as Error).message}`);
  }
}
