// Rows → table / csv / json / ndjson. Commands describe their columns once
// and hand over rows (arrays or async iterables); everything about rendering
// lives here. This file stays light: the writers (and cli-table3, chalk)
// load only when rows are written.
import type { Context } from '../cli/context.js';
import { UsageError } from '../errors.js';

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
      const guess = closest(name, all.map((c) => c.name));
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
  ctx: Context,
  rows: RowSource<R>,
  columns: readonly Column<R>[],
  options: WriteOptions,
): Promise<WriteResult> {
  const { writeRowsImpl } = await import('./write.js');
  return writeRowsImpl(ctx, rows, columns, options);
}

/** The nearest name within a small edit distance, for a did-you-mean hint. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const needle = input.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.floor(input.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Optimal string alignment distance: a swap of neighbours ("modle") counts as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}
