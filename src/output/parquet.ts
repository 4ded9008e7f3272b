// Rows → Apache Parquet, streamed a row group at a time.
//
// hyparquet-writer (pure JavaScript, MIT, under 1 MB with its reader; see
// docs/exports.md for the comparison with parquet-wasm, @dsnp/parquetjs and
// DuckDB) encodes each row group and hands the bytes to the sink as soon as
// the group is written, so memory holds one group whatever the export size.
// Types follow the column kinds: money and decimal as DECIMAL (the exact
// bigint, never a float), time as a UTC TIMESTAMP in microseconds, int as
// INT64, bool as BOOLEAN, text as UTF-8 strings. Loaded lazily by write.ts
// for --format parquet only.
import v8 from 'node:v8';
import vm from 'node:vm';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { OutputContext } from './context.js';
import type { Sink } from './sink.js';
import type { CellValue, Column } from './rows.js';
import { VERSION } from '../version.js';

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];
type ParquetValue = string | bigint | number | boolean | Uint8Array | null;

/**
 * Rows per row group: at most ROW_GROUP_ROWS, and at most ROW_GROUP_CELLS
 * cells, so a wide row (FOCUS has 37 columns: 8,648 rows a group) costs
 * about as much to encode as a narrow one. Small enough that a group's
 * column arrays and its encoding stay a few MB, large enough for good
 * compression and min/max pruning, and few enough groups that the footer
 * the writer keeps until the end (a few hundred bytes per column per group)
 * stays small (bench/exports.mjs).
 */
export const ROW_GROUP_ROWS = 16_384;
export const ROW_GROUP_CELLS = 320_000;

/** Above this much live heap after a row group, kt asks V8 for a full collection. */
const HEAP_CEILING = 24 * 1024 * 1024;

export interface ParquetOptions {
  /** Rows per row group (default: see ROW_GROUP_ROWS). */
  rowGroupRows?: number;
  /** Key-value metadata in the footer (e.g. the FOCUS schema). */
  metadata?: Readonly<Record<string, string>>;
}

const DECIMAL_LIMIT_18 = 10n ** 18n;

function schemaElement<R>(column: Column<R>): SchemaElement {
  const base = { name: column.name, repetition_type: 'OPTIONAL' as const };
  switch (column.kind) {
    case 'money':
    case 'decimal': {
      const scale = column.kind === 'money' ? 9 : (column.scale ?? 0);
      const precision = column.precision ?? 18;
      const decimal = { converted_type: 'DECIMAL' as const, logical_type: { type: 'DECIMAL' as const, precision, scale }, precision, scale };
      return precision === 18 ? { ...base, type: 'INT64', ...decimal } : { ...base, type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, ...decimal };
    }
    case 'int':
      return { ...base, type: 'INT64' };
    case 'time':
    case 'period':
      return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } };
    case 'date':
      return { ...base, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'bool':
      return { ...base, type: 'BOOLEAN' };
    case 'percent':
    case 'share':
      return { ...base, type: 'DOUBLE' };
    case 'text':
    case 'json':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
  }
}

const DAY_MS = 86_400_000;

/** One cell as the physical value its schema element expects. */
function converter<R>(column: Column<R>): (value: Exclude<CellValue, null | undefined>) => ParquetValue {
  const fail = (value: unknown, what: string): never => {
    throw new Error(`column "${column.name}": cannot write ${String(value)} as ${what}`);
  };
  switch (column.kind) {
    case 'money':
    case 'decimal': {
      const limit = (column.precision ?? 18) === 18 ? DECIMAL_LIMIT_18 : 10n ** 38n;
      return (value) => {
        let n: bigint;
        if (typeof value === 'bigint') n = value;
        else if (column.kind !== 'money' && typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
        else return fail(value, 'an exact decimal');
        if (n >= limit || n <= -limit) fail(value, `DECIMAL(${column.precision ?? 18}, ${column.kind === 'money' ? 9 : (column.scale ?? 0)}): too many digits`);
        return n;
      };
    }
    case 'int':
      return (value) => {
        if (typeof value === 'bigint') return value;
        if (typeof value === 'number') return Number.isFinite(value) ? BigInt(Math.trunc(value)) : null;
        return fail(value, 'an integer');
      };
    case 'time':
    case 'period':
      return (value) => {
        const ms = value instanceof Date ? value.getTime() : typeof value === 'string' || typeof value === 'number' ? new Date(value).getTime() : Number.NaN;
        if (Number.isNaN(ms)) return fail(value, 'a timestamp');
        return BigInt(ms) * 1000n;
      };
    case 'date':
      return (value) => {
        const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) : Number.NaN;
        if (Number.isNaN(ms)) return fail(value, 'a date');
        return Math.floor(ms / DAY_MS);
      };
    case 'bool':
      return (value) => value === true || value === 1 || value === 'true';
    case 'percent':
    case 'share':
      return (value) => (typeof value === 'number' ? value : Number(value));
    case 'text':
    case 'json':
      return (value) => (typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : String(value));
  }
}

const encoder = new TextEncoder();
const SLAB = 64 * 1024;

/**
 * A text column's strings as UTF-8, each a view into slabs that are reused
 * from one row group to the next (repeated strings share one view). Left to
 * the writer, every string would become a Uint8Array with an off-heap
 * allocation of its own, and a million of those hold tens of MB of resident
 * memory until a full GC; fresh slabs per group would do the same in bulk.
 * The views are valid until the next call, by which time the group has been
 * written.
 */
