// Rows → table / csv / json / ndjson. Commands describe their columns once
// and hand over rows (arrays or async iterables); everything about rendering
// lives here. (Interface fixed here; the implementation is being built in issue 2.)
import type { Context } from '../cli/context.js';

export const FORMATS = ['table', 'csv', 'json', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];

export type ColumnKind = 'text' | 'int' | 'money' | 'time' | 'date' | 'bool' | 'percent';
export type CellValue = string | number | boolean | Date | null | undefined;

export interface Column<R> {
  /** Field name used by --fields and as the CSV header / JSON key. */
  name: string;
  /** Table header; defaults to the name upper-cased. */
  header?: string;
  /**
   * money: integer micros (rendered exact in csv/json, `$1,234.56` in tables);
   * time: Date or ISO string (UTC `Z`, or offset in --tz); percent: a fraction
   * (0.026 → `+2.6%` in tables, 0.026 in json).
   */
  kind: ColumnKind;
  get(row: R): CellValue;
  /** Currency of a money cell, for the table symbol; default USD. */
  currency?: (row: R) => string;
}

export interface WriteOptions {
  format: Format;
  /** Header row in csv (and table); default true. */
  header?: boolean;
  /** -o/--output: written atomically (temp file + rename). */
  output?: string | undefined;
  /** IANA zone for time cells; UTC when absent. */
  tz?: string | undefined;
  /** Printed on stderr when a table has no rows, e.g. "no events". */
  emptyNotice?: string;
}

export interface WriteResult {
  rows: number;
}

/**
 * Picks columns from --fields (comma list, order kept) or the defaults.
 * An unknown field is a UsageError (exit 2) listing the valid ones.
 */
export declare function selectColumns<R>(all: readonly Column<R>[], fields: string | undefined, defaults: readonly string[]): Column<R>[];

/** Streams rows to stdout or the --output file, honouring backpressure. */
export declare function writeRows<R>(
  ctx: Context,
  rows: Iterable<R> | AsyncIterable<R>,
  columns: readonly Column<R>[],
  options: WriteOptions,
): Promise<WriteResult>;
