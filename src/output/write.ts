// The work behind writeRows: pick a sink, encode rows one at a time for the
// machine formats (nothing is buffered beyond a 64 KiB write batch), buffer
// only for tables. Loaded lazily by index.ts; csv-stringify and cli-table3
// are loaded only for their format.
import type { Writable } from 'node:stream';
import type { Context } from '../cli/context.js';
import { UsageError } from '../errors.js';
import { CellRenderer } from './cells.js';
import type { Column, WriteOptions, WriteResult } from './index.js';
import { atomicFileSink, streamSink, waitDrain, type Sink } from './sink.js';
import { boxTable, isRightAligned, plainTable } from './table.js';

type Rows<R> = Iterable<R> | AsyncIterable<R>;

export async function writeRowsImpl<R>(ctx: Context, rows: Rows<R>, columns: readonly Column<R>[], options: WriteOptions): Promise<WriteResult> {
  const renderer = makeRenderer(options.tz);
  const sink = options.output === undefined ? streamSink(ctx.io.stdout) : await atomicFileSink(options.output);
  try {
    let count: number;
    switch (options.format) {
      case 'csv':
        count = await writeCsv(ctx, sink, rows, columns, renderer, options.header !== false);
        break;
      case 'json':
        count = await writeJson(ctx, sink, rows, columns, renderer, false);
        break;
      case 'ndjson':
        count = await writeJson(ctx, sink, rows, columns, renderer, true);
        break;
      case 'table':
        count = await writeTable(ctx, sink, rows, columns, renderer, options);
        break;
      default:
        throw new UsageError(`unknown format "${String(options.format)}"; valid formats: table, csv, json, ndjson`);
    }
    await sink.close();
    return { rows: count };
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

function makeRenderer(tz: string | undefined): CellRenderer {
  try {
    return new CellRenderer(tz);
  } catch {
    throw new UsageError(`unknown time zone "${tz}"; use an IANA name such as Europe/Berlin or UTC`);
  }
}

function checkAbort(ctx: Context): void {
  if (ctx.signal.aborted) throw ctx.signal.reason;
}

async function writeJson<R>(ctx: Context, sink: Sink, rows: Rows<R>, columns: readonly Column<R>[], renderer: CellRenderer, lines: boolean): Promise<number> {
  let count = 0;
  for await (const row of rows) {
    checkAbort(ctx);
    const record: Record<string, unknown> = {};
    for (const column of columns) record[column.name] = renderer.json(column, row);
    const text = JSON.stringify(record);
    if (lines) await sink.write(`${text}\n`);
    else await sink.write(count === 0 ? `[\n  ${text}` : `,\n  ${text}`);
    count += 1;
    if (sink.broken) return count;
  }
  if (!lines) await sink.write(count === 0 ? '[]\n' : '\n]\n');
  return count;
}

async function writeCsv<R>(ctx: Context, sink: Sink, rows: Rows<R>, columns: readonly Column<R>[], renderer: CellRenderer, header: boolean): Promise<number> {
  const { stringify } = await import('csv-stringify');
  const stringifier = stringify({
    header,
    columns: columns.map((c) => c.name),
    record_delimiter: '\r\n',
    // csv-stringify quotes on the record delimiter only; RFC 4180 wants any CR or LF quoted.
    quoted_match: /[\r\n]/,
    eof: true,
  });
  // Errors surface through the consumer's iteration; this keeps a late one
  // from becoming an uncaught 'error' event.
  stringifier.on('error', () => undefined);
  let count = 0;
  const produce = async (): Promise<void> => {
    try {
      for await (const row of rows) {
        checkAbort(ctx);
        if (stringifier.destroyed || sink.broken) return;
        const record = columns.map((column) => renderer.csv(column, row));
        count += 1;
        if (!write(stringifier, record)) await waitDrain(stringifier);
      }
      if (!stringifier.destroyed) stringifier.end();
    } catch (error) {
      stringifier.destroy(error as Error);
      throw error;
    }
  };
  const consume = async (): Promise<void> => {
    for await (const chunk of stringifier) {
      await sink.write(String(chunk));
      if (sink.broken) break;
    }
  };
  await Promise.all([produce(), consume()]);
  return count;
}

function write(stream: Writable, record: string[]): boolean {
  return stream.write(record);
}

async function writeTable<R>(
  ctx: Context,
  sink: Sink,
  rows: Rows<R>,
  columns: readonly Column<R>[],
  renderer: CellRenderer,
  options: WriteOptions,
): Promise<number> {
  const cells: string[][] = [];
  for await (const row of rows) {
    checkAbort(ctx);
    cells.push(columns.map((column) => renderer.table(column, row)));
  }
  if (cells.length === 0) {
    if (options.emptyNotice !== undefined) ctx.log.info(options.emptyNotice);
    return 0;
  }
  const input = {
    headers: options.header === false ? undefined : columns.map((c) => c.header ?? c.name.toUpperCase()),
    rows: cells,
    rightAligned: columns.map((c) => isRightAligned(c)),
  };
  const boxed = options.output === undefined && ctx.io.isStdoutTTY;
  await sink.write(boxed ? await boxTable(ctx, input) : plainTable(input));
  return cells.length;
}
