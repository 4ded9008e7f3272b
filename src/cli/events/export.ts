// kt events export: the product CLI's export — every event of a range as JSON
// (default) or CSV, to stdout or a file written atomically. The same
// streaming path as `kt events list`, with the product's defaults: the last
// 24 hours, JSON, every field (the product's verdict, reason and config
// version included).
import type { Context } from '../context.js';
import { UsageError } from '../../errors.js';
import { EVENT_COLUMNS, runEventsList, type EventsListOptions } from './list.js';

export type EventsExportOptions = Pick<
  EventsListOptions,
  'since' | 'until' | 'team' | 'provider' | 'model' | 'verdict' | 'limit' | 'tz' | 'format' | 'json' | 'fields' | 'output' | 'header' | 'schema' | 'prices' | 'dataset' | 'lag'
>;

export const EXPORT_FORMATS = ['json', 'csv', 'ndjson', 'parquet'] as const;

export default async function eventsExport(ctx: Context, opts: EventsExportOptions): Promise<void> {
  // A dataset keeps the format it was created with (dataset.ts picks it).
  const format = opts.json === true ? 'json' : (opts.format ?? (opts.dataset !== undefined ? undefined : 'json'));
  if (format === undefined) {
    await runEventsList(ctx, { ...opts, json: undefined }, { since: '24h', machineFields: EVENT_COLUMNS.map((c) => c.name) });
    return;
  }
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`invalid --format "${format}": kt events export writes ${EXPORT_FORMATS.join(', ')}`, 'for a table on the terminal use kt events list');
  }
  await runEventsList(ctx, { ...opts, format, json: undefined }, { since: '24h', machineFields: EVENT_COLUMNS.map((c) => c.name) });
}
