// The work behind writeRows: pick a sink, encode rows for the machine formats
// straight into the sink's 64 KiB write batch (nothing else is held), buffer
// only for tables. Rows are taken a batch at a time: a page from the API is
// rendered synchronously and the writer awaits only when a batch is full.
// Loaded lazily by index.ts; the table code (cli-table3, string-width,
// chalk) is loaded only for tables.
import type { OutputContext } from './context.js';
import { UsageError } from '../errors.js';
import { checkBinaryTarget } from './binary.js';
import { CellRenderer } from './cells.js';
import { RowPages, type Column, type RowSource, type WriteOptions, type WriteResult } from './rows.js';
import { atomicFileSink, FLUSH_AT, streamSink, type Sink } from './sink.js';
import { startSpinner, type Spinner } from './spinner.js';
import { isTimeZone } from '../domain/time.js';

const SYNC_BATCH = 1000;

/**
 * Every source as batches: pages as they come, an array as one batch, a lazy
 * iterable a thousand rows at a time (it may be endless), an async iterable
 * row by row.
 */
async function* sourceBatches<R>(rows: RowSource<R>): AsyncGenerator<readonly R[], void, undefined> {
  if (rows instanceof RowPages) {
    yield* rows.pages;
  } else if (Array.isArray(rows)) {
    yield rows as readonly R[];
  } else if (Symbol.iterator in rows) {
    let batch: R[] = [];
    for (const row of rows) {
      batch.push(row);
      if (batch.length === SYNC_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } else {
    for await (const row of rows) yield [row];
  }
}

// A page is rendered without awaiting, so its parsed rows die young and the
// heap stays small; a batch bigger than this (a huge in-memory array) is
// written out as it goes.
const MID_BATCH_FLUSH_AT = 1024 * 1024;

/**
 * Renders every row into the sink with `render`, writing out a full batch at
 * the end of each page (or mid-page past MID_BATCH_FLUSH_AT); stops early on
 * a closed reader. Returns the rows rendered.
 */
async function streamRows<R>(
  ctx: OutputContext,
  sink: Sink,
  rows: RowSource<R>,
  render: (row: R, index: number) => void,
  start: () => void = () => undefined,
): Promise<number> {
  let count = 0;
  let started = false;
  for await (const batch of sourceBatches(rows)) {
    if (!started) {
      // Nothing (not even a CSV header) is written before the source has
      // answered: a refused token or a dead server leaves stdout empty.
      started = true;
      start();
    }
    for (const row of batch) {
      checkAbort(ctx);
      render(row, count);
      count += 1;
      if (sink.buffered >= MID_BATCH_FLUSH_AT) await sink.flush();
      if (sink.broken) return count;
    }
    if (sink.buffered >= FLUSH_AT) await sink.flush();
    if (sink.broken) return count;
  }
  if (!started) start();
  return count;
}

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;

/** One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTE, '""')}"` : text;
}

/**
 * The batches of a source, with the terminal feedback of options.progress:
 * the spinner runs until the first batch; an export to a file or a pipe then
 * shows the live line, while anything printed to the terminal itself first
 * clears it (two writers on one screen would garble both).
 */
function batchesWithFeedback<R>(ctx: OutputContext, rows: RowSource<R>, options: WriteOptions, spinner: Spinner): AsyncGenerator<readonly R[], void, undefined> {
  const progress = options.progress;
  if (progress === undefined) return sourceBatches(rows);
  // The live line is formatted per page (grouped numbers, the running
  // total); off a terminal nobody would see it.
  const live = progress.line !== undefined && spinner.silent !== true && options.format !== 'table' && (options.output !== undefined || !ctx.io.isStdoutTTY);
  return (async function* () {
    const started = performance.now();
    let count = 0;
    for await (const batch of sourceBatches(rows)) {
      count += batch.length;
      if (live) spinner.update(progress.line?.(count, performance.now() - started) ?? '');
      else if (options.format !== 'table') spinner.stop();
      yield batch;
    }
  })();
}

export async function writeRowsImpl<R>(ctx: OutputContext, source: RowSource<R>, columns: readonly Column<R>[], options: WriteOptions): Promise<WriteResult> {
  checkBinaryTarget(ctx, options.format, options.output);
  const renderer = makeRenderer(options.tz);
  const sink = options.output === undefined ? streamSink(ctx.io.stdout) : await atomicFileSink(options.output);
  const spinner = options.progress === undefined ? { update: () => undefined, stop: () => undefined, silent: true } : startSpinner(ctx, options.progress.waiting);
  const rows = new RowPages(batchesWithFeedback(ctx, source, options, spinner));
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
        count = await writeTable(ctx, sink, rows, columns, renderer, options, spinner);
        break;
      case 'parquet': {
        const { writeParquet } = await import('./parquet.js');
        count = await writeParquet(ctx, sink, rows.pages, columns, { metadata: options.parquetMetadata });
        break;
      }
      default:
        throw new UsageError(`unknown format "${String(options.format)}"; valid formats: table, csv, json, ndjson, parquet`);
    }
    spinner.stop();
    await sink.close();
    return { rows: count };
  } catch (error) {
    spinner.stop();
    await sink.abort();
    throw error;
  }
}

