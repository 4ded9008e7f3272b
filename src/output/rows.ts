// What commands hand the output layer: columns described once, and rows as
// arrays, iterables or pages from the API.
import type { Money } from '../domain/money.js';

export const FORMATS = ['table', 'csv', 'json', 'ndjson'] as const;
/** Parquet is binary and only the event exports offer it; the text formats are everywhere. */
export type Format = (typeof FORMATS)[number] | 'parquet';

export type ColumnKind = 'text' | 'int' | 'money' | 'decimal' | 'time' | 'date' | 'period' | 'bool' | 'percent' | 'share' | 'json';
export type CellValue = string | number | bigint | boolean | Date | null | undefined;

interface ColumnBase<R> {
  /** Field name used by --fields and as the CSV header / JSON key. */
  name: string;
  /** Table header; defaults to the name upper-cased. */
  header?: string;
  /** decimal: digits after the point the bigint stands for (default 0). */
  scale?: number;
  /**
   * money and decimal in Parquet: DECIMAL precision; 18 (INT64, the
   * default) or 38 (16-byte fixed length) for sums that may pass 10^9.
   */
  precision?: 18 | 38;
  /** Currency of a money cell, for the table symbol; default USD. */
  currency?: (row: R) => string;
  /** What a table shows for a null value (a field the server did not send); default an empty cell. csv and json are unaffected. */
  missing?: string;
  /** An int column holding a measurement (a score): tables show it with this many decimals. */
  decimals?: number;
}

/**
 * money: Money only (a bigint of nano-units; exact decimals in csv and json,
 * `$1,234.56` in tables). A plain number is a type error here, never read
 * as some other unit.
 */
export interface MoneyColumn<R> extends ColumnBase<R> {
  kind: 'money';
  get(row: R): Money | null | undefined;
}

/**
 * period: the start of an aggregation bucket (an ISO instant). csv and json
 * keep the instant (with the --tz offset); a table reads as the local date,
 * `2026-11-06 Fri` for a day or a week, `2026-11` for a month, marked `*`
 * when `partial` says the range cuts the period or it is still in progress.
 */
export interface PeriodColumn<R> extends ColumnBase<R> {
  kind: 'period';
  period: 'daily' | 'weekly' | 'monthly';
  get(row: R): CellValue;
  partial?: (row: R) => boolean;
}

/**
 * time: Date or ISO string (UTC `Z`, or offset in --tz); date: a calendar
 * date; percent: a change as a fraction (0.026 → `+2.6%` in tables, 0.026 in
 * json); share: a part of a whole as a fraction, shown without a sign (0.737
 * → `73.7%`). Percent and share are rounded to RATIO_DECIMALS in csv and json.
 * decimal: an exact bigint of 10^-scale units, written with no trailing
 * zeros; json: a JSON object's text, as is in csv and json (a string in Parquet).
 */
export interface ValueColumn<R> extends ColumnBase<R> {
  kind: Exclude<ColumnKind, 'money' | 'period'>;
  get(row: R): CellValue;
}

export type Column<R> = MoneyColumn<R> | PeriodColumn<R> | ValueColumn<R>;

/** Decimals of a ratio (percent, share) in csv and json: 0.4130285728578783 → 0.413029. */
export const RATIO_DECIMALS = 6;

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
  /**
   * Feedback on a terminal's stderr: a spinner saying `waiting` ("fetching
   * events") until rows arrive, then, for an export that does not print to
   * that terminal, a live line from `line` (rows so far, elapsed ms).
   */
  progress?: { waiting: string; line?: (rows: number, elapsedMs: number) => string };
  /** Parquet only: key-value metadata for the file footer. */
  parquetMetadata?: Readonly<Record<string, string>>;
}

export interface WriteResult {
  rows: number;
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
