import { mkdtemp, readFile, readdir, rm, stat, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeRows, type Column } from '../../src/output/index.js';
import { testContext as fakeContext } from '../helpers/context.js';

interface Row {
  n: number;
  name: string;
}
const columns: Column<Row>[] = [
  { name: 'n', kind: 'int', get: (r) => r.n },
  { name: 'name', kind: 'text', get: (r) => r.name },
];

function rowsUpTo(count: number): Row[] {
  return Array.from({ length: count }, (_, n) => ({ n, name: `row-${n}-${'x'.repeat(40)}` }));
}

async function* failingAfter(count: number): AsyncGenerator<Row> {
  for (let n = 0; n < count; n += 1) yield { n, name: `r${n}` };
  throw new Error('page 3 failed');
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kt-output-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('atomic --output', () => {
  for (const format of ['csv', 'json', 'ndjson', 'table'] as const) {
    it(`leaves the target untouched and no temp file when the rows fail mid-way (${format})`, async () => {
      const target = join(dir, 'report.out');
      await writeFile(target, 'previous report\n');
      const f = fakeContext();
      // Enough rows to force several flushes to the temp file before the failure.
      await expect(writeRows(f.ctx, failingAfter(5000), columns, { format, output: target })).rejects.toThrow('page 3 failed');
      expect(await readFile(target, 'utf8')).toBe('previous report\n');
      expect(await readdir(dir)).toEqual(['report.out']);
      expect(f.stdout()).toBe('');
    });
  }

  it('creates the file with the full content on success and writes nothing to stdout', async () => {
    const target = join(dir, 'new.csv');
    const f = fakeContext();
    const result = await writeRows(f.ctx, rowsUpTo(3), columns, { format: 'csv', output: target });
    expect(result.rows).toBe(3);
    expect(await readFile(target, 'utf8')).toBe(`n,name\r\n${rowsUpTo(3).map((r) => `${r.n},${r.name}\r\n`).join('')}`);
    expect(await readdir(dir)).toEqual(['new.csv']);
    expect(f.stdout()).toBe('');
  });

  it('replaces an existing file and keeps its permissions', async () => {
    const target = join(dir, 'private.json');
    await writeFile(target, 'old');
    await chmod(target, 0o600);
    await writeRows(fakeContext().ctx, rowsUpTo(2), columns, { format: 'json', output: target });
    expect(JSON.parse(await readFile(target, 'utf8'))).toHaveLength(2);
    expect((await stat(target)).mode & 0o777).toBe(0o600);
  });

  it('writes a plain table (no box, no colour) to a file even when stdout is a TTY', async () => {
    const target = join(dir, 'table.txt');
    const f = fakeContext({ io: { isStdoutTTY: true, colorStdout: true } });
    await writeRows(f.ctx, rowsUpTo(2), columns, { format: 'table', output: target });
    expect(await readFile(target, 'utf8')).toMatch(/^N {2}NAME\n0 {2}row-0/);
  });

  it('fails with exit 1 naming the path when the directory does not exist', async () => {
    const target = join(dir, 'missing', 'out.csv');
    await expect(writeRows(fakeContext().ctx, rowsUpTo(1), columns, { format: 'csv', output: target })).rejects.toMatchObject({
      exitCode: 1,
      message: `cannot write "${target}": no such directory`,
    });
  });

  it('fails with exit 1 when the target is a directory, leaving it alone', async () => {
    const target = join(dir, 'adir');
    await mkdir(target);
    await expect(writeRows(fakeContext().ctx, rowsUpTo(1), columns, { format: 'csv', output: target })).rejects.toMatchObject({
      exitCode: 1,
      message: `cannot write "${target}": is a directory`,
    });
    expect(await readdir(dir)).toEqual(['adir']);
  });

  it('removes the temp file when interrupted', async () => {
    const target = join(dir, 'x.ndjson');
    const f = fakeContext();
    async function* slow(): AsyncGenerator<Row> {
      for (let n = 0; ; n += 1) {
        if (n === 100) f.abort(new Error('interrupted'));
        yield { n, name: 'r' };
      }
    }
    await expect(writeRows(f.ctx, slow(), columns, { format: 'ndjson', output: target })).rejects.toThrow('interrupted');
    expect(await readdir(dir)).toEqual([]);
  });
});

/** A consumer that takes a while per chunk, with a tiny buffer. */
class SlowWritable extends Writable {
  text = '';
  drains = 0;
  constructor() {
    super({ highWaterMark: 64 });
    this.on('drain', () => (this.drains += 1));
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    setImmediate(() => {
      this.text += chunk.toString();
      callback();
    });
  }
}

describe('backpressure', () => {
  for (const format of ['csv', 'ndjson', 'json'] as const) {
    it(`delivers every row in order to a slow reader (${format})`, async () => {
      const slow = new SlowWritable();
      const f = fakeContext({ stdout: slow });
      const result = await writeRows(f.ctx, rowsUpTo(5000), columns, { format, header: false });
      expect(result.rows).toBe(5000);
      // Everything the writer handed over reaches the reader once the stream finishes.
      await new Promise<void>((resolve) => slow.end(() => resolve()));
      const numbers =
        format === 'json'
          ? (JSON.parse(slow.text) as Row[]).map((r) => r.n)
          : slow.text
              .trim()
              .split(/\r?\n/)
              .map((line) => (format === 'csv' ? Number(line.split(',')[0]) : (JSON.parse(line) as Row).n));
      expect(numbers).toEqual(rowsUpTo(5000).map((r) => r.n));
      // The writer waited for the reader rather than queueing everything.
      expect(slow.drains).toBeGreaterThan(0);
    });
  }
});

describe('broken pipe', () => {
  it('stops quietly when the reader goes away (| head)', async () => {
    let received = 0;
    const reader = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        callback(error);
      },
    });
    let pulled = 0;
    function* endless(): Generator<Row> {
      for (let n = 0; n < 1_000_000; n += 1) {
        pulled += 1;
        yield { n, name: 'x'.repeat(100) };
      }
    }
    const f = fakeContext({ stdout: reader });
    const result = await writeRows(f.ctx, endless(), columns, { format: 'csv' });
    expect(received).toBeGreaterThan(0);
    // It stopped pulling rows long before the end.
    expect(pulled).toBeLessThan(10_000);
    expect(result.rows).toBeLessThanOrEqual(pulled);
  });

  it('reports any other stdout error as a failure (exit 1)', async () => {
    const reader = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
      },
    });
    const f = fakeContext({ stdout: reader });
    await expect(writeRows(f.ctx, rowsUpTo(2000), columns, { format: 'ndjson' })).rejects.toMatchObject({
      exitCode: 1,
      message: 'cannot write to stdout: no space left on device',
    });
  });
});
