// Rows → table / csv / json / ndjson. Commands describe their columns once
// and hand over rows (arrays or async iterables); everything about rendering
// lives here. This file stays light: the writers (and cli-table3, chalk)
// load only when rows are written.
import type { OutputContext } from './context.js';
import { UsageError } from '../errors.js';
import { didYouMean } from '../domain/suggest.js';

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
export function selectColumns<R>(all: readonly Column<R>[], fields: string | undefined, defaults: readonly string[]): Column<R>[] {
  const byName = new Map(all.map((c) => [c.name, c]));
  if (fields === undefined) {
    return defaults.map((name) => {
      const column = byName.get(name);
      if (column === undefined) throw new Error(`default field "${name}" is not a column`);
      return column;
    });
  }
  const names = fields.split(',').map((f) => f.trim());
  const valid = all.map((c) => c.name).join(', ');
  if (names.every((n) => n === '')) throw new UsageError(`--fields is empty; valid fields: ${valid}`);
  const seen = new Set<string>();
  const picked: Column<R>[] = [];
  for (const name of names) {
    if (name === '') throw new UsageError(`--fields "${fields}" has an empty entry; valid fields: ${valid}`);
    const column = byName.get(name) ?? byName.get(name.toLowerCase());
    if (column === undefined) {
      const guess = didYouMean(name, all.map((c) => c.name));
      throw new UsageError(`unknown field "${name}"; valid fields: ${valid}`, guess === undefined ? undefined : `did you mean "${guess}"?`);
    }
    if (seen.has(column.name)) throw new UsageError(`field "${column.name}" is listed twice in --fields`);
    seen.add(column.name);
    picked.push(column);
  }
  return picked;
}

/**
 * Rows that arrive a page at a time (an API's cursor pages). The writers
 * render a whole page synchronously, so a million-row export costs a few
 * promises per page, not per row.
 */
export class RowPages<R> {
  constructor(readonly pages: AsyncIterable<readonly R[]>) {}
}

export type RowSource<R> = Iterable<R> | AsyncIterable<R> | RowPages<R>;

/** Streams rows to stdout or the --output file, honouring backpressure. */
export async function writeRows<R>(
  ctx: OutputContext,
  rows: RowSource<R>,
  columns: readonly Column<R>[],
  options: WriteOptions,
): Promise<WriteResult> {
  const { writeRowsImpl } = await import('./write.js');
  return writeRowsImpl(ctx, rows, columns, options);
}
