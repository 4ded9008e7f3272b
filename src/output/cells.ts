// Cell rendering per column kind. Machine formats (csv, json) are exact and
// stable; table text is for people. Money is exact nano-units (bigint).
import { formatDecimal, formatMoney, formatScaled, type Money, nanos } from '../domain/money.js';
import { RATIO_DECIMALS, type CellValue, type Column, type PeriodColumn } from './rows.js';
import { formatWithOffset, localDate, weekdayName } from '../domain/periods.js';

/** A text cell a spreadsheet would read as a formula (or a DDE trigger). */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

const UTC_ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?Z$/;
/** Already in the output form (whole seconds, `Z`): returned as is, nothing allocated. */
const UTC_ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const UTC_ISO_ZERO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/;

export class CellRenderer {
  constructor(readonly tz: string | undefined) {}

  /** CSV field text; null for an empty field. */
  csv<R>(column: Column<R>, row: R): string {
    const value = column.get(row);
    if (value === null || value === undefined) return '';
    switch (column.kind) {
      case 'money':
        return formatDecimal(money(column, value));
      case 'decimal':
        return scaled(column, value);
      case 'json':
        return String(value);
      case 'int':
        return typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
      case 'percent':
      case 'share':
        return typeof value === 'number' ? (Number.isFinite(value) ? formatRatio(value) : '') : String(value);
      case 'time':
      case 'period':
        return this.time(value);
      case 'date':
        return this.date(value);
      case 'bool':
        return String(Boolean(value));
      case 'text':
        return neutralizeFormula(this.text(value));
    }
  }

  /** The cell as JSON text; money is an exact decimal number (at least two decimals). */
  json<R>(column: Column<R>, row: R): string {
    const value = column.get(row);
    if (value === null || value === undefined) return 'null';
    switch (column.kind) {
      case 'money':
        return formatDecimal(money(column, value));
      case 'decimal':
        return scaled(column, value);
      case 'json':
        return String(value);
      case 'int':
      case 'percent':
      case 'share':
        if (typeof value === 'number') return Number.isFinite(value) ? (column.kind === 'int' ? String(value) : formatRatio(value)) : 'null';
        if (typeof value === 'bigint') return value.toString();
        return JSON.stringify(value instanceof Date ? value.getTime() : value);
      case 'time':
      case 'period':
        return JSON.stringify(this.time(value));
      case 'date':
        return JSON.stringify(this.date(value));
      case 'bool':
        return value === true || value === 1 || value === 'true' ? 'true' : 'false';
      case 'text':
        return JSON.stringify(this.text(value));
    }
  }

  table<R>(column: Column<R>, row: R): string {
    const value = column.get(row);
    if (value === null || value === undefined) return column.missing ?? '';
    switch (column.kind) {
      case 'money':
        return formatMoney(money(column, value), column.currency?.(row) ?? 'USD');
      case 'decimal':
        return scaled(column, value);
      case 'json':
        return visibleControls(String(value));
      case 'int':
        if (typeof value === 'number' && column.decimals !== undefined && Number.isFinite(value)) return value.toLocaleString('en-US', { minimumFractionDigits: column.decimals, maximumFractionDigits: column.decimals });
        return typeof value === 'number' || typeof value === 'bigint' ? groupThousands(value) : String(value);
      case 'percent':
        return typeof value === 'number' ? formatPercent(value) : String(value);
      case 'share':
        return typeof value === 'number' ? formatShare(value) : String(value);
      case 'time':
        return this.time(value);
      case 'period':
        return this.period(column, row, value);
      case 'date':
        return this.date(value);
      case 'bool':
        return value === true ? 'yes' : value === false ? 'no' : String(value);
      case 'text':
        return visibleControls(this.text(value));
    }
  }

  /** ISO 8601: `2026-11-28T09:15:00Z`, or with the zone's offset `+01:00` under --tz. */
  time(value: Exclude<CellValue, null | undefined>): string {
    if (this.tz === undefined && typeof value === 'string') {
      if (value.length === 20 && UTC_ISO_SECONDS.test(value)) return value;
      if (value.length === 24 && UTC_ISO_ZERO_MILLIS.test(value)) return `${value.slice(0, 19)}Z`;
      // The API already sends UTC ISO text: normalise it without a Date round trip.
      const match = UTC_ISO.exec(value);
      if (match !== null) {
        const millis = (match[2] ?? '').padEnd(3, '0');
        return millis === '000' ? `${match[1]}Z` : `${match[1]}.${millis}Z`;
      }
    }
    const date = toDate(value);
    if (date === undefined) return String(value);
    if (this.tz === undefined) {
      const ms = date.getTime();
      const millis = ((ms % 1000) + 1000) % 1000;
      return `${date.toISOString().slice(0, 19)}${millis === 0 ? '' : `.${String(millis).padStart(3, '0')}`}Z`;
    }
    return formatWithOffset(date, this.tz, { millis: true });
  }

