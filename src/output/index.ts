// Rows → table / csv / json / ndjson. Commands describe their columns once
// and hand over rows (arrays or async iterables); everything about rendering
// lives here. This file stays light: the writers (and cli-table3, chalk)
// load only when rows are written.
import type { OutputContext } from './context.js';
import { UsageError } from '../errors.js';
import { didYouMean } from '../domain/suggest.js';
import type { Column, RowSource, WriteOptions, WriteResult } from './rows.js';

export { FORMATS, RowPages } from './rows.js';
export { checkBinaryTarget } from './binary.js';
export type { CellValue, Column, ColumnKind, Format, MoneyColumn, PeriodColumn, RowSource, ValueColumn, WriteOptions, WriteResult } from './rows.js';


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
