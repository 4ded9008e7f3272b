// --schema and the formats of the event exports, shared by list/export and
// --dataset. Only types come from list.ts (it loads dataset.ts lazily).
import { UsageError } from '../../errors.js';
import { FORMATS, type Format } from '../../output/index.js';
import type { EventsListOptions } from './list-types.js';

/** What the event exports write: the text formats and Parquet. */
export const EVENT_FORMATS: readonly Format[] = [...FORMATS, 'parquet'];
export const SCHEMAS = ['kt', 'focus'] as const;
export type SchemaName = (typeof SCHEMAS)[number];

/** --schema and the flags that only make sense with one of them; UsageError (exit 2) otherwise. */
export function readSchema(opts: EventsListOptions, format: Format): SchemaName {
  const schema = opts.schema ?? 'kt';
  if (!(SCHEMAS as readonly string[]).includes(schema)) throw new UsageError(`invalid --schema "${schema}": use ${SCHEMAS.join(' or ')}`);
  if (schema === 'kt') {
    if (opts.prices !== undefined) throw new UsageError('--prices applies to --schema focus (the list prices of its ListCost)');
    return 'kt';
  }
  if (format === 'table') throw new UsageError('--schema focus writes csv, json, ndjson or parquet, not a table', 'add --format parquet (or csv) and -o FILE');
  if (opts.aggregate !== undefined || opts.chart === true) throw new UsageError('--schema focus writes one row per request and price; it does not aggregate', 'leave out --aggregate/--chart: FOCUS tools sum the rows');
  if (opts.fields !== undefined) throw new UsageError('--fields does not apply to --schema focus: a FOCUS dataset has every FOCUS column');
  if (opts.tz !== undefined && opts.dataset === undefined) throw new UsageError('--tz does not apply to --schema focus: FOCUS dates and times are UTC', 'with --dataset, --tz picks the date partitions only');
  return 'focus';
}