class Utf8Column {
  private readonly slabs: Uint8Array[] = [];

  encode(values: ReadonlyArray<string | null>): Array<Uint8Array | null> {
    const out = new Array<Uint8Array | null>(values.length);
    const seen = new Map<string, Uint8Array>();
    let index = 0;
    let slab = this.slab(0, 0);
    let used = 0;
    for (let i = 0; i < values.length; i += 1) {
      const text = values[i];
      if (text === null || text === undefined) {
        out[i] = null;
        continue;
      }
      const hit = seen.get(text);
      if (hit !== undefined) {
        out[i] = hit;
        continue;
      }
      // A UTF-16 code unit becomes at most 3 bytes of UTF-8.
      const room = text.length * 3;
      if (used + room > slab.length) {
        index += 1;
        slab = this.slab(index, room);
        used = 0;
      }
      const { written } = encoder.encodeInto(text, slab.subarray(used));
      const view = slab.subarray(used, used + written);
      used += written;
      if (seen.size < 4096) seen.set(text, view);
      out[i] = view;
    }
    return out;
  }

  private slab(index: number, room: number): Uint8Array {
    let slab = this.slabs[index];
    if (slab === undefined || slab.length < room) {
      slab = new Uint8Array(Math.max(SLAB, room));
      this.slabs[index] = slab;
    }
    return slab;
  }
}

/**
 * Encoding a row group allocates several times the group's size, and much
 * of it lives long enough to reach V8's old generation, which V8 then lets
 * grow to four or five times the live data before it collects: 230 MB of
 * resident memory for a million FOCUS rows whose live data is under 30 MB.
 * A full collection when the heap passes HEAP_CEILING keeps an export flat
 * (bench/exports.mjs: under 150 MB at 1M events). The gc function is taken
 * from V8 on first use; where that is not possible, V8's own pacing applies.
 */
let gc: (() => void) | undefined | null;
function releaseGarbage(): void {
  if (gc === null || v8.getHeapStatistics().used_heap_size < HEAP_CEILING) return;
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    } catch {
      gc = null;
      return;
    }
  }
  gc();
}

/**
 * hyparquet-writer's byte buffer, emptied into the sink after every row
 * group: the writer awaits the flush before it encodes the next group.
 */
class SinkWriter extends ByteWriter {
  constructor(private readonly sink: Sink) {
    super(1 << 20);
  }

  flush(): Promise<void> {
    const bytes = new Uint8Array(this.buffer, 0, this.index).slice();
    this.index = 0;
    return this.sink.writeBytes(bytes);
  }

}

/**
 * Writes every batch of rows as Parquet into the sink; returns the rows
 * written. A file with no rows still has the schema (and no row groups).
 */
export async function writeParquet<R>(
  ctx: OutputContext,
  sink: Sink,
  batches: AsyncIterable<readonly R[]>,
  columns: readonly Column<R>[],
  options: ParquetOptions = {},
): Promise<number> {
  const groupRows = options.rowGroupRows ?? Math.min(ROW_GROUP_ROWS, Math.max(1024, Math.floor(ROW_GROUP_CELLS / Math.max(1, columns.length))));
  const schema: SchemaElement[] = [{ name: 'schema', num_children: columns.length }, ...columns.map(schemaElement)];
  // Repeated cells (a FOCUS row's hour and month, a team, a model) convert once.
  const convert = columns.map((column) => {
    const to = converter(column);
    let last: unknown;
    let lastOut: ParquetValue = null;
    return (value: Exclude<CellValue, null | undefined>): ParquetValue => {
      if (value !== last) {
        lastOut = to(value);
        last = value;
      }
      return lastOut;
    };
  });
  const writer = new SinkWriter(sink);
  const kvMetadata = Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value }));
  const parquet = new ParquetWriter({ writer, schema, createdBy: `kt version ${VERSION}`, kvMetadata: kvMetadata.length > 0 ? kvMetadata : undefined });
  let data: ParquetValue[][] = columns.map(() => []);
  const utf8 = columns.map((column) => (column.kind === 'text' || column.kind === 'json' ? new Utf8Column() : undefined));
  let buffered = 0;
  let count = 0;
  const writeGroup = async (): Promise<void> => {
    if (buffered === 0) return;
    const columnData = columns.map((column, i) => ({
      name: column.name,
      data: utf8[i]?.encode(data[i] as Array<string | null>) ?? (data[i] as ParquetValue[]),
    }));
    data = columns.map(() => []);
    const rows = buffered;
    buffered = 0;
    await parquet.write({ columnData, rowGroupSize: rows });
    releaseGarbage();
  };
  for await (const batch of batches) {
    for (const row of batch) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      for (let i = 0; i < columns.length; i += 1) {
        const value = (columns[i] as Column<R>).get(row);
        (data[i] as ParquetValue[]).push(value === null || value === undefined ? null : (convert[i] as (v: Exclude<CellValue, null | undefined>) => ParquetValue)(value));
      }
      buffered += 1;
      count += 1;
      if (buffered === groupRows) await writeGroup();
    }
    if (sink.broken) return count;
  }
  await writeGroup();
  // The footer goes into the buffer; the base class's finish() writes nothing out.
  await parquet.finish();
  await writer.flush();
  return count;
}