  /**
   * A bucket for people: `2026-11-06 Fri` (a day, or the Monday a week
   * starts), `2026-11` (a month), in --tz when given, with PARTIAL_MARK when
   * the range cuts the period or it is still in progress.
   */
  period<R>(column: PeriodColumn<R>, row: R, value: Exclude<CellValue, null | undefined>): string {
    const date = this.date(value);
    const match = /^(\d{4}-\d{2})-(\d{2})$/.exec(date);
    if (match === null) return date;
    const label = column.period === 'monthly' ? (match[1] ?? date) : `${date} ${weekdayName(date)}`;
    return column.partial?.(row) === true ? `${label}${PARTIAL_MARK}` : label;
  }

  /** Calendar date `2026-11-28`, in --tz when given. */
  date(value: Exclude<CellValue, null | undefined>): string {
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
    const date = toDate(value);
    if (date === undefined) return String(value);
    if (this.tz === undefined) return date.toISOString().slice(0, 10);
    return localDate(date, this.tz);
  }

  private text(value: Exclude<CellValue, null | undefined>): string {
    if (value instanceof Date) return this.time(value);
    return String(value);
  }
}

function money<R>(column: Column<R>, value: Exclude<CellValue, null | undefined>): Money {
  // The column type allows Money only; this guards callers that cast around it.
  if (typeof value === 'bigint') return nanos(value);
  throw new Error(`column "${column.name}": money cell must be Money (bigint nano-units), got ${typeof value} ${String(value)}`);
}

/**
 * A ratio (percent, share) for csv and json, rounded to RATIO_DECIMALS:
 * 0.4130285728578783 → 0.413029, 0.026 stays 0.026, never `-0`.
 */
export function formatRatio(value: number): string {
  const rounded = Number(value.toFixed(RATIO_DECIMALS));
  return String(rounded === 0 ? 0 : rounded);
}

/** Marks a partial period in tables and charts; the command explains it once on stderr. */
export const PARTIAL_MARK = '*';

function scaled<R>(column: Column<R>, value: Exclude<CellValue, null | undefined>): string {
  if (typeof value === 'bigint') return formatScaled(value, column.scale ?? 0);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return formatScaled(BigInt(value), column.scale ?? 0);
  throw new Error(`column "${column.name}": decimal cell must be a bigint of 10^-${column.scale ?? 0} units, got ${String(value)}`);
}

function toDate(value: Exclude<CellValue, null | undefined>): Date | undefined {
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === 'string' || typeof value === 'number') date = new Date(value);
  else return undefined;
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `12,345` (exact digits, no rounding of the integer part). */
export function groupThousands(value: number | bigint): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const [whole = '', frac] = String(value < 0 ? -value : value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

/** A fraction as a signed percentage with one decimal: 0.026 → `+2.6%`. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return fraction > 0 ? '+∞%' : fraction < 0 ? '-∞%' : '';
  const tenths = Math.round(Math.abs(fraction) * 1000);
  if (tenths === 0) return '0.0%';
  const text = `${Math.trunc(tenths / 10)}.${tenths % 10}%`;
  return `${fraction < 0 ? '-' : '+'}${text}`;
}

/** A part of a whole with one decimal and no sign: 0.737 → `73.7%`. */
export function formatShare(fraction: number): string {
  if (!Number.isFinite(fraction)) return fraction > 0 ? '∞%' : '';
  const tenths = Math.round(fraction * 1000);
  const sign = tenths < 0 ? '-' : '';
  const abs = Math.abs(tenths);
  return `${sign}${Math.trunc(abs / 10)}.${abs % 10}%`;
}

/**
 * Control characters in table cells would move the cursor or restyle the
 * terminal (a hostile model name could carry escape codes); show them escaped.
 */
export function visibleControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    if (ch === '\r') return '\\r';
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