function makeRenderer(tz: string | undefined): CellRenderer {
  if (tz !== undefined && !isTimeZone(tz)) throw new UsageError(`unknown time zone "${tz}"; use an IANA name such as Europe/Berlin or UTC`);
  return new CellRenderer(tz);
}

function checkAbort(ctx: OutputContext): void {
  if (ctx.signal.aborted) throw ctx.signal.reason;
}

async function writeJson<R>(ctx: OutputContext, sink: Sink, rows: RowSource<R>, columns: readonly Column<R>[], renderer: CellRenderer, lines: boolean): Promise<number> {
  // Keys are encoded once; each row is their cells' JSON text (money as exact
  // decimal numbers, which JSON.stringify of a double could not write).
  const keys = columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
  const parts: string[] = [];
  const count = await streamRows(ctx, sink, rows, (row, index) => {
    parts.length = 0;
    for (let i = 0; i < columns.length; i += 1) parts.push(keys[i] ?? '', renderer.json(columns[i] as Column<R>, row));
    const text = `${parts.join('')}}`;
    sink.append(lines ? `${text}\n` : index === 0 ? `[\n  ${text}` : `,\n  ${text}`);
  });
  if (!lines && !sink.broken) await sink.write(count === 0 ? '[]\n' : '\n]\n');
  return count;
}

async function writeCsv<R>(ctx: OutputContext, sink: Sink, rows: RowSource<R>, columns: readonly Column<R>[], renderer: CellRenderer, header: boolean): Promise<number> {
  // One array of cells, reused for every row and joined once: concatenating
  // a line cell by cell would allocate a string per cell per row.
  const cells: string[] = columns.map(() => '');
  return streamRows(
    ctx,
    sink,
    rows,
    (row) => {
      for (let i = 0; i < columns.length; i += 1) cells[i] = csvField(renderer.csv(columns[i] as Column<R>, row));
      sink.append(cells.join(','));
      sink.append('\r\n');
    },
    () => {
      if (header) sink.append(`${columns.map((c) => csvField(c.name)).join(',')}\r\n`);
    },
  );
}

async function writeTable<R>(
  ctx: OutputContext,
  sink: Sink,
  rows: RowSource<R>,
  columns: readonly Column<R>[],
  renderer: CellRenderer,
  options: WriteOptions,
  spinner: Spinner,
): Promise<number> {
  const cells: string[][] = [];
  for await (const batch of sourceBatches(rows)) {
    for (const row of batch) {
      checkAbort(ctx);
      cells.push(columns.map((column) => renderer.table(column, row)));
    }
  }
  spinner.stop();
  if (cells.length === 0) {
    if (options.emptyNotice !== undefined) ctx.log.info(options.emptyNotice);
    return 0;
  }
  const { boxTable, isRightAligned, plainTable } = await import('./table.js');
  const input = {
    headers: options.header === false ? undefined : columns.map((c) => c.header ?? c.name.toUpperCase()),
    rows: cells,
    rightAligned: columns.map((c) => isRightAligned(c)),
  };
  const boxed = options.output === undefined && ctx.io.isStdoutTTY;
  await sink.write(boxed ? await boxTable(ctx, input) : plainTable(input));
  return cells.length;
}
